package io.bulwark.cli.local;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Goal: restart delays are 100 ms doubling to 5 s, and start over only after a run long enough
 * (a minute) not to be part of a crash loop.
 */
class BackoffTest {
  @Test
  void crashLoop_doublesFrom100msAndCapsAt5s() {
    Backoff b = new Backoff();
    List<Long> delays = new ArrayList<>();
    for (int i = 0; i < 9; i++) {
      delays.add(b.nextDelayMs(0));
    }
    assertEquals(List.of(100L, 200L, 400L, 800L, 1600L, 3200L, 5000L, 5000L, 5000L), delays);
  }

  @Test
  void crashLoopWithUptimesOfTenToThirteenSeconds_keepsBackingOff() {
    Backoff b = new Backoff();
    List<Long> delays = new ArrayList<>();
    for (long uptimeMs : new long[] {10_000, 13_000, 11_500, 10_200, 12_900, 10_000, 13_000}) {
      delays.add(b.nextDelayMs(uptimeMs));
    }
    assertEquals(List.of(100L, 200L, 400L, 800L, 1600L, 3200L, 5000L), delays);
  }

  @Test
  void exitAfterAStableRun_restartsAfterTheInitialDelay() {
    Backoff b = new Backoff();
    b.nextDelayMs(0);
    b.nextDelayMs(0);
    assertEquals(100, b.nextDelayMs(Backoff.STABLE_MS));
    assertEquals(200, b.nextDelayMs(0));
  }

  @Test
  void exitJustBeforeTheStablePeriod_keepsBackingOff() {
    Backoff b = new Backoff();
    b.nextDelayMs(0);
    b.nextDelayMs(0);
    assertEquals(400, b.nextDelayMs(Backoff.STABLE_MS - 1));
  }

  @Test
  void aDeliberateRevive_resetsTheDelay() {
    Backoff b = new Backoff();
    for (int i = 0; i < 5; i++) {
      b.nextDelayMs(0);
    }
    b.reset();
    assertEquals(Backoff.INITIAL_MS, b.nextDelayMs(0));
  }
}
