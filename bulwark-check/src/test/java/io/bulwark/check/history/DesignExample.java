package io.bulwark.check.history;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** The example history of DESIGN §9, verbatim, from {@code design-example.jsonl}. */
final class DesignExample {
  private DesignExample() {}

  static String text() {
    try (InputStream in = DesignExample.class.getResourceAsStream("design-example.jsonl")) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
