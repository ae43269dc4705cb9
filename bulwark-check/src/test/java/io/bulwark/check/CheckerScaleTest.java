package io.bulwark.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bulwark.check.history.MicroOp;
import io.bulwark.check.history.OpFunction;
import io.bulwark.check.history.OpType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Goal: both checkers decide histories of the size a simulator run or a short integration test
 * records well within a typical limit, and keep the report short when one operation is wrong.
 * Method: seeded simulated workloads of a few thousand operations with eight concurrent clients and
 * one info in six; each test asserts the verdict and a generous time bound (these are not
 * benchmarks).
 */
class CheckerScaleTest {
  private static final Duration LIMIT = Duration.ofSeconds(20);
  private static final Duration EXPECTED_MAX = Duration.ofSeconds(10);

  private static void assertQuick(CheckResult result) {
    assertTrue(result.elapsed().compareTo(EXPECTED_MAX) < 0, "took " + result.elapsed());
  }

  @Test
  void longRegisterHistory_tinyValueDomain_isValid() {
    HistoryBuilder history =
        RegisterWorkload.toHistory(
            new RegisterWorkload(new SplittableRandom(7), 5, 8, 20, false, 6).run(4_000));
    CheckResult result =
        new LinearizabilityChecker().check(history.build(), LIMIT, System::nanoTime);
    assertEquals(Verdict.VALID, result.verdict(), result.anomaly());
    assertQuick(result);
  }

  @Test
  void longRegisterHistory_garbageRead_isInvalid() {
    List<RegisterWorkload.Planned> ops =
        new RegisterWorkload(new SplittableRandom(8), 5, 8, 20, false, 6).run(4_000);
    RegisterWorkload.Planned read = okReads(ops).get(1_000);
    read.result = "never written";
    CheckResult result =
        new LinearizabilityChecker()
            .check(RegisterWorkload.toHistory(ops).build(), LIMIT, System::nanoTime);
    assertEquals(Verdict.INVALID, result.verdict(), result.anomaly());
    assertTrue(result.anomaly().contains("-> \"never written\""), result.anomaly());
    assertQuick(result);
  }

  @Test
  void longRegisterHistory_uniqueValues_staleRead_isInvalidWithShortReport() {
    List<RegisterWorkload.Planned> ops =
        new RegisterWorkload(new SplittableRandom(9), 5, 8, 20, true, 6).run(4_000);
    makeOneReadStale(ops);
    CheckResult result =
        new LinearizabilityChecker()
            .check(RegisterWorkload.toHistory(ops).build(), LIMIT, System::nanoTime);
    assertEquals(Verdict.INVALID, result.verdict(), result.anomaly());
    long listed = result.anomaly().lines().filter(line -> line.startsWith("  ")).count();
    assertTrue(listed <= 10, result.anomaly());
    assertQuick(result);
  }

  @Test
  void manySerializableTxns_areValid() {
    CheckResult result =
        new TxnChecker().check(serialTxns(new SplittableRandom(10), 3_000).build(), LIMIT,
            System::nanoTime);
    assertEquals(Verdict.VALID, result.verdict(), result.anomaly());
    assertQuick(result);
  }

  private static List<RegisterWorkload.Planned> okReads(List<RegisterWorkload.Planned> ops) {
    return ops.stream().filter(op -> op.f == OpFunction.READ && op.outcome == OpType.OK).toList();
  }

  /**
   * Makes a read from the second half of the history return the value of an ok write w1 that an ok
   * write w2 overwrote: w1 returned before w2 began and w2 returned before the read began, so no
   * linearization allows it.
   */
  private static void makeOneReadStale(List<RegisterWorkload.Planned> ops) {
    List<RegisterWorkload.Planned> writes =
        ops.stream().filter(op -> op.f == OpFunction.WRITE && op.outcome == OpType.OK).toList();
    List<RegisterWorkload.Planned> reads = okReads(ops);
    for (RegisterWorkload.Planned read : reads.subList(reads.size() / 2, reads.size())) {
      for (RegisterWorkload.Planned w2 : writes) {
        if (!w2.key.equals(read.key) || w2.end >= read.start) {
          continue;
        }
        for (RegisterWorkload.Planned w1 : writes) {
          if (w1.key.equals(read.key) && w1.end < w2.start) {
            read.result = w1.arg;
            return;
          }
        }
      }
    }
    throw new AssertionError("the workload has no read to make stale");
  }

  /**
   * Txns over ten keys, run one at a time against a true store (so serializable), each written
   * value unique; their intervals overlap at random, which the txn model ignores anyway.
   */
  private static HistoryBuilder serialTxns(SplittableRandom random, int count) {
    HistoryBuilder history = new HistoryBuilder();
    Map<String, String> store = new HashMap<>();
    long time = 0;
    for (int i = 0; i < count; i++) {
      List<MicroOp> microOps = new ArrayList<>();
      for (int step = random.nextInt(1, 5); step > 0; step--) {
        String key = "k" + random.nextInt(10);
        if (random.nextBoolean()) {
          microOps.add(MicroOp.read(key, store.get(key)));
        } else {
          String value = "v" + i + "." + step;
          store.put(key, value);
          microOps.add(MicroOp.write(key, value));
        }
      }
      time += random.nextInt(5);
      history.txn(i, OpType.OK, time, time + random.nextInt(50), microOps.toArray(MicroOp[]::new));
    }
    return history;
  }
}
