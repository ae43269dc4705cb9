package io.bulwark.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * Goal: node clocks drift only as much as the design assumes (ρ = 1%) and never go back while
 * a process lives. Method: move global time by hand and read the clock.
 */
class SimClockTest {
  private final SimScheduler scheduler = new SimScheduler(10);

  private void advance(long nanos) {
    scheduler.runUntil(scheduler.nowNanos() + nanos, () -> false);
  }

  @Test
  void clockRunsAtItsRate_fromAnArbitraryOrigin() {
    SimClock fast = new SimClock(scheduler, -7_000_000_000L, SimClock.DRIFT_PPM_MAX);
    SimClock slow = new SimClock(scheduler, 5L, -SimClock.DRIFT_PPM_MAX);
    advance(SimTime.SECOND);
    assertEquals(-7_000_000_000L + 1_010_000_000L, fast.nowNanos());
    assertEquals(5L + 990_000_000L, slow.nowNanos());
  }

  @Test
  void rateChangesKeepTheReadingContinuousAndMonotonic() {
    SimClock c = new SimClock(scheduler, 0, 0);
    long before = 0;
    long[] rates = {10_000, -10_000, 3_000, 0, -1};
    for (long rate : rates) {
      advance(123_456_789);
      long now = c.nowNanos();
      assertTrue(now > before);
      c.setRate(rate);
      assertEquals(now, c.nowNanos(), "no jump at a rate change");
      before = now;
    }
  }

  @Test
  void driftBeyondTheDesignsBound_isRefused() {
    SimClock c = new SimClock(scheduler, 0, 0);
    assertThrows(IllegalArgumentException.class, () -> c.setRate(SimClock.DRIFT_PPM_MAX + 1));
  }

  @Test
  void globalDelayFor_isTheInverseOfTheRate() {
    SimClock c = new SimClock(scheduler, 0, SimClock.DRIFT_PPM_MAX);
    long global = c.globalDelayFor(1_010_000_000L);
    assertEquals(SimTime.SECOND, global);
  }
}
