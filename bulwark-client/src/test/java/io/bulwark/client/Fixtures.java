package io.bulwark.client;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/** Options and waits shared by the client tests. */
final class Fixtures {
  private Fixtures() {}

  /** Generous deadlines: for tests that must succeed. */
  static ClientOptions fast() {
    return new ClientOptions(Duration.ofSeconds(5), Duration.ofSeconds(2),
        Duration.ofMillis(2), Duration.ofMillis(20));
  }

  /** Short deadlines: for tests that run into them. */
  static ClientOptions shortDeadline() {
    return new ClientOptions(Duration.ofMillis(300), Duration.ofMillis(100),
        Duration.ofMillis(5), Duration.ofMillis(20));
  }

  static byte[] b(String s) {
    return s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
  }

  /** Waits for a named condition with a deadline (STYLE §6: never a bare sleep). */
  static void eventually(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for: " + what);
      }
      Thread.sleep(2);
    }
  }
}
