package io.bulwark.bench;

import org.HdrHistogram.Histogram;

/**
 * One measured run of one system: what the closed loop achieved in the measured window.
 *
 * @param system the system's name
 * @param round the round it belongs to, 1-based
 * @param ops operations acknowledged within the window
 * @param errors operations that failed (threw) within the window
 * @param conflicts cas or txn operations whose write lost a race (not errors; counted in ops)
 * @param opsPerSec {@code ops} per measured second
 * @param p50Ms median latency of the acknowledged operations, ms (0 when ops is 0)
 * @param p99Ms 99th percentile, ms
 * @param p999Ms 99.9th percentile, ms
 * @param maxMs the slowest acknowledged operation, ms
 * @param clientCpuSeconds the bench JVM's CPU seconds in the window, -1 if unknown
 * @param serverCpuSeconds the system's server processes' CPU seconds in the window, -1 if
 *     unknown (an existing cluster, whose processes the bench did not start)
 * @param firstError the message of the first failure in the window, or null
 */
public record RunResult(String system, int round, long ops, long errors, long conflicts,
    double opsPerSec, double p50Ms, double p99Ms, double p999Ms, double maxMs,
    double clientCpuSeconds, double serverCpuSeconds, String firstError) {

  /** Latencies are recorded in microseconds; this is the largest recordable (10 minutes). */
  static final long LATENCY_MICROS_MAX = 600_000_000L;

  /** A histogram for latencies in microseconds with 3 significant digits. */
  static Histogram newHistogram() {
    return new Histogram(1, LATENCY_MICROS_MAX, 3);
  }

  /** The result of a window of {@code durationSeconds} whose latencies are in {@code micros}. */
  static RunResult of(String system, int round, Histogram micros, long errors, long conflicts,
      int durationSeconds, double clientCpuSeconds, double serverCpuSeconds, String firstError) {
    long ops = micros.getTotalCount();
    return new RunResult(system, round, ops, errors, conflicts, ops / (double) durationSeconds,
        millis(micros, ops, 50.0), millis(micros, ops, 99.0), millis(micros, ops, 99.9),
        ops == 0 ? 0 : micros.getMaxValue() / 1000.0, clientCpuSeconds, serverCpuSeconds,
        firstError);
  }

  private static double millis(Histogram micros, long ops, double percentile) {
    return ops == 0 ? 0 : micros.getValueAtPercentile(percentile) / 1000.0;
  }

  /** True if the run acknowledged nothing: the system did not work at all. */
  public boolean failed() {
    return ops == 0;
  }
}
