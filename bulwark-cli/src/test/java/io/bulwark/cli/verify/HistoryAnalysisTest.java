package io.bulwark.cli.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bulwark.check.history.History;
import io.bulwark.check.history.Op;
import io.bulwark.check.history.OpFunction;
import io.bulwark.check.history.OpType;
import io.bulwark.check.history.OpValue;
import io.bulwark.check.history.Operation;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Goal: the verdict's figures beyond the checker — lost acknowledged writes named, stale reads
 * told apart from losses, unavailability per fault kind — computed right on hand-made histories,
 * including known-bad ones.
 *
 * <p>Method: build DESIGN §9 events with explicit times, pair them with {@link History}, and run
 * {@link HistoryAnalysis#analyse}.
 */
class HistoryAnalysisTest {
  private final List<Op> events = new ArrayList<>();

  private void op(long process, OpFunction f, String key, OpValue value, OpType outcome,
      OpValue result, long from, long to) {
    Op invoke = new Op(process, OpType.INVOKE, f, key, value, from);
    events.add(invoke);
    events.add(invoke.complete(outcome, result == null ? value : result, to));
  }

  private void write(long p, String key, String v, OpType outcome, long from, long to) {
    op(p, OpFunction.WRITE, key, new OpValue.Scalar(v), outcome, null, from, to);
  }

  private void read(long p, String key, String v, long from, long to) {
    op(p, OpFunction.READ, key, new OpValue.Scalar(null), OpType.OK, new OpValue.Scalar(v), from,
        to);
  }

  private HistoryAnalysis.Result analyse(List<FaultTimeline.Window> windows, long end)
      throws Exception {
    events.sort((a, b) -> Long.compare(a.timeNanos(), b.timeNanos()));
    List<Operation> ops = History.of(events).operations();
    return HistoryAnalysis.analyse(ops, windows, end);
  }

  @Test
  void acknowledgedWriteNeverSeenAgain_isLost_withKeyAndValueNamed() throws Exception {
    write(1, "k", "a", OpType.OK, 0, 10);
    write(2, "k", "b", OpType.OK, 20, 30);
    read(3, "k", "a", 40, 50); // after b was acknowledged: a state from before b
    read(3, "k", "a", 60, 70);
    HistoryAnalysis.Result r = analyse(List.of(), 100);
    assertEquals(1, r.lostWrites().size(), r.toString());
    HistoryAnalysis.LostWrite w = r.lostWrites().get(0);
    assertEquals("k", w.key());
    assertEquals("b", w.value());
    assertEquals("a", w.readValue());
    assertTrue(w.describe(0).startsWith("k=b acknowledged at +0.000s"), w.describe(0));
    assertEquals(0, r.staleReads());
  }

  @Test
  void writeUnseenThenSeenAgain_isStaleRead_notLost() throws Exception {
    write(1, "k", "a", OpType.OK, 0, 10);
    write(2, "k", "b", OpType.OK, 20, 30);
    read(3, "k", "a", 40, 50);
    read(3, "k", "b", 60, 70);
    HistoryAnalysis.Result r = analyse(List.of(), 100);
    assertEquals(List.of(), r.lostWrites());
    assertEquals(1, r.staleReads());
  }

  @Test
  void concurrentWritesAndUnknownOutcomes_areNotLosses() throws Exception {
    write(1, "k", "a", OpType.OK, 0, 30);
    write(2, "k", "b", OpType.OK, 10, 20); // concurrent with a: either order is legal
    write(4, "k", "c", OpType.INFO, 25, 26); // may take effect any time later
    read(3, "k", "a", 40, 50);
    read(3, "k", "c", 60, 70);
    HistoryAnalysis.Result r = analyse(List.of(), 100);
    assertEquals(List.of(), r.lostWrites());
    assertEquals(0, r.staleReads());
    assertEquals(4, r.ok());
    assertEquals(1, r.info());
  }

  /**
   * Seen in CI (acks=primary under kill): b, concurrent with a, was read back after a had been
   * acknowledged, so it came after a; a kill lost it, and every later read saw a.
   */
  @Test
  void concurrentWriteReadBackThenReplacedByTheOtherForGood_isLost() throws Exception {
    write(1, "k", "a", OpType.OK, 0, 30);
    write(2, "k", "b", OpType.OK, 10, 40);
    read(3, "k", "b", 50, 60); // after a was acknowledged: b followed a
    read(3, "k", "a", 70, 80);
    read(4, "k", "a", 90, 95);
    HistoryAnalysis.Result r = analyse(List.of(), 100);
    assertEquals(1, r.lostWrites().size(), r.toString());
    assertEquals("b", r.lostWrites().get(0).value());
    assertEquals("a", r.lostWrites().get(0).readValue());
  }

  /** The same writes without the read-back: a after b is a legal order, nothing is lost. */
  @Test
  void concurrentWriteNeverReadBack_isNotLost() throws Exception {
    write(1, "k", "a", OpType.OK, 0, 30);
    write(2, "k", "b", OpType.OK, 10, 40);
    read(3, "k", "a", 70, 80);
    HistoryAnalysis.Result r = analyse(List.of(), 100);
    assertEquals(List.of(), r.lostWrites());
    assertEquals(0, r.staleReads());
  }

  @Test
  void readOfAbsentKeyAfterAcknowledgedWrite_isLoss() throws Exception {
    write(1, "k", "a", OpType.OK, 0, 10);
    read(2, "k", null, 20, 30);
    assertEquals(1, analyse(List.of(), 100).lostWrites().size());
  }

  @Test
  void unavailability_isLongestGapBetweenAcknowledgedWritesOverlappingEachWindow()
      throws Exception {
    long ms = 1_000_000;
    write(1, "k", "a", OpType.OK, 0, 100 * ms);
    write(1, "k", "b", OpType.OK, 100 * ms, 200 * ms);
    write(1, "k", "c", OpType.OK, 200 * ms, 1_700 * ms); // 1.5 s gap: the kill window
    write(1, "k", "d", OpType.OK, 1_700 * ms, 1_800 * ms);
    write(1, "k", "e", OpType.OK, 3_000 * ms, 3_100 * ms); // 1.3 s: the pause window
    write(2, "j", "x", OpType.OK, 0, 50 * ms);
    write(2, "j", "y", OpType.OK, 50 * ms, 3_000 * ms); // j, idle until 3.0 s: the longest
    List<FaultTimeline.Window> windows = List.of(
        new FaultTimeline.Window("kill", "n1", 300 * ms, 900 * ms),
        new FaultTimeline.Window("pause", "n2", 2_000 * ms, 2_500 * ms));
    HistoryAnalysis.Result r = analyse(windows, 4_000 * ms);
    assertEquals(2_950L, r.unavailabilityMs().get("kill"));
    assertEquals(2_950L, r.unavailabilityMs().get("pause"));
    assertEquals(1_500 * ms, HistoryAnalysis.longestGapOverlapping(
        new long[] {200 * ms, 1_700 * ms, 1_800 * ms}, 300 * ms, 1_000 * ms));
    assertEquals(400 * ms, HistoryAnalysis.longestGapOverlapping(
        new long[] {100 * ms}, 300 * ms, 500 * ms));
  }
}
