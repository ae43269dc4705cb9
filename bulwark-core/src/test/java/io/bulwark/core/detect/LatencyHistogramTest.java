package io.bulwark.core.detect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Goal: the p99 of a window is within one bucket (19 %) above the true value, never below. */
class LatencyHistogramTest {
  private static final long MS = 1_000_000L;

  @Test
  void p99_isWithinOneBucketAboveTheTrueValue() {
    LatencyHistogram h = new LatencyHistogram();
    for (int i = 1; i <= 1_000; i++) {
      h.record(i * 100_000L); // 0.1 ms .. 100 ms; the true p99 is 99 ms
    }
    long p99 = h.quantileNanos(0.99);
    assertTrue(p99 >= 99 * MS && p99 <= 99 * MS * 1.19 + 1, "p99 " + p99);
    assertEquals(100 * MS, h.maxNanos());
  }

  @Test
  void emptyWindow_isZero_andResetEmpties() {
    LatencyHistogram h = new LatencyHistogram();
    assertEquals(0, h.quantileNanos(0.99));
    h.record(5 * MS);
    assertEquals(5 * MS, h.quantileNanos(0.99)); // capped at the largest value seen
    h.reset();
    assertEquals(0, h.count());
    assertEquals(0, h.quantileNanos(0.99));
  }

  @Test
  void extremeValues_landInTheEndBuckets() {
    LatencyHistogram h = new LatencyHistogram();
    h.record(0);
    h.record(Long.MAX_VALUE);
    assertEquals(Long.MAX_VALUE, h.maxNanos());
    assertTrue(h.quantileNanos(1.0) > 100_000 * MS);
  }
}
