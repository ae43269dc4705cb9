package io.bulwark.check;

import static io.bulwark.check.HistoryBuilder.r;
import static io.bulwark.check.HistoryBuilder.w;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bulwark.check.history.History;
import io.bulwark.check.history.OpType;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Goal: the txn checker names each anomaly of Adya's hierarchy that it claims to find, reports the
 * smallest one, honours its unique-writes precondition, and accepts serializable histories,
 * including ones with info and failed txns (DESIGN §9). Method: hand-built histories from the
 * literature (Adya's thesis, Elle's paper); each test asserts the verdict and the anomaly kind the
 * report starts with, and where it matters the txns named.
 */
class TxnCheckerTest {
  private static final Duration LIMIT = Duration.ofSeconds(10);

  private static CheckResult check(HistoryBuilder history) {
    return new TxnChecker().check(history.build(), LIMIT, System::nanoTime);
  }

  private static String assertAnomaly(String kind, HistoryBuilder history) {
    CheckResult result = check(history);
    assertEquals(Verdict.INVALID, result.verdict(), result.anomaly());
    assertTrue(result.anomaly().startsWith(kind + " ("), result.anomaly());
    return result.anomaly();
  }

  private static void assertValid(HistoryBuilder history) {
    CheckResult result = check(history);
    assertEquals(Verdict.VALID, result.verdict(), result.anomaly());
  }

  // --- anomalies ---

  @Test
  void writeCycle_isG0() {
    // Each txn read the other's write to one key and overwrote it, but read the initial
    // version of the other key: x goes T1 then T2, y goes T2 then T1.
    String report =
        assertAnomaly(
            "G0",
            new HistoryBuilder()
                .txn(1, OpType.OK, 0, 10, r("x", null), w("x", "1"), r("y", "2"), w("y", "1"))
                .txn(2, OpType.OK, 0, 10, r("x", "1"), w("x", "2"), r("y", null), w("y", "2")));
    assertTrue(report.contains("T1 -ww-> T2"), report);
    assertTrue(report.contains("T2 -ww-> T1"), report);
  }

  @Test
  void abortedRead_isG1a() {
    String report =
        assertAnomaly(
            "G1a",
            new HistoryBuilder()
                .txn(1, OpType.FAIL, 0, 10, w("x", "1"))
                .txn(2, OpType.OK, 20, 30, r("x", "1")));
    assertTrue(report.contains("T2 reads x = \"1\", written by T1, which failed"), report);
  }

  @Test
  void intermediateRead_isG1b() {
    String report =
        assertAnomaly(
            "G1b",
            new HistoryBuilder()
                .txn(1, OpType.OK, 0, 10, w("x", "1"), w("x", "2"))
                .txn(2, OpType.OK, 5, 15, r("x", "1")));
    assertTrue(report.contains("T2 reads x = \"1\", which T1 wrote and then overwrote"), report);
  }

  @Test
  void circularInformationFlow_isG1c() {
    String report =
        assertAnomaly(
            "G1c",
            new HistoryBuilder()
                .txn(1, OpType.OK, 0, 10, w("x", "1"), r("y", "1"))
                .txn(2, OpType.OK, 0, 10, w("y", "1"), r("x", "1")));
    assertTrue(report.contains("T1 -wr-> T2"), report);
    assertTrue(report.contains("T2 -wr-> T1"), report);
  }

  @Test
  void writeSkew_isG2() {
    // Both read x and y absent, then each wrote one of them: no serial order gives both reads.
    String report =
        assertAnomaly(
            "G2",
            new HistoryBuilder()
                .txn(1, OpType.OK, 0, 10, r("x", null), r("y", null), w("x", "1"))
                .txn(2, OpType.OK, 0, 10, r("x", null), r("y", null), w("y", "1")));
    assertTrue(report.contains("T1 -rw-> T2: T1 read y = null, T2 wrote the next version"), report);
    assertTrue(report.contains("T2 -rw-> T1"), report);
  }

