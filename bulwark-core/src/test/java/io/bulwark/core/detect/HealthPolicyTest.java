package io.bulwark.core.detect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Goal: resource samples become HEALTHY / DEGRADED / FAILED with a reason (DESIGN §6), with
 * hysteresis (3 samples to get worse, 10 to get better with the defaults). Method: hand-built
 * samples, one verdict per sample.
 */
class HealthPolicyTest {
  private static final long MS = 1_000_000L;
  private static final long GIB = 1L << 30;
  private static final HealthThresholds LIMITS = HealthThresholds.defaults();

  private static HealthSample good() {
    return new HealthSample(0.10, 0.50, 0.30, 0.01, 50 * GIB, 2 * MS, 100);
  }

  private static HealthSample fsync(long p99) {
    return new HealthSample(0.10, 0.50, 0.30, 0.01, 50 * GIB, p99, 100);
  }

  private static HealthSample disk(long free) {
    return new HealthSample(0.10, 0.50, 0.30, 0.01, free, 2 * MS, 100);
  }

  private static HealthVerdict feed(HealthPolicy p, HealthSample s, int times) {
    HealthVerdict v = null;
    for (int i = 0; i < times; i++) {
      v = p.observe(s);
    }
    return v;
  }

  @Test
  void goodSamples_areHealthyWithNoReason() {
    HealthVerdict v = feed(new HealthPolicy(LIMITS), good(), 5);
    assertEquals(NodeHealth.HEALTHY, v.health());
    assertEquals("", v.reason());
    assertFalse(v.diskLow());
  }

  @Test
  void slowFsync_degradesOnlyAfterThreeConsecutiveSamples_withTheNumbersInTheReason() {
    HealthPolicy p = new HealthPolicy(LIMITS);
    assertEquals(NodeHealth.HEALTHY, feed(p, fsync(73 * MS), 2).health());
    HealthVerdict v = p.observe(fsync(73 * MS));
    assertEquals(NodeHealth.DEGRADED, v.health());
    assertEquals(List.of("fsync-slow"), v.conditions());
    assertEquals("fsync-slow: p99 73 ms >= 50 ms", v.reason());
  }

  @Test
  void oneGoodSampleAmongBadOnes_doesNotResetTheDegradedVerdict() {
    HealthPolicy p = new HealthPolicy(LIMITS);
    feed(p, fsync(80 * MS), 3);
    for (int i = 0; i < 20; i++) { // alternating: never 10 clean in a row
      assertEquals(NodeHealth.DEGRADED, p.observe(i % 2 == 0 ? good() : fsync(80 * MS)).health());
    }
    assertEquals(NodeHealth.DEGRADED, feed(p, good(), 9).health());
    HealthVerdict v = p.observe(good());
    assertEquals(NodeHealth.HEALTHY, v.health());
    assertEquals("", v.reason());
  }

  @Test
  void whileRecovering_theReasonStaysTheConditionThatCausedIt() {
    HealthPolicy p = new HealthPolicy(LIMITS);
    feed(p, fsync(80 * MS), 3);
    HealthVerdict v = feed(p, good(), 4);
    assertEquals(NodeHealth.DEGRADED, v.health());
    assertEquals(List.of("fsync-slow"), v.conditions());
  }

  @Test
  void stalledFsync_escalatesFromDegradedToFailed() {
    HealthPolicy p = new HealthPolicy(LIMITS);
    assertEquals(NodeHealth.DEGRADED, feed(p, fsync(60 * MS), 3).health());
    assertEquals(NodeHealth.DEGRADED, feed(p, fsync(2_000 * MS), 2).health());
    HealthVerdict v = p.observe(fsync(2_000 * MS));
    assertEquals(NodeHealth.FAILED, v.health());
    assertEquals(List.of("fsync-stalled"), v.conditions());
    // Back to merely slow: FAILED -> DEGRADED after 10 samples at DEGRADED or better.
    assertEquals(NodeHealth.FAILED, feed(p, fsync(60 * MS), 9).health());
    assertEquals(NodeHealth.DEGRADED, p.observe(fsync(60 * MS)).health());
  }

  @Test
  void lowDisk_setsDiskLowAtOnce_degradesAfterThree_andClearsAfterTenSamplesAbove() {
    HealthPolicy p = new HealthPolicy(LIMITS);
    HealthVerdict v = p.observe(disk(512L << 20));
    assertTrue(v.diskLow(), "no new replicas from the first low sample");
    assertEquals(NodeHealth.HEALTHY, v.health());
    v = feed(p, disk(512L << 20), 2);
    assertEquals(NodeHealth.DEGRADED, v.health());
    assertEquals("disk-low: 512.0 MiB (536870912 bytes) free < 1024.0 MiB (1073741824 bytes)",
        v.reason());
    assertTrue(feed(p, disk(2 * GIB), 9).diskLow());
    assertFalse(p.observe(disk(2 * GIB)).diskLow());
  }

  @Test
  void diskBelowTheReserve_isFailedWithWritesRefusedInTheReason() {
    HealthPolicy p = new HealthPolicy(LIMITS);
    HealthVerdict v = feed(p, disk(10L << 20), 3);
    assertEquals(NodeHealth.FAILED, v.health());
    assertEquals(List.of("disk-full"), v.conditions());
    assertTrue(v.reason().contains("writes refused") && v.reason().contains("64.0 MiB"),
        v.reason());
    assertTrue(v.diskLow());
  }

  @Test
  void severalConditions_allAppearInTheReason() {
    HealthPolicy p = new HealthPolicy(LIMITS);
    HealthVerdict v = feed(p, new HealthSample(0.99, 1.0, 0.95, 0.45, 50 * GIB, 70 * MS, 5), 3);
    assertEquals(NodeHealth.DEGRADED, v.health());
    assertEquals(List.of("fsync-slow", "gc-pauses", "heap-full", "cpu-busy"), v.conditions());
  }

  @Test
  void unknownMeasurements_areLeftOut() {
    HealthPolicy p = new HealthPolicy(LIMITS);
    HealthVerdict v = feed(p, new HealthSample(Double.NaN, Double.NaN, Double.NaN, Double.NaN,
        -1, 0, 0), 20);
    assertEquals(NodeHealth.HEALTHY, v.health());
    assertFalse(v.diskLow());
  }

  @Test
  void inconsistentThresholds_areRefused() {
    assertTrue(assertThrows(IllegalArgumentException.class, () -> new HealthThresholds(0.9, 0.9,
        0.3, 50 * MS, 1000 * MS, 64L << 20, 1L << 30, 3, 10)).getMessage()
        .contains("reserve < low"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> new HealthThresholds(1.5, 0.9,
        0.3, 50 * MS, 1000 * MS, 1L << 30, 64L << 20, 3, 10)).getMessage().contains("cpu"));
  }
}
