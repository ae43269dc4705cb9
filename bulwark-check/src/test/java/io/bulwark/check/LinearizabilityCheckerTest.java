package io.bulwark.check;

import static io.bulwark.check.HistoryBuilder.NEVER_COMPLETES;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bulwark.check.history.History;
import io.bulwark.check.history.OpFunction;
import io.bulwark.check.history.OpType;
import io.bulwark.check.history.OpValue;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Goal: the register checker rejects the classic non-linearizable histories, naming the key and the
 * operations involved, and accepts concurrent histories that some order explains (DESIGN §9).
 * Method: hand-built histories, times in nanoseconds, one assertion of the verdict each, plus
 * checks of the report where the report is the point.
 */
class LinearizabilityCheckerTest {
  private static final Duration LIMIT = Duration.ofSeconds(10);

  private static CheckResult check(HistoryBuilder history) {
    return new LinearizabilityChecker().check(history.build(), LIMIT, System::nanoTime);
  }

  private static void assertValid(HistoryBuilder history) {
    CheckResult result = check(history);
    assertEquals(Verdict.VALID, result.verdict(), result.anomaly());
  }

  private static CheckResult assertInvalid(HistoryBuilder history) {
    CheckResult result = check(history);
    assertEquals(Verdict.INVALID, result.verdict(), result.anomaly());
    return result;
  }

  // --- invalid ---

  @Test
  void staleRead_isInvalid() {
    CheckResult result =
        assertInvalid(
            new HistoryBuilder()
                .write(1, "x", "1", 0, 10)
                .write(1, "x", "2", 20, 30)
                .read(2, "x", "1", 40, 50));
    String report = result.anomaly();
    assertTrue(report.startsWith("key x is not linearizable"), report);
    assertTrue(report.contains("read x -> \"1\" ok, process 2, [40, 50]"), report);
    assertTrue(report.contains("write x \"2\" ok, process 1, [20, 30]"), report);
  }

  @Test
  void readOfValueNeverWritten_isInvalid() {
    assertInvalid(new HistoryBuilder().write(1, "x", "1", 0, 10).read(2, "x", "7", 5, 15));
  }

  @Test
  void readAbsentAfterCompletedWrite_isInvalid() {
    assertInvalid(new HistoryBuilder().write(1, "x", "1", 0, 10).read(2, "x", null, 20, 30));
  }

  @Test
  void lostUpdate_twoCasBothOkFromSameExpected_isInvalid() {
    CheckResult result =
        assertInvalid(
            new HistoryBuilder()
                .write(1, "x", "0", 0, 5)
                .cas(2, "x", "0", "1", 10, 20)
                .cas(3, "x", "0", "2", 11, 21));
    assertTrue(result.anomaly().contains("cas x [\"0\",\"2\"] ok, process 3"), result.anomaly());
    assertTrue(result.anomaly().contains("cas x [\"0\",\"1\"] ok, process 2"), result.anomaly());
  }

  @Test
  void nonMonotonicReads_isInvalid() {
    // The second write is still running, but once a read has seen it, a later read cannot go
    // back to the old value.
    CheckResult result =
        assertInvalid(
            new HistoryBuilder()
                .write(1, "x", "1", 0, 5)
                .write(2, "x", "2", 10, 100)
                .read(3, "x", "2", 20, 30)
                .read(3, "x", "1", 40, 50));
    String report = result.anomaly();
    assertTrue(report.contains("read x -> \"1\" ok, process 3, [40, 50]"), report);
    assertTrue(report.contains("read x -> \"2\" ok, process 3, [20, 30]"), report);
    assertTrue(report.contains("(had not returned yet)"), report);
  }

  @Test
  void infoWriteSeenThenUnseen_isInvalid() {
    assertInvalid(
        new HistoryBuilder()
            .write(1, "x", "1", 0, 5)
            .write(2, "x", "2", OpType.INFO, 10, 15)
            .read(3, "x", "2", 20, 30)
            .read(3, "x", "1", 40, 50));
  }

  @Test
  void failedWriteSeen_isInvalid() {
    assertInvalid(
        new HistoryBuilder().write(1, "x", "1", OpType.FAIL, 0, 10).read(2, "x", "1", 20, 30));
  }

  @Test
  void casOkAgainstWrongValue_isInvalid() {
    assertInvalid(new HistoryBuilder().write(1, "x", "1", 0, 10).cas(2, "x", "2", "3", 20, 30));
  }

