package io.bulwark.check.internals.txn;

import io.bulwark.check.history.Operation;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The direct serialization graph over committed txns (Adya): an edge T1 -> T2 means T1 must come
 * before T2 in any serial order. Nodes are numbered 0..n-1 in history order.
 *
 * <ul>
 *   <li>ww: T2 installed a version right after one T1 installed;
 *   <li>wr: T2 read a version T1 installed;
 *   <li>rw: T1 read a version and T2 installed one right after it (T1 missed T2's write).
 * </ul>
 *
 * Self-edges are left out: a txn does not depend on itself.
 */
final class DependencyGraph {

  /** The kinds of edge; {@link #bit} is used in masks that select a subgraph. */
  enum EdgeKind {
    WW,
    WR,
    RW;

    int bit() {
      return 1 << ordinal();
    }
  }

  /** The edges from one txn to another: a mask of kinds and, per kind, why it exists. */
  static final class Edge {
    private int kinds;
    private final String[] reasons = new String[EdgeKind.values().length];

    boolean has(EdgeKind kind) {
      return (kinds & kind.bit()) != 0;
    }

    boolean hasAny(int mask) {
      return (kinds & mask) != 0;
    }

    String reason(EdgeKind kind) {
      return reasons[kind.ordinal()];
    }

    private void add(EdgeKind kind, String reason) {
      if (!has(kind)) {
        kinds |= kind.bit();
        reasons[kind.ordinal()] = reason;
      }
    }
  }

  private final WriteIndex writes;
  private final List<Operation> txns = new ArrayList<>();

  /** Node numbers by {@link Operation#index()}. */
  private final Map<Integer, Integer> nodeOf = new HashMap<>();

  private final List<Map<Integer, Edge>> out = new ArrayList<>();

  /** Infers the graph over {@code committed} from the reads that passed and the version order. */
  DependencyGraph(
      Set<Operation> committed,
      List<ReadChecker.ExternalRead> reads,
      VersionOrder versions,
      WriteIndex writes) {
    this.writes = writes;
    committed.stream().sorted(Comparator.comparingInt(Operation::index)).forEach(this::addNode);
    for (ReadChecker.ExternalRead read : reads) {
      addReadEdges(read, versions);
    }
    for (String key : versions.keys()) {
      for (String before : versions.predecessors(key)) {
        if (before != null) { // the initial version has no writer
          addWriteEdges(key, before, versions);
        }
      }
    }
  }

  int size() {
    return txns.size();
  }

  Operation txn(int node) {
    return txns.get(node);
  }

  /** The edges out of {@code node}, by target node. */
  Map<Integer, Edge> edgesFrom(int node) {
    return out.get(node);
  }

  private void addReadEdges(ReadChecker.ExternalRead read, VersionOrder versions) {
    String reader = TxnAnomaly.name(read.reader());
    String saw = TxnAnomaly.assignment(read.key(), read.value());
    if (read.source() != null) {
      Operation writer = read.source().txn();
      addEdge(
          writer,
          read.reader(),
          EdgeKind.WR,
          reader + " read " + saw + ", written by " + TxnAnomaly.name(writer));
    }
    for (String next : versions.successors(read.key(), read.value())) {
      Operation writer = writerOf(read.key(), next);
      addEdge(
          read.reader(),
          writer,
          EdgeKind.RW,
          reader
              + " read "
              + saw
              + ", "
              + TxnAnomaly.name(writer)
              + " wrote the next version "
              + TxnAnomaly.assignment(read.key(), next));
    }
  }

  private void addWriteEdges(String key, String before, VersionOrder versions) {
    Operation first = writerOf(key, before);
    for (String after : versions.successors(key, before)) {
      Operation second = writerOf(key, after);
      addEdge(
          first,
          second,
          EdgeKind.WW,
          TxnAnomaly.name(first)
              + " wrote "
              + TxnAnomaly.assignment(key, before)
              + ", "
              + TxnAnomaly.name(second)
              + " wrote the next version "
              + TxnAnomaly.assignment(key, after));
    }
  }

  private Operation writerOf(String key, String value) {
    return writes.writeOf(key, value).txn();
  }

  private void addNode(Operation txn) {
    nodeOf.put(txn.index(), txns.size());
    txns.add(txn);
    out.add(new HashMap<>());
  }

  private void addEdge(Operation from, Operation to, EdgeKind kind, String reason) {
    if (from == to) {
      return;
    }
    Integer fromNode = nodeOf.get(from.index());
    Integer toNode = nodeOf.get(to.index());
    if (fromNode == null || toNode == null) {
      throw new IllegalStateException("an edge between uncommitted txns: " + reason);
    }
    out.get(fromNode).computeIfAbsent(toNode, n -> new Edge()).add(kind, reason);
  }
}
