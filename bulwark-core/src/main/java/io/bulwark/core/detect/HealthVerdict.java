package io.bulwark.core.detect;

import java.util.List;
import java.util.Objects;

/**
 * What {@link HealthPolicy} concluded after a sample.
 *
 * @param health the verdict, after hysteresis
 * @param reason why, for people ("" when HEALTHY): the conditions that made the verdict, with
 *     their measurements and limits, e.g. {@code fsync-slow: p99 73 ms >= 50 ms}
 * @param conditions the names of those conditions (stable between samples while the same
 *     conditions hold, so a publisher can tell a real change from new numbers)
 * @param diskLow whether the node takes no new replicas: set on the first sample below the
 *     low-disk limit, cleared after {@code recoverAfterSamples} samples above it
 * @param sample the sample this verdict followed
 */
public record HealthVerdict(NodeHealth health, String reason, List<String> conditions,
    boolean diskLow, HealthSample sample) {
  public HealthVerdict {
    Objects.requireNonNull(health, "health");
    Objects.requireNonNull(reason, "reason");
    conditions = List.copyOf(conditions);
  }
}
