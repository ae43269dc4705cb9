package io.bulwark.core.detect;

/**
 * When a resource sample makes a node DEGRADED or FAILED, and how much evidence the verdict
 * needs (DESIGN §6). All comparisons are "at or beyond the limit".
 *
 * @param cpuMax process CPU share at which the node is DEGRADED ({@code cpu-busy})
 * @param heapAfterGcMax heap share still in use after GC at which it is DEGRADED
 *     ({@code heap-full}): the next allocation burst means back-to-back collections
 * @param gcTimeMax share of an interval spent in GC pauses at which it is DEGRADED
 *     ({@code gc-pauses})
 * @param fsyncDegradedNanos fsync p99 at which it is DEGRADED ({@code fsync-slow})
 * @param fsyncFailedNanos fsync p99 at which it is FAILED ({@code fsync-stalled})
 * @param diskLowBytes free space under which it is DEGRADED and takes no new replicas
 *     ({@code disk-low})
 * @param diskReserveBytes free space under which it refuses writes and is FAILED
 *     ({@code disk-full}); below {@code diskLowBytes}
 * @param degradeAfterSamples consecutive samples a worse condition must hold before the verdict
 *     gets worse
 * @param recoverAfterSamples consecutive samples without it before the verdict gets better
 *     (larger than {@code degradeAfterSamples}: slow to trust, so it does not flap)
 */
public record HealthThresholds(double cpuMax, double heapAfterGcMax, double gcTimeMax,
    long fsyncDegradedNanos, long fsyncFailedNanos, long diskLowBytes, long diskReserveBytes,
    int degradeAfterSamples, int recoverAfterSamples) {

  private static final long MS = 1_000_000L;

  /** The defaults documented in {@code NodeConfig} and {@code deploy/bulwark.properties.example}. */
  public static HealthThresholds defaults() {
    return new HealthThresholds(0.95, 0.90, 0.30, 50 * MS, 1_000 * MS, 1L << 30, 64L << 20, 3,
        10);
  }

  public HealthThresholds {
    fraction("cpu", cpuMax);
    fraction("heap after GC", heapAfterGcMax);
    fraction("GC time", gcTimeMax);
    if (fsyncDegradedNanos <= 0 || fsyncFailedNanos <= fsyncDegradedNanos) {
      throw new IllegalArgumentException("fsync limits must satisfy 0 < degraded < failed, were "
          + fsyncDegradedNanos / MS + " ms and " + fsyncFailedNanos / MS + " ms");
    }
    if (diskReserveBytes < 0 || diskLowBytes <= diskReserveBytes) {
      throw new IllegalArgumentException("disk limits must satisfy 0 <= reserve < low, were "
          + "reserve " + diskReserveBytes + " bytes and low " + diskLowBytes + " bytes");
    }
    if (degradeAfterSamples < 1 || recoverAfterSamples < 1) {
      throw new IllegalArgumentException("sample counts must be at least 1, were "
          + degradeAfterSamples + " and " + recoverAfterSamples);
    }
  }

  private static void fraction(String what, double v) {
    if (!(v > 0 && v <= 1)) {
      throw new IllegalArgumentException(what + " limit must be a fraction in (0, 1], was " + v);
    }
  }
}
