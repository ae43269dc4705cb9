package io.bulwark.check.internals;

import java.time.Duration;

/**
 * A time budget started when a check starts. Checkers poll {@link #expired()} in their search loops
 * and give up with an UNKNOWN verdict rather than guess. This is the one place in the module that
 * reads the clock. Not thread-safe.
 */
public final class Deadline {
  private final long startNanos;
  private final long limitNanos;

  private Deadline(long startNanos, long limitNanos) {
    this.startNanos = startNanos;
    this.limitNanos = limitNanos;
  }

  /** A deadline {@code limit} from now. */
  public static Deadline start(Duration limit) {
    if (limit.isNegative()) {
      throw new IllegalArgumentException("a time limit cannot be negative: " + limit);
    }
    return new Deadline(System.nanoTime(), saturatedNanos(limit));
  }

  public boolean expired() {
    return elapsedNanos() >= limitNanos;
  }

  public Duration elapsed() {
    return Duration.ofNanos(elapsedNanos());
  }

  public Duration limit() {
    return Duration.ofNanos(limitNanos);
  }

  private long elapsedNanos() {
    return System.nanoTime() - startNanos;
  }

  /** Durations beyond ~292 years do not fit in a long of nanoseconds; they mean "no limit". */
  private static long saturatedNanos(Duration limit) {
    try {
      return limit.toNanos();
    } catch (ArithmeticException e) {
      return Long.MAX_VALUE;
    }
  }
}