  @Test
  void lostUpdate_isG2() {
    assertAnomaly(
        "G2",
        new HistoryBuilder()
            .txn(1, OpType.OK, 0, 10, w("x", "0"))
            .txn(2, OpType.OK, 20, 30, r("x", "0"), w("x", "1"))
            .txn(3, OpType.OK, 20, 30, r("x", "0"), w("x", "2")));
  }

  @Test
  void readSkew_txnSeenPartlyApplied_isG2Single() {
    // T2 saw T1's write to x but not its write to y.
    String report =
        assertAnomaly(
            "G2",
            new HistoryBuilder()
                .txn(1, OpType.OK, 0, 10, w("x", "1"), w("y", "1"))
                .txn(2, OpType.OK, 0, 10, r("x", "1"), r("y", null)));
    assertTrue(report.contains("G-single"), report);
  }

  @Test
  void readDisagreeingWithOwnWrite_isInternal() {
    String report =
        assertAnomaly(
            "internal", new HistoryBuilder().txn(1, OpType.OK, 0, 10, w("x", "1"), r("x", "2")));
    assertTrue(report.contains("after its own write of x = \"1\""), report);
  }

  @Test
  void repeatedReadChanging_isInternal() {
    assertAnomaly(
        "internal",
        new HistoryBuilder()
            .txn(1, OpType.OK, 0, 10, w("x", "1"))
            .txn(2, OpType.OK, 20, 30, r("x", "1"), r("x", null)));
  }

  @Test
  void readOfValueNeverWritten_isGarbageRead() {
    assertAnomaly("garbage-read", new HistoryBuilder().txn(1, OpType.OK, 0, 10, r("x", "9")));
  }

  @Test
  void infoTxnSeenPartlyApplied_isG2() {
    // T1 never learned its outcome, but T2 read one of its writes, so it committed; then T2
    // must also see its write to y.
    String report =
        assertAnomaly(
            "G2",
            new HistoryBuilder()
                .txn(1, OpType.INFO, 0, 10, w("x", "1"), w("y", "1"))
                .txn(2, OpType.OK, 20, 30, r("x", "1"), r("y", null)));
    assertTrue(report.contains("T1 -wr-> T2"), report);
    assertTrue(report.contains("T2 -rw-> T1"), report);
  }

  @Test
  void severalAnomalies_reportsTheOneWithFewestTxns() {
    // A write-skew pair and, elsewhere, a txn that contradicts itself: one txn beats two.
    String report =
        assertAnomaly(
            "internal",
            new HistoryBuilder()
                .txn(1, OpType.OK, 0, 10, r("x", null), r("y", null), w("x", "1"))
                .txn(2, OpType.OK, 0, 10, r("x", null), r("y", null), w("y", "1"))
                .txn(3, OpType.OK, 20, 30, w("z", "1"), r("z", "2")));
    assertTrue(report.contains("involving 1 txn:"), report);
  }

  @Test
  void longCycleAndShortCycle_reportsTheShortOne() {
    HistoryBuilder history =
        new HistoryBuilder()
            // A G1c cycle of three: T1 -> T2 -> T3 -> T1 by wr edges.
            .txn(1, OpType.OK, 0, 10, r("c", "1"), w("a", "1"))
            .txn(2, OpType.OK, 0, 10, r("a", "1"), w("b", "1"))
            .txn(3, OpType.OK, 0, 10, r("b", "1"), w("c", "1"))
            // A write skew of two.
            .txn(4, OpType.OK, 0, 10, r("x", null), r("y", null), w("x", "1"))
            .txn(5, OpType.OK, 0, 10, r("x", null), r("y", null), w("y", "1"));
    String report = assertAnomaly("G2", history);
    assertTrue(report.contains("involving 2 txns:"), report);
  }

  // --- valid ---

  @Test
  void emptyHistory_isValid() {
    assertValid(new HistoryBuilder());
  }

  @Test
  void serialTxns_isValid() {
    assertValid(
        new HistoryBuilder()
            .txn(1, OpType.OK, 0, 10, r("x", null), w("x", "1"), w("y", "1"))
            .txn(2, OpType.OK, 20, 30, r("x", "1"), r("y", "1"), w("x", "2"))
            .txn(1, OpType.OK, 40, 50, r("x", "2"), r("y", "1")));
  }

