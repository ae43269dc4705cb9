package io.bulwark.check.internals.register;

import io.bulwark.check.internals.Deadline;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * Shrinks a key's non-linearizable history to a short one that is still not linearizable, so the
 * report shows a handful of operations instead of thousands. Every step keeps only what it has
 * proved, so whatever the deadline leaves is still a true anomaly:
 *
 * <ol>
 *   <li>Cut the history at the earliest return time at which it is already not linearizable (binary
 *       search). The cut keeps the operations invoked by then; those that had not yet returned
 *       become optional (a read's unseen result constrains nothing, so it is dropped).
 *       Linearizability is closed under such cuts, so the cut is a real anomaly and the operation
 *       returning at that time is the first one that cannot be explained.
 *   <li>Drop other reads while the rest stays not linearizable (delta debugging, halving the chunk
 *       size). Dropping a read only removes a constraint, so what remains still proves the anomaly.
 *       Writes are kept: dropping one could invent an anomaly.
 * </ol>
 *
 * Single use, not thread-safe.
 */
final class AnomalyExplainer {
  private final String key;
  private final List<RegisterOp> ops;
  private final Deadline deadline;
  private final long memoEntriesMax;

  /** False once a search gave up at the deadline: the explanation may not be the shortest. */
  private boolean shrunkFully = true;

  AnomalyExplainer(String key, List<RegisterOp> ops, Deadline deadline, long memoEntriesMax) {
    this.key = key;
    this.ops = ops;
    this.deadline = deadline;
    this.memoEntriesMax = memoEntriesMax;
  }

  /** Explains {@code ops}, which a search has found not linearizable. */
  RegisterAnomaly explain() {
    long[] cutTimes =
        ops.stream()
            .filter(RegisterOp::required)
            .map(RegisterOp::completeNanos)
            .collect(TreeSet<Long>::new, TreeSet::add, TreeSet::addAll)
            .stream()
            .mapToLong(Long::longValue)
            .toArray();
    // Invariant: the cut at cutTimes[hi] is not linearizable. The last cut keeps every required
    // op, and leaves out only optional ops invoked after all of them returned, which could be
    // linearized last anyway.
    int lo = 0;
    int hi = cutTimes.length - 1;
    while (lo < hi && shrunkFully) {
      int mid = (lo + hi) >>> 1;
      SearchOutcome outcome = search(cutAt(cutTimes[mid]));
      if (outcome == SearchOutcome.NOT_LINEARIZABLE) {
        hi = mid;
      } else if (outcome == SearchOutcome.LINEARIZABLE) {
        lo = mid + 1;
      }
    }
    long cutNanos = cutTimes[hi];
    List<RegisterOp> cut = cutAt(cutNanos);
    RegisterOp culprit =
        cut.stream()
            .filter(op -> op.required() && op.completeNanos() == cutNanos)
            .findFirst()
            .orElseThrow();
    boolean earliestCut = shrunkFully;
    List<RegisterOp> shrunk = earliestCut ? dropReads(cut, culprit) : cut;
    return new RegisterAnomaly(key, culprit, shrunk, cut.size(), earliestCut, shrunkFully);
  }

  /** The history as known at {@code cutNanos}; see the class comment. */
  private List<RegisterOp> cutAt(long cutNanos) {
    List<RegisterOp> cut = new ArrayList<>();
    for (RegisterOp op : ops) {
      if (op.invokeNanos() > cutNanos) {
        continue;
      }
      RegisterOp known =
          !op.required() || op.completeNanos() <= cutNanos ? op : op.pendingAtCutoff();
      if (known != null) {
        cut.add(known);
      }
    }
    return cut;
  }

  private List<RegisterOp> dropReads(List<RegisterOp> cut, RegisterOp culprit) {
    List<RegisterOp> current = new ArrayList<>(cut);
    List<RegisterOp> droppable = new ArrayList<>();
    for (RegisterOp op : cut) {
      if (op.isRead() && op != culprit) {
        droppable.add(op);
      }
    }
    for (int chunk = droppable.size(); chunk >= 1 && shrunkFully; chunk /= 2) {
      int start = 0;
      while (start < droppable.size() && shrunkFully) {
        List<RegisterOp> dropped =
            List.copyOf(droppable.subList(start, Math.min(start + chunk, droppable.size())));
        List<RegisterOp> candidate = new ArrayList<>(current);
        candidate.removeAll(dropped);
        SearchOutcome outcome = search(candidate);
        if (outcome == SearchOutcome.NOT_LINEARIZABLE) {
          current = candidate;
          droppable.removeAll(dropped);
        } else {
          start += chunk;
        }
      }
    }
    return current;
  }

  /** Searches {@code candidate}; a search that gives up clears {@link #shrunkFully}. */
  private SearchOutcome search(List<RegisterOp> candidate) {
    SearchOutcome outcome = WglSearch.run(candidate, deadline, memoEntriesMax).outcome();
    if (!outcome.isDecided()) {
      shrunkFully = false;
    }
    return outcome;
  }
}
