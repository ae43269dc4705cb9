package io.bulwark.cli;

import picocli.CommandLine.Option;

/** {@code --json}: print exactly one JSON document on standard output (DESIGN §8). */
public final class JsonOption {
  @Option(names = "--json", description = "Print one JSON document instead of text.")
  boolean json;

  public boolean json() {
    return json;
  }
}
