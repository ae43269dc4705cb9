package io.bulwark.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bulwark.check.history.History;
import io.bulwark.check.history.MicroOp;
import io.bulwark.check.history.Op;
import io.bulwark.check.history.OpType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Goal: the txn checker never reports an anomaly in a serializable history (every anomaly it names
 * is real), and it does catch most of the non-serializable ones. It cannot catch all: like Elle's
 * rw-register it infers only part of the version order, so some non-serializable histories of blind
 * writes look valid to it. Method: a thousand seeded histories of two to five txns over two keys,
 * run serially against a true store with unique written values, some txns failed or info, half then
 * corrupted in one read; each is compared with {@link BruteForceSerializability}. A failure prints
 * the seed and the history.
 */
class TxnCheckerRandomTest {
  private static final int SEEDS = 1_000;

  @Test
  void randomSmallHistories_anomaliesAreRealAndMostlyCaught() {
    int notSerializable = 0;
    int caught = 0;
    for (long seed = 1; seed <= SEEDS; seed++) {
      HistoryBuilder builder = generate(new SplittableRandom(seed));
      History history = builder.build();
      boolean serializable = new BruteForceSerializability(history.operations()).isSerializable();
      CheckResult result =
          new TxnChecker().check(history, Duration.ofSeconds(10), System::nanoTime);
      String context =
          "seed "
              + seed
              + "\n"
              + builder.events().stream().map(Op::toString).collect(Collectors.joining("\n"))
              + "\n"
              + result.anomaly();
      if (serializable) {
        assertEquals(Verdict.VALID, result.verdict(), context);
      } else {
        notSerializable++;
        caught += result.verdict() == Verdict.INVALID ? 1 : 0;
      }
    }
    assertTrue(notSerializable > SEEDS / 10, "non-serializable histories: " + notSerializable);
    assertTrue(caught >= notSerializable * 9 / 10, caught + " of " + notSerializable + " caught");
  }

  private static HistoryBuilder generate(SplittableRandom random) {
    int count = 2 + random.nextInt(4);
    Map<String, String> store = new HashMap<>();
    List<List<MicroOp>> txns = new ArrayList<>();
    List<OpType> outcomes = new ArrayList<>();
    for (int t = 0; t < count; t++) {
      OpType outcome =
          random.nextInt(6) == 0 ? OpType.FAIL : random.nextInt(6) == 0 ? OpType.INFO : OpType.OK;
      // A failed txn, and an info one half the time, never reached the store.
      boolean applied = outcome == OpType.OK || (outcome == OpType.INFO && random.nextBoolean());
      Map<String, String> view = applied ? store : new HashMap<>(store);
      List<MicroOp> microOps = new ArrayList<>();
      for (int step = 1 + random.nextInt(3); step > 0; step--) {
        String key = random.nextBoolean() ? "x" : "y";
        if (random.nextBoolean()) {
          microOps.add(MicroOp.read(key, view.get(key)));
        } else {
          String value = "t" + t + "." + step;
          view.put(key, value);
          microOps.add(MicroOp.write(key, value));
        }
      }
      txns.add(microOps);
      outcomes.add(outcome);
    }
    if (random.nextBoolean()) {
      corruptOneRead(txns, outcomes, random);
    }
    HistoryBuilder history = new HistoryBuilder();
    for (int t = 0; t < count; t++) {
      history.txn(t, outcomes.get(t), 10L * t, 10L * t + 5, txns.get(t).toArray(MicroOp[]::new));
    }
    return history;
  }

  /** Makes one read of an ok txn return another value written to its key, or null. */
  private static void corruptOneRead(
      List<List<MicroOp>> txns, List<OpType> outcomes, SplittableRandom random) {
    List<int[]> reads = new ArrayList<>();
    List<MicroOp> writes = new ArrayList<>();
    for (int t = 0; t < txns.size(); t++) {
      for (int i = 0; i < txns.get(t).size(); i++) {
        MicroOp microOp = txns.get(t).get(i);
        if (microOp.isRead() && outcomes.get(t) == OpType.OK) {
          reads.add(new int[] {t, i});
        } else if (microOp.isWrite()) {
          writes.add(microOp);
        }
      }
    }
    if (reads.isEmpty()) {
      return;
    }
    int[] at = reads.get(random.nextInt(reads.size()));
    MicroOp read = txns.get(at[0]).get(at[1]);
    List<String> others = new ArrayList<>();
    others.add(null);
    writes.stream().filter(w -> w.key().equals(read.key())).forEach(w -> others.add(w.value()));
    txns.get(at[0]).set(at[1], MicroOp.read(read.key(), others.get(random.nextInt(others.size()))));
  }
}
