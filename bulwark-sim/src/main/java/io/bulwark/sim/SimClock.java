package io.bulwark.sim;

import io.bulwark.core.pb.ReplicaOptions;

/**
 * One node's monotonic clock, the {@code System.nanoTime()} its runtime would read. It has an
 * arbitrary origin and runs at a rate within {@code ±CLOCK_DRIFT_MAX} of global time; the rate
 * may change at any moment (drift) but the clock never jumps or goes back while the process
 * lives. A restart may give it a new origin (a rebooted machine), which the core must survive:
 * no nanos value outlives a replica instance.
 *
 * <p>Integer arithmetic only, so a run is bit-identical on every JVM.
 */
final class SimClock {
  /** The largest rate error the design tolerates (ρ of DESIGN §3.7), in parts per million. */
  static final long DRIFT_PPM_MAX = Math.round(ReplicaOptions.CLOCK_DRIFT_MAX * 1_000_000);
  private static final long PPM = 1_000_000L;

  private final SimScheduler scheduler;
  private long anchorGlobalNanos;
  private long anchorLocalNanos;
  private long ratePpm;

  SimClock(SimScheduler scheduler, long originNanos, long ratePpm) {
    this.scheduler = scheduler;
    this.anchorGlobalNanos = scheduler.nowNanos();
    this.anchorLocalNanos = originNanos;
    setRate(ratePpm);
  }

  /** The node's reading now. */
  long nowNanos() {
    long elapsed = scheduler.nowNanos() - anchorGlobalNanos;
    return anchorLocalNanos + elapsed + elapsed * ratePpm / PPM;
  }

  long ratePpm() {
    return ratePpm;
  }

  /** Changes the rate from now on; the reading is continuous. */
  void setRate(long newRatePpm) {
    if (Math.abs(newRatePpm) > DRIFT_PPM_MAX) {
      throw new IllegalArgumentException("clock rate " + newRatePpm + " ppm exceeds the "
          + DRIFT_PPM_MAX + " ppm the design assumes");
    }
    anchorLocalNanos = nowNanos();
    anchorGlobalNanos = scheduler.nowNanos();
    ratePpm = newRatePpm;
  }

  /** A new origin: the machine rebooted, so the next process sees an unrelated reading. */
  void reboot(long originNanos) {
    anchorLocalNanos = originNanos;
    anchorGlobalNanos = scheduler.nowNanos();
  }

  /** Global nanos that pass while this clock advances {@code localNanos}. */
  long globalDelayFor(long localNanos) {
    return Math.max(1, localNanos * PPM / (PPM + ratePpm));
  }
}
