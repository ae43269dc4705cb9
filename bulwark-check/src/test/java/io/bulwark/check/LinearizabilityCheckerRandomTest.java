package io.bulwark.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bulwark.check.history.History;
import io.bulwark.check.history.Op;
import io.bulwark.check.history.OpFunction;
import io.bulwark.check.history.OpType;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Goal: the register checker agrees with {@link BruteForceLinearizability}, the definition run
 * literally, on every small history. Method: a thousand seeded histories of three to eight
 * operations over one or two keys from {@link RegisterWorkload} (half with unique values, which
 * exercise how info writes get settled; one op in three ending in info), half then corrupted in one
 * result (a read's value, or whether a cas succeeded). Short intervals on a coarse clock make
 * overlaps and equal times common. A failure prints the seed and the history.
 */
class LinearizabilityCheckerRandomTest {
  private static final int SEEDS = 1_000;

  @Test
  void randomSmallHistories_agreeWithBruteForce() {
    int invalid = 0;
    for (long seed = 1; seed <= SEEDS; seed++) {
      HistoryBuilder builder = generate(new SplittableRandom(seed));
      History history = builder.build();
      boolean expected = new BruteForceLinearizability(history.operations()).isLinearizable();
      CheckResult result =
          new LinearizabilityChecker().check(history, Duration.ofSeconds(10), System::nanoTime);
      String context =
          "seed "
              + seed
              + "\n"
              + builder.events().stream().map(Op::toString).collect(Collectors.joining("\n"))
              + "\n"
              + result.anomaly();
      assertEquals(expected ? Verdict.VALID : Verdict.INVALID, result.verdict(), context);
      invalid += expected ? 0 : 1;
    }
    // Both verdicts must be common, or the comparison proves little.
    assertTrue(invalid > SEEDS / 5 && invalid < SEEDS * 4 / 5, "invalid histories: " + invalid);
  }

  private static HistoryBuilder generate(SplittableRandom random) {
    int keys = 1 + random.nextInt(2);
    int clients = 2 + random.nextInt(3);
    List<RegisterWorkload.Planned> ops =
        new RegisterWorkload(random, keys, clients, 7, random.nextBoolean(), 3)
            .run(3 + random.nextInt(6));
    List<RegisterWorkload.Planned> observers =
        ops.stream()
            .filter(op -> op.f != OpFunction.WRITE && op.outcome != OpType.INFO)
            .collect(Collectors.toList());
    if (random.nextBoolean() && !observers.isEmpty()) {
      corrupt(observers.get(random.nextInt(observers.size())), random);
    }
    return RegisterWorkload.toHistory(ops);
  }

  /** Changes what a read returned, or whether a cas succeeded. */
  private static void corrupt(RegisterWorkload.Planned op, SplittableRandom random) {
    if (op.f == OpFunction.READ) {
      String old = op.result;
      while (Objects.equals(op.result, old)) {
        op.result = RegisterWorkload.VALUES[random.nextInt(RegisterWorkload.VALUES.length)];
      }
    } else {
      op.outcome = op.outcome == OpType.OK ? OpType.FAIL : OpType.OK;
    }
  }
}
