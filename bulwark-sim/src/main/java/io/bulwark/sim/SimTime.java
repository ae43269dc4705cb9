package io.bulwark.sim;

import java.util.Locale;

/** Units and formatting of simulated time (nanoseconds, as the core's {@code nowNanos}). */
final class SimTime {
  static final long US = 1_000L;
  static final long MS = 1_000_000L;
  static final long SECOND = 1_000_000_000L;

  private SimTime() {}

  /** {@code 1234.567ms}: milliseconds with microsecond precision, for traces and failures. */
  static String format(long nanos) {
    return String.format(Locale.ROOT, "%d.%03dms", nanos / MS, Math.abs(nanos % MS) / US);
  }
}
