package io.bulwark.check.internals;

import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * A time budget started when a check starts. Checkers poll {@link #expired()} in their search loops
 * and give up with an UNKNOWN verdict rather than guess. Time is read from the monotonic clock the
 * caller hands in (the command line and the simulator pass {@code System::nanoTime}), so the
 * module itself reads no clock. Not thread-safe.
 */
public final class Deadline {
  private final LongSupplier nanoClock;
  private final long startNanos;
  private final long limitNanos;

  private Deadline(LongSupplier nanoClock, long startNanos, long limitNanos) {
    this.nanoClock = nanoClock;
    this.startNanos = startNanos;
    this.limitNanos = limitNanos;
  }

  /** A deadline {@code limit} from now on {@code nanoClock}, a monotonic clock in nanoseconds. */
  public static Deadline start(Duration limit, LongSupplier nanoClock) {
    if (limit.isNegative()) {
      throw new IllegalArgumentException("a time limit cannot be negative: " + limit);
    }
    return new Deadline(nanoClock, nanoClock.getAsLong(), saturatedNanos(limit));
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
    return nanoClock.getAsLong() - startNanos;
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
