package io.bulwark.core.detect;

import java.util.Locale;

/**
 * A node's verdict on its own resources (DESIGN §6), ordered from best to worst. Published in
 * the node's ZooKeeper record, on {@code /health} and as the gauge {@code bulwark_node_health}
 * ({@link #gaugeValue()}).
 */
public enum NodeHealth {
  /** Every resource is within its thresholds. */
  HEALTHY,
  /**
   * Serving, but slow or short of something (fsync latency, GC, heap, CPU, disk space): a
   * primary should hand its shards over to a healthy backup.
   */
  DEGRADED,
  /** Cannot do its job (fsync stalled, disk below the write reserve); {@code /health} is 503. */
  FAILED;

  /** 0, 1 or 2, for the gauge. */
  public int gaugeValue() {
    return ordinal();
  }

  /** The worse of the two. */
  public NodeHealth worst(NodeHealth other) {
    return compareTo(other) >= 0 ? this : other;
  }

  /**
   * Parses a health name, case-insensitively.
   *
   * @throws IllegalArgumentException naming the accepted values
   */
  public static NodeHealth parse(String text) {
    try {
      return valueOf(text.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("health must be HEALTHY, DEGRADED or FAILED, was '"
          + text + "'", e);
    }
  }
}