  @Test
  void concurrentReadersSeeEitherSideOfAWriter_isValid() {
    assertValid(
        new HistoryBuilder()
            .txn(1, OpType.OK, 0, 10, w("x", "1"), w("y", "1"))
            .txn(2, OpType.OK, 20, 60, w("x", "2"), w("y", "2"))
            .txn(3, OpType.OK, 30, 40, r("x", "1"), r("y", "1"))
            .txn(4, OpType.OK, 30, 40, r("x", "2"), r("y", "2")));
  }

  @Test
  void infoTxnSeen_isValid() {
    assertValid(
        new HistoryBuilder()
            .txn(1, OpType.INFO, 0, 10, w("x", "1"), w("y", "1"))
            .txn(2, OpType.OK, 20, 30, r("x", "1"), r("y", "1")));
  }

  @Test
  void infoTxnNotSeen_isValid() {
    assertValid(
        new HistoryBuilder()
            .txn(1, OpType.INFO, 0, HistoryBuilder.NEVER_COMPLETES, w("x", "1"), w("y", "1"))
            .txn(2, OpType.OK, 20, 30, r("x", null), r("y", null)));
  }

  @Test
  void failedTxnNotSeen_isValid() {
    assertValid(
        new HistoryBuilder()
            .txn(1, OpType.FAIL, 0, 10, w("x", "1"))
            .txn(2, OpType.OK, 20, 30, r("x", null), w("x", "2"))
            .txn(3, OpType.OK, 40, 50, r("x", "2")));
  }

  @Test
  void staleReadThatSomeSerialOrderExplains_isValid() {
    // Real time is not used: T3 may serialize before T2 although it started after T2 ended.
    assertValid(
        new HistoryBuilder()
            .txn(1, OpType.OK, 0, 10, w("x", "1"))
            .txn(2, OpType.OK, 20, 30, r("x", "1"), w("x", "2"))
            .txn(3, OpType.OK, 40, 50, r("x", "1")));
  }

  // --- precondition and misuse ---

  @Test
  void duplicateWrittenValues_isUnknownNamingTheKey() {
    CheckResult result =
        check(
            new HistoryBuilder()
                .txn(1, OpType.OK, 0, 10, w("x", "1"))
                .txn(2, OpType.OK, 20, 30, w("x", "1"))
                .txn(3, OpType.OK, 40, 50, r("x", "1")));
    assertEquals(Verdict.UNKNOWN, result.verdict(), result.anomaly());
    assertTrue(
        result.anomaly().contains("x (\"1\" is written by both T1 and T2)"), result.anomaly());
  }

  @Test
  void deleteInTxn_isUnknownNamingTheKey() {
    CheckResult result =
        check(new HistoryBuilder().txn(1, OpType.OK, 0, 10, w("x", "1"), w("x", null)));
    assertEquals(Verdict.UNKNOWN, result.verdict(), result.anomaly());
    assertTrue(result.anomaly().contains("x (T1 deletes it"), result.anomaly());
  }

  @Test
  void duplicateOnOneKey_anomalyOnAnother_isStillInvalid() {
    CheckResult result =
        check(
            new HistoryBuilder()
                .txn(1, OpType.OK, 0, 10, w("x", "1"))
                .txn(2, OpType.OK, 20, 30, w("x", "1"))
                .txn(3, OpType.FAIL, 0, 10, w("y", "1"))
                .txn(4, OpType.OK, 20, 30, r("y", "1")));
    assertEquals(Verdict.INVALID, result.verdict(), result.anomaly());
    assertTrue(result.anomaly().startsWith("G1a"), result.anomaly());
    assertTrue(result.anomaly().contains("left unchecked"), result.anomaly());
  }

  @Test
  void registerOpInHistory_isRejected() {
    History history = new HistoryBuilder().write(1, "x", "1", 0, 10).build();
    assertThrows(
        IllegalArgumentException.class,
        () -> new TxnChecker().check(history, LIMIT, System::nanoTime));
  }
}
