package io.bulwark.core.detect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Goal: the phi-accrual detector (DESIGN §6) keeps a live peer unsuspected — steady or jittery —
 * and suspects a silent one within a delay the test derives from the model. Method: feed
 * arrival times in explicit nanoseconds (no clock) and read phi at chosen instants.
 */
class PhiAccrualDetectorTest {
  private static final long MS = 1_000_000L;
  private static final long HEARTBEAT = 100 * MS;
  private static final PhiAccrualDetector.Options DEFAULTS =
      PhiAccrualDetector.Options.defaults(HEARTBEAT);

  /** Heartbeats every 100 ms from t = 0 to t = (n-1)·100 ms; returns the last arrival. */
  private static long steady(PhiAccrualDetector d, int n) {
    for (int i = 0; i < n; i++) {
      d.heartbeat(i * HEARTBEAT);
    }
    return (n - 1) * HEARTBEAT;
  }

  @Test
  void steadyHeartbeats_keepPhiLow() {
    PhiAccrualDetector d = new PhiAccrualDetector(DEFAULTS);
    long last = steady(d, 200);
    // Right on time, and even a full second late (inside the acceptable pause): far below 8.
    assertTrue(d.phi(last + HEARTBEAT) < 0.1, "phi on time " + d.phi(last + HEARTBEAT));
    assertTrue(d.phi(last + 10 * HEARTBEAT) < 1.0, "phi 1 s late " + d.phi(last + 10 * HEARTBEAT));
    assertFalse(d.suspects(last + 10 * HEARTBEAT));
  }

  @Test
  void silence_phiRisesMonotonicallyAndCrossesTheThresholdWhenTheModelSays() {
    PhiAccrualDetector d = new PhiAccrualDetector(DEFAULTS);
    long last = steady(d, 200);
    // The model: intervals of exactly 100 ms have sigma 0, so sigma is the 50 ms floor and the
    // mean is 100 ms + the 1 s acceptable pause. phi = 8 is a normal tail of 1e-8, which lies
    // between 5 and 6 sigma (Q(5) = 2.9e-7, Q(6) = 9.9e-10), so the crossing lies in
    // [1.1 s + 5·50 ms, 1.1 s + 6·50 ms].
    long earliest = 1_100 * MS + 5 * 50 * MS;
    long latest = 1_100 * MS + 6 * 50 * MS;
    long delay = d.suspicionDelayNanos();
    assertTrue(delay >= earliest && delay <= latest, "crossing after " + delay / MS + " ms");
    assertFalse(d.suspects(last + delay - MS));
    assertTrue(d.suspects(last + delay));
    // Never falls; strictly rises once it is numerically above 0 (right after the last
    // heartbeat e^g underflows and phi is exactly 0).
    double previous = 0;
    for (long t = last; t <= last + 3 * delay; t += 10 * MS) {
      double phi = d.phi(t);
      assertTrue(phi >= previous, "phi fell from " + previous + " to " + phi);
      assertTrue(previous == 0 || phi > previous, "phi stalled at " + phi);
      previous = phi;
    }
    assertTrue(previous > 8);
  }

  @Test
  void jitteryButRegularArrivals_stayBelowTheThreshold() {
    PhiAccrualDetector d = new PhiAccrualDetector(DEFAULTS);
    SplittableRandom random = new SplittableRandom(42);
    long t = 0;
    double maxPhi = 0;
    for (int i = 0; i < 5_000; i++) {
      // 50 ms nominal with ±40 ms of jitter, and every 200th heartbeat delayed by a 700 ms pause
      // (a GC pause on the sender or the receiver).
      long interval = 50 * MS + random.nextLong(-40 * MS, 40 * MS + 1);
      if (i % 200 == 199) {
        interval += 700 * MS;
      }
      maxPhi = Math.max(maxPhi, d.phi(t + interval)); // just before the arrival: the peak
      t += interval;
      d.heartbeat(t);
    }
    assertTrue(maxPhi < DEFAULTS.threshold(), "max phi " + maxPhi);
  }

  @Test
  void beforeTheFirstHeartbeat_phiIsZero_thenTheFirstIntervalIsAssumed() {
    PhiAccrualDetector d = new PhiAccrualDetector(DEFAULTS);
    assertFalse(d.hasHeard());
    assertEquals(0.0, d.phi(1_000_000 * MS));
    d.heartbeat(5 * MS);
    // One arrival, no interval yet: the configured heartbeat period stands in for the mean, so
    // a peer that said hello once and died is still suspected after the same delay as above.
    assertEquals(HEARTBEAT, d.meanIntervalNanos());
    PhiAccrualDetector steady = new PhiAccrualDetector(DEFAULTS);
    steady(steady, 50);
    assertEquals(steady.suspicionDelayNanos(), d.suspicionDelayNanos());
    assertTrue(d.suspects(5 * MS + d.suspicionDelayNanos()));
  }

  @Test
  void aLongOutage_isRecordedAsTheSuspicionDelay_soTheNextFailureIsStillDetectedQuickly() {
    PhiAccrualDetector d = new PhiAccrualDetector(DEFAULTS);
    long last = steady(d, 100);
    long before = d.suspicionDelayNanos();
    d.heartbeat(last + 60_000 * MS); // a one-minute partition heals
    long after = d.suspicionDelayNanos();
    // One capped sample among 100: the mean grows by about before/100 and sigma to ~130 ms, so
    // detection slows by well under a second (a minute-long sample would make it ~60 s).
    assertTrue(after - before < 1_000 * MS, "delay grew from " + before / MS + " to "
        + after / MS + " ms");
  }

  @Test
  void anArrivalOlderThanTheLatest_onlyCountsAsHeardFrom() {
    PhiAccrualDetector d = new PhiAccrualDetector(DEFAULTS);
    steady(d, 10);
    double mean = d.meanIntervalNanos();
    d.heartbeat(5 * HEARTBEAT);
    assertEquals(mean, d.meanIntervalNanos());
    assertEquals(9 * HEARTBEAT, d.lastArrivalNanos());
  }

  @Test
  void invalidOptions_areRefusedWithTheirName() {
    assertTrue(assertThrows(IllegalArgumentException.class,
        () -> new PhiAccrualDetector.Options(0, 100, MS, 0, MS)).getMessage()
        .contains("threshold"));
    assertTrue(assertThrows(IllegalArgumentException.class,
        () -> new PhiAccrualDetector.Options(8, 100, 0, 0, MS)).getMessage()
        .contains("standard deviation"));
  }
}
