package io.bulwark.cli;

import picocli.CommandLine.Option;

/** {@code --keyspace} for the data commands; DESIGN §2's {@code default} keyspace if omitted. */
public final class KeyspaceOption {
  @Option(
      names = {"-k", "--keyspace"},
      paramLabel = "NAME",
      defaultValue = "default",
      description = "The keyspace (default: ${DEFAULT-VALUE}).")
  String keyspace;

  public String keyspace() {
    return keyspace;
  }
}
