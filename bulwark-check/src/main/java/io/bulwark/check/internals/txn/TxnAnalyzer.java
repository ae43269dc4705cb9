package io.bulwark.check.internals.txn;

import io.bulwark.check.history.Operation;
import io.bulwark.check.internals.Deadline;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The txn check, step by step: index the writes ({@link WriteIndex}), judge each read ({@link
 * ReadChecker}), infer version orders ({@link VersionOrder}) and the dependency graph ({@link
 * DependencyGraph}) over the committed txns, and search it for cycles ({@link CycleFinder}) three
 * times, with more edge kinds each time: ww (G0), ww and wr (G1c), all (G2). The smallest of the
 * anomalies found is reported.
 *
 * <p>Committed means ok, or info with at least one write that an ok txn read: that txn must have
 * committed. Other info txns may or may not have; their writes could only add edges, so they are
 * left out rather than assumed. Stateless.
 */
public final class TxnAnalyzer {
  private static final int[] CYCLE_MASKS = {
    DependencyGraph.EdgeKind.WW.bit(),
    DependencyGraph.EdgeKind.WW.bit() | DependencyGraph.EdgeKind.WR.bit(),
    DependencyGraph.EdgeKind.WW.bit()
        | DependencyGraph.EdgeKind.WR.bit()
        | DependencyGraph.EdgeKind.RW.bit(),
  };

  private TxnAnalyzer() {}

  /**
   * What the analysis found.
   *
   * @param anomaly the smallest anomaly found, rendered for people, or empty if none
   * @param uncheckedKeys the keys left unchecked because they break the precondition of unique
   *     written values, each with why; sorted
   */
  public record Report(String anomaly, Map<String, String> uncheckedKeys) {}

  /**
   * Analyses {@code txns}, which must all be txn operations. The deadline only cuts short the
   * search for a shorter cycle once one is known, so the answer is always definite.
   */
  public static Report analyze(List<Operation> txns, Deadline deadline) {
    WriteIndex writes = new WriteIndex(txns);
    ReadChecker reads = new ReadChecker(txns, writes);
    Set<Operation> committed = new HashSet<>();
    for (Operation txn : txns) {
      if (txn.isOk()) {
        committed.add(txn);
      }
    }
    for (ReadChecker.ExternalRead read : reads.externalReads()) {
      if (read.source() != null) {
        committed.add(read.source().txn());
      }
    }
    VersionOrder versions = new VersionOrder(committed, reads.externalReads(), writes);
    DependencyGraph graph = new DependencyGraph(committed, reads.externalReads(), versions, writes);
    List<TxnAnomaly> anomalies = new ArrayList<>(reads.anomalies());
    for (int mask : CYCLE_MASKS) {
      List<Integer> cycle = new CycleFinder(graph, mask).shortestCycle(deadline);
      if (!cycle.isEmpty()) {
        anomalies.add(cycleAnomaly(graph, cycle));
      }
    }
    String anomaly =
        anomalies.stream().min(TxnAnomaly.SMALLEST_FIRST).map(TxnAnomaly::render).orElse("");
    return new Report(anomaly, writes.uncheckedKeys());
  }

  /**
   * Names a cycle by the weakest edges that close it: on each step the most basic kind present (ww,
   * then wr, then rw), so a cycle is G0 if ww edges alone close it, G1c if it needs wr but no rw,
   * and G2 if it needs an rw edge.
   */
  private static TxnAnomaly cycleAnomaly(DependencyGraph graph, List<Integer> cycle) {
    List<Operation> txns = new ArrayList<>();
    List<String> facts = new ArrayList<>();
    DependencyGraph.EdgeKind strongest = DependencyGraph.EdgeKind.WW;
    int rwSteps = 0;
    for (int i = 0; i < cycle.size(); i++) {
      int from = cycle.get(i);
      int to = cycle.get((i + 1) % cycle.size());
      DependencyGraph.Edge edge = graph.edgesFrom(from).get(to);
      DependencyGraph.EdgeKind kind = weakestKind(edge);
      strongest = kind.compareTo(strongest) > 0 ? kind : strongest;
      rwSteps += kind == DependencyGraph.EdgeKind.RW ? 1 : 0;
      txns.add(graph.txn(from));
      facts.add(
          TxnAnomaly.name(graph.txn(from))
              + " -"
              + kind.name().toLowerCase()
              + "-> "
              + TxnAnomaly.name(graph.txn(to))
              + ": "
              + edge.reason(kind));
    }
    if (rwSteps == 1) {
      facts.add("(a single rw edge: G-single, as when a txn sees another partly applied)");
    }
    AnomalyKind kind =
        strongest == DependencyGraph.EdgeKind.WW
            ? AnomalyKind.G0
            : strongest == DependencyGraph.EdgeKind.WR ? AnomalyKind.G1C : AnomalyKind.G2;
    return new TxnAnomaly(kind, txns, facts);
  }

  private static DependencyGraph.EdgeKind weakestKind(DependencyGraph.Edge edge) {
    for (DependencyGraph.EdgeKind kind : DependencyGraph.EdgeKind.values()) {
      if (edge.has(kind)) {
        return kind;
      }
    }
    throw new IllegalStateException("an edge with no kind");
  }
}
