package io.bulwark.core.detect;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Turns a node's resource samples into HEALTHY / DEGRADED / FAILED with a reason (DESIGN §6),
 * with hysteresis so the verdict does not flap:
 * <ul>
 *   <li>Each sample is judged alone against {@link HealthThresholds}: every condition found has a
 *       level (DEGRADED or FAILED), and the sample's raw level is the worst of them.</li>
 *   <li>The verdict gets worse, to level L, once {@code degradeAfterSamples} consecutive samples
 *       were at L or worse; it gets better, to level L, once {@code recoverAfterSamples}
 *       consecutive samples were at L or better. So a single bad sample changes nothing, and a
 *       node that alternates between good and bad samples stays at the bad verdict.</li>
 *   <li>The disk-low flag (no new replicas) is set on the first low sample — taking a replica is
 *       a commitment worth refusing early — and cleared after {@code recoverAfterSamples} samples
 *       above the limit.</li>
 * </ul>
 * Writes are refused below the disk reserve by the runtime's own per-write check, not by this
 * verdict: a write must not wait for a hysteresis window to be refused, nor to be served again
 * once space returns.
 *
 * <p>Conditions and their names (stable; they appear in reasons and events): {@code cpu-busy},
 * {@code heap-full}, {@code gc-pauses}, {@code fsync-slow} and {@code disk-low} (DEGRADED);
 * {@code fsync-stalled} and {@code disk-full} (FAILED).
 *
 * <p>Not thread-safe: the runtime's sampler owns it.
 */
public final class HealthPolicy {
  private static final int LEVELS = NodeHealth.values().length;

  private final HealthThresholds limits;
  /** Consecutive samples whose raw level was at least / at most each level. */
  private final int[] atLeast = new int[LEVELS];
  private final int[] atMost = new int[LEVELS];
  private NodeHealth health = NodeHealth.HEALTHY;
  private List<Condition> reasons = List.of();
  private boolean diskLow;
  private int diskOkSamples;

  /** One condition found in a sample. */
  private record Condition(String name, NodeHealth level, String detail) {}

  public HealthPolicy(HealthThresholds limits) {
    this.limits = Objects.requireNonNull(limits, "limits");
  }

  public HealthThresholds limits() {
    return limits;
  }

  /** Judges one sample and returns the verdict after it. */
  public HealthVerdict observe(HealthSample s) {
    List<Condition> found = assess(s);
    NodeHealth raw = NodeHealth.HEALTHY;
    for (Condition c : found) {
      raw = raw.worst(c.level());
    }
    for (NodeHealth level : NodeHealth.values()) {
      int i = level.ordinal();
      atLeast[i] = raw.compareTo(level) >= 0 ? atLeast[i] + 1 : 0;
      atMost[i] = raw.compareTo(level) <= 0 ? atMost[i] + 1 : 0;
    }
    health = next();
    List<Condition> current = new ArrayList<>();
    for (Condition c : found) {
      if (c.level().compareTo(health) >= 0) {
        current.add(c);
      }
    }
    if (health == NodeHealth.HEALTHY) {
      reasons = List.of();
    } else if (!current.isEmpty()) {
      reasons = current;
    } // else: recovering; the conditions that made this verdict stay its reason.
    updateDiskLow(s);
    List<String> names = new ArrayList<>();
    List<String> details = new ArrayList<>();
    for (Condition c : reasons) {
      names.add(c.name());
      details.add(c.name() + ": " + c.detail());
    }
    return new HealthVerdict(health, String.join("; ", details), names, diskLow, s);
  }

  private NodeHealth next() {
    NodeHealth[] levels = NodeHealth.values();
    for (int i = LEVELS - 1; i > health.ordinal(); i--) {
      if (atLeast[i] >= limits.degradeAfterSamples()) {
        return levels[i];
      }
    }
    for (int i = 0; i < health.ordinal(); i++) {
      if (atMost[i] >= limits.recoverAfterSamples()) {
        return levels[i];
      }
    }
    return health;
  }

  private void updateDiskLow(HealthSample s) {
    if (s.diskFreeBytes() < 0) {
      return; // Unknown: keep what we had.
    }
    if (s.diskFreeBytes() < limits.diskLowBytes()) {
      diskLow = true;
      diskOkSamples = 0;
    } else if (++diskOkSamples >= limits.recoverAfterSamples()) {
      diskLow = false;
    }
  }

  private List<Condition> assess(HealthSample s) {
    List<Condition> out = new ArrayList<>();
    if (s.fsyncP99Nanos() >= limits.fsyncFailedNanos()) {
      out.add(new Condition("fsync-stalled", NodeHealth.FAILED, "p99 " + ms(s.fsyncP99Nanos())
          + " >= " + ms(limits.fsyncFailedNanos())));
    } else if (s.fsyncP99Nanos() >= limits.fsyncDegradedNanos()) {
      out.add(new Condition("fsync-slow", NodeHealth.DEGRADED, "p99 " + ms(s.fsyncP99Nanos())
          + " >= " + ms(limits.fsyncDegradedNanos())));
    }
    if (s.diskFreeBytes() >= 0 && s.diskFreeBytes() < limits.diskReserveBytes()) {
      out.add(new Condition("disk-full", NodeHealth.FAILED, bytes(s.diskFreeBytes())
          + " free < " + bytes(limits.diskReserveBytes()) + " reserve; writes refused"));
    } else if (s.diskFreeBytes() >= 0 && s.diskFreeBytes() < limits.diskLowBytes()) {
      out.add(new Condition("disk-low", NodeHealth.DEGRADED, bytes(s.diskFreeBytes())
          + " free < " + bytes(limits.diskLowBytes())));
    }
    if (s.gcTime() >= limits.gcTimeMax()) {
      out.add(new Condition("gc-pauses", NodeHealth.DEGRADED, percent(s.gcTime())
          + " of the interval >= " + percent(limits.gcTimeMax())));
    }
    if (s.heapAfterGc() >= limits.heapAfterGcMax()) {
      out.add(new Condition("heap-full", NodeHealth.DEGRADED, percent(s.heapAfterGc())
          + " in use after GC >= " + percent(limits.heapAfterGcMax())));
    }
    if (s.processCpu() >= limits.cpuMax()) {
      out.add(new Condition("cpu-busy", NodeHealth.DEGRADED, "process CPU "
          + percent(s.processCpu()) + " >= " + percent(limits.cpuMax())));
    }
    return out; // NaN compares false everywhere: an unknown measurement finds nothing.
  }

  private static String ms(long nanos) {
    return nanos / 1_000_000 + " ms";
  }

  private static String percent(double fraction) {
    return Math.round(fraction * 100) + "%";
  }

  /**
   * Bytes for people: MiB with one decimal, and the exact count. Also the server's disk refusal
   * uses it, so a refusal and the health reason name sizes alike.
   */
  public static String bytes(long b) {
    return String.format(Locale.ROOT, "%.1f MiB (%d bytes)", b / 1048576.0, b);
  }
}