  @Test
  void readBeforeWriteWasInvoked_isInvalid() {
    assertInvalid(new HistoryBuilder().read(1, "x", "1", 0, 10).write(2, "x", "1", 20, 30));
  }

  @Test
  void oneBadKeyAmongGoodOnes_namesThatKey() {
    CheckResult result =
        assertInvalid(
            new HistoryBuilder()
                .write(1, "a", "1", 0, 10)
                .read(2, "a", "1", 20, 30)
                .write(1, "b", "1", 40, 50)
                .read(2, "b", null, 60, 70));
    assertTrue(result.anomaly().startsWith("key b "), result.anomaly());
  }

  @Test
  void staleReadAfterManyGoodReads_reportShowsOnlyTheFewOpsInvolved() {
    HistoryBuilder history = new HistoryBuilder().write(1, "x", "1", 0, 10);
    long t = 20;
    for (int i = 0; i < 40; i++) {
      history.read(2, "x", "1", t, t + 5);
      t += 10;
    }
    history.write(1, "x", "2", t, t + 5).read(3, "x", "1", t + 10, t + 15);
    String report = assertInvalid(history).anomaly();
    long listed = report.lines().filter(line -> line.startsWith("  ")).count();
    assertEquals(3, listed, report); // the stale read, the write it missed, the write it saw
    assertTrue(report.contains("40 other operations invoked by then not shown"), report);
  }

  // --- valid ---

  @Test
  void emptyHistory_isValid() {
    assertValid(new HistoryBuilder());
  }

  @Test
  void readOfAbsentKey_isValid() {
    assertValid(new HistoryBuilder().read(1, "x", null, 0, 10));
  }

  @Test
  void readOverlappingWrite_seesOldValue_isValid() {
    assertValid(
        new HistoryBuilder()
            .write(1, "x", "1", 0, 10)
            .write(1, "x", "2", 20, 40)
            .read(2, "x", "1", 25, 35));
  }

  @Test
  void readOverlappingWrite_seesNewValue_isValid() {
    assertValid(
        new HistoryBuilder()
            .write(1, "x", "1", 0, 10)
            .write(1, "x", "2", 20, 40)
            .read(2, "x", "2", 25, 35));
  }

  @Test
  void concurrentReadsSeeValuesInEitherOrderOfConcurrentWrites_isValid() {
    assertValid(
        new HistoryBuilder()
            .write(1, "x", "1", 0, 50)
            .write(2, "x", "2", 0, 50)
            .read(3, "x", "2", 10, 20)
            .read(3, "x", "1", 30, 40));
  }

  @Test
  void infoWriteSeen_isValid() {
    assertValid(
        new HistoryBuilder().write(1, "x", "1", OpType.INFO, 0, 10).read(2, "x", "1", 100, 110));
  }

  @Test
  void infoWriteNeverSeen_isValid() {
    assertValid(
        new HistoryBuilder()
            .write(1, "x", "0", 0, 5)
            .write(2, "x", "1", OpType.INFO, 10, 20)
            .read(3, "x", "0", 100, 110));
  }

  @Test
  void infoWriteTakingEffectLongAfterItsInfo_isValid() {
    // The reply was lost; the write itself applied later (an info op never returns).
    assertValid(
        new HistoryBuilder()
            .write(1, "x", "0", 0, 5)
            .write(2, "x", "1", OpType.INFO, 10, 20)
            .read(3, "x", "0", 30, 40)
            .read(3, "x", "1", 50, 60));
  }

  @Test
  void twoIdenticalInfoWrites_bothTakingEffect_isValid() {
    // The reads see a, then b, then a again: both info writes of a must have taken effect.
    assertValid(
        new HistoryBuilder()
            .write(1, "x", "a", OpType.INFO, 0, 1)
            .write(2, "x", "a", OpType.INFO, 1, 2)
            .read(3, "x", "a", 5, 8)
            .write(3, "x", "b", 10, 20)
            .read(3, "x", "b", 21, 22)
            .read(3, "x", "a", 23, 25));
  }

  @Test
  void invokeWithoutCompletion_isTreatedAsInfo_isValid() {
    assertValid(
        new HistoryBuilder()
            .write(1, "x", "1", OpType.OK, 0, NEVER_COMPLETES)
            .read(2, "x", "1", 100, 110));
  }

  @Test
  void casChain_isValid() {
    assertValid(
        new HistoryBuilder()
            .write(1, "x", "0", 0, 10)
            .cas(2, "x", "0", "1", 20, 30)
            .cas(3, "x", "1", "2", 25, 45)
            .cas(2, "x", "2", "3", 50, 60)
            .read(1, "x", "3", 70, 80));
  }

