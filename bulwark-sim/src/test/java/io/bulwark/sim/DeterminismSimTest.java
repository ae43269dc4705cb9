package io.bulwark.sim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * Goal: one seed, one run (STYLE P6) — a failing seed replays bit for bit. Method: run seeds
 * twice, once while other seeds run on other threads, and compare the history bytes, the
 * trace counts, the simulated time and the event count.
 */
class DeterminismSimTest {

  @Test
  void sameSeedTwice_givesTheSameHistoryBytes() {
    for (long seed : new long[] {7, 92, 1398}) {
      SimResult first = SimRun.run(seed, SimRun.STEPS_DEFAULT, Variant.CORRECT, null);
      CompletableFuture<SimResult> noise = CompletableFuture.supplyAsync(
          () -> SimRun.run(seed + 1, SimRun.STEPS_DEFAULT, Variant.CORRECT, null));
      SimResult second = SimRun.run(seed, SimRun.STEPS_DEFAULT, Variant.CORRECT, null);
      noise.join();
      assertTrue(first.history().length > 1_000, "a real history");
      assertArrayEquals(first.history(), second.history(), "seed " + seed);
      assertEquals(first.counts(), second.counts(), "seed " + seed);
      assertEquals(first.simNanos(), second.simNanos());
      assertEquals(first.events(), second.events());
      assertEquals(first.failure(), second.failure());
    }
  }

  @Test
  void sameTxnSeedTwice_givesTheSameHistoryBytes() {
    long seed = 5;
    SimResult first = SimRun.run(seed, 40, Variant.CORRECT, SimWorkload.TXN, null);
    SimResult second = SimRun.run(seed, 40, Variant.CORRECT, SimWorkload.TXN, null);
    assertTrue(first.history().length > 1_000, "a real history");
    assertArrayEquals(first.history(), second.history());
    assertEquals(first.counts(), second.counts());
    assertEquals(first.events(), second.events());
  }

  @Test
  void differentSeeds_giveDifferentRuns() {
    List<SimResult> runs = SimBatch.run(11, 2, SimRun.STEPS_DEFAULT, Variant.CORRECT, 2);
    assertFalse(Arrays.equals(runs.get(0).history(), runs.get(1).history()));
    assertFalse(runs.get(0).knobs().equals(runs.get(1).knobs()));
  }
}
