package io.bulwark.bench;

/**
 * Reads CPU time consumed so far. The runner samples it when measuring starts and ends, so a
 * result can say how much CPU the client and the servers spent for its operations: on a 2-core
 * machine the client's CPU is CPU the servers did not get.
 */
@FunctionalInterface
public interface CpuMeter {
  /** A meter that knows nothing (every reading -1). */
  CpuMeter NONE = () -> new Reading(-1, -1);

  Reading read();

  /**
   * CPU consumed so far, in nanoseconds.
   *
   * @param clientNanos this JVM's CPU time (every thread), or -1 if unknown
   * @param serverNanos the system's server processes' CPU time (user + system, summed), or -1
   *     if unknown
   */
  record Reading(long clientNanos, long serverNanos) {
    /** Seconds from {@code earlier} to this reading, or -1 if either side is unknown. */
    static double clientSecondsSince(Reading earlier, Reading later) {
      return secondsBetween(earlier.clientNanos, later.clientNanos);
    }

    static double serverSecondsSince(Reading earlier, Reading later) {
      return secondsBetween(earlier.serverNanos, later.serverNanos);
    }

    private static double secondsBetween(long a, long b) {
      return a < 0 || b < 0 ? -1 : (b - a) / 1e9;
    }
  }
}