  @Test
  void concurrentCas_oneOkOneFailed_isValid() {
    assertValid(
        new HistoryBuilder()
            .write(1, "x", "0", 0, 10)
            .cas(2, "x", "0", "1", 20, 30)
            .cas(3, "x", "0", "2", OpType.FAIL, 20, 30)
            .read(1, "x", "1", 40, 50));
  }

  @Test
  void infoCas_seenOrNot_isValid() {
    assertValid(
        new HistoryBuilder()
            .write(1, "x", "0", 0, 10)
            .cas(2, "x", "0", "1", OpType.INFO, 20, 30)
            .read(3, "x", "0", 40, 50)
            .read(3, "x", "1", 60, 70));
  }

  @Test
  void deleteAsWriteOfNull_isValid() {
    assertValid(
        new HistoryBuilder()
            .write(1, "x", "1", 0, 10)
            .write(1, "x", null, 20, 30)
            .read(2, "x", null, 40, 50)
            .cas(2, "x", null, "2", 60, 70)
            .read(1, "x", "2", 80, 90));
  }

  @Test
  void infoReadWithAnyValue_isIgnored() {
    assertValid(
        new HistoryBuilder()
            .write(1, "x", "1", 0, 10)
            .op(
                1,
                OpFunction.READ,
                "x",
                new OpValue.Scalar(null),
                new OpValue.Scalar("nonsense"),
                OpType.INFO,
                20,
                30));
  }

  @Test
  void equalTimes_countAsConcurrent_isValid() {
    // The read was invoked at the very nanosecond the write returned: clocks are not that
    // precise, so the read may have been linearized first.
    assertValid(new HistoryBuilder().write(1, "x", "1", 0, 10).read(2, "x", null, 10, 20));
  }

  // --- limits and misuse ---

  @Test
  void pathologicalHistory_withTinyLimit_isUnknown() {
    CheckResult result =
        new LinearizabilityChecker()
            .check(
                pathological(new HistoryBuilder(), 28).build(),
                Duration.ofMillis(50),
                System::nanoTime);
    assertEquals(Verdict.UNKNOWN, result.verdict(), result.anomaly());
    assertTrue(
        result.anomaly().startsWith("time limit PT0.05S reached on key x"), result.anomaly());
    assertTrue(result.elapsed().compareTo(Duration.ofSeconds(5)) < 0, "gave up promptly");
  }

  @Test
  void pathologicalHistory_withTinyMemo_isUnknown() {
    CheckResult result =
        new LinearizabilityChecker(1_000)
            .check(pathological(new HistoryBuilder(), 28).build(), LIMIT, System::nanoTime);
    assertEquals(Verdict.UNKNOWN, result.verdict(), result.anomaly());
    assertTrue(result.anomaly().startsWith("memo limit of 1000"), result.anomaly());
  }

  @Test
  void undecidedKey_doesNotHideAnInvalidOne() {
    // Keys are checked smallest first, so the undecided x comes before the larger invalid y.
    HistoryBuilder history = pathological(new HistoryBuilder(), 28);
    history.write(100, "y", "1", 0, 10);
    for (int i = 0; i < 40; i++) {
      history.read(101, "y", "1", 20 + 10 * i, 25 + 10 * i);
    }
    history.read(101, "y", null, 1000, 1010);
    CheckResult result =
        new LinearizabilityChecker(1_000).check(history.build(), LIMIT, System::nanoTime);
    assertEquals(Verdict.INVALID, result.verdict(), result.anomaly());
    assertTrue(result.anomaly().startsWith("key y "), result.anomaly());
  }

  @Test
  void txnInHistory_isRejected() {
    History history =
        new HistoryBuilder().txn(1, OpType.OK, 0, 10, HistoryBuilder.w("x", "1")).build();
    assertThrows(
        IllegalArgumentException.class,
        () -> new LinearizabilityChecker().check(history, LIMIT, System::nanoTime));
  }

  /**
   * {@code n} concurrent writes of distinct values, then reads that need the value of write 0 and
   * later of write 1 with nothing between them: no order works, and proving it means trying every
   * subset of the writes (about 2^n configurations).
   */
  static HistoryBuilder pathological(HistoryBuilder history, int n) {
    for (int i = 0; i < n; i++) {
      history.write(i, "x", "v" + i, 0, 100);
    }
    return history.read(n, "x", "v0", 200, 210).read(n, "x", "v1", 220, 230);
  }
}
