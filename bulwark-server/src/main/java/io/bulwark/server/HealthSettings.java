package io.bulwark.server;

import io.bulwark.core.detect.HealthThresholds;
import io.bulwark.core.detect.PhiAccrualDetector;
import java.util.Objects;

/**
 * Failure-detection and resource-health settings of a node (DESIGN §6), read from its
 * configuration file (see {@link NodeConfig} for the keys and defaults).
 *
 * @param heartbeatMs how often this node heartbeats every other live node
 * @param phi the phi-accrual detector's knobs (threshold, sigma floor, acceptable pause)
 * @param thresholds when a resource sample is DEGRADED or FAILED, and the hysteresis
 */
public record HealthSettings(long heartbeatMs, PhiAccrualDetector.Options phi,
    HealthThresholds thresholds) {
  static final long MS = 1_000_000L;
  /** Resource samples are taken once per second; the hysteresis counts are in samples. */
  static final long SAMPLE_MS = 1_000;

  public HealthSettings {
    Objects.requireNonNull(phi, "phi");
    Objects.requireNonNull(thresholds, "thresholds");
    if (heartbeatMs <= 0) {
      throw new IllegalArgumentException("heartbeat interval must be positive, was "
          + heartbeatMs + " ms");
    }
  }

  public static HealthSettings defaults() {
    return new HealthSettings(100, PhiAccrualDetector.Options.defaults(100 * MS),
        HealthThresholds.defaults());
  }
}
