package io.bulwark.coord;

import static org.junit.jupiter.api.Assertions.fail;

import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;

/**
 * Waiting in tests: always on a named condition with a deadline, never a bare sleep (STYLE §6).
 * On timeout the test fails with the condition's name.
 */
final class Eventually {
  /** Generous: these waits end as soon as the condition holds, usually within milliseconds. */
  static final Duration DEADLINE = Duration.ofSeconds(20);
  private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

  private Eventually() {}

  /**
   * Polls {@code condition} until it holds. A {@link CoordinationException} thrown by it (e.g.
   * while a client reconnects) counts as "not yet" and is reported if the deadline passes.
   */
  static void await(String name, BooleanSupplier condition) {
    long deadline = System.nanoTime() + DEADLINE.toNanos();
    RuntimeException last = null;
    while (true) {
      try {
        if (condition.getAsBoolean()) {
          return;
        }
      } catch (CoordinationException e) {
        last = e;
      }
      if (System.nanoTime() - deadline > 0) {
        fail("timed out after " + DEADLINE + " waiting for: " + name
            + (last == null ? "" : " (last error: " + last + ")"));
      }
      LockSupport.parkNanos(POLL_NANOS);
    }
  }

  /** Takes events from {@code queue} until one matches; fails at the deadline. */
  static <T> T awaitEvent(String name, BlockingQueue<T> queue, Predicate<T> matches)
      throws InterruptedException {
    long deadline = System.nanoTime() + DEADLINE.toNanos();
    while (true) {
      long left = deadline - System.nanoTime();
      T event = left > 0 ? queue.poll(left, TimeUnit.NANOSECONDS) : null;
      if (event == null) {
        fail("timed out after " + DEADLINE + " waiting for event: " + name);
      }
      if (matches.test(event)) {
        return event;
      }
    }
  }
}
