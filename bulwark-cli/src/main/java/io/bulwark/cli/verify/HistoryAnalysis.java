package io.bulwark.cli.verify;

import io.bulwark.check.history.MicroOp;
import io.bulwark.check.history.OpFunction;
import io.bulwark.check.history.OpValue;
import io.bulwark.check.history.Operation;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * What a history says beyond its checker, for the verdict: operation counts,
 * acknowledged writes lost, and the longest unavailability around each kind of fault. Pure: a
 * history and the fault windows in, figures out.
 *
 * <p><b>Lost writes.</b> Values are unique, so a read names the write it saw. An acknowledged
 * write W (an ok write or ok CAS) was not seen by a read R if R began after W was acknowledged
 * and returned a value whose write came before W (it completed before W began, or a read that
 * began after it completed saw W and ended before R began), or the initial absence: R saw a
 * state from before W. W is <i>lost</i> if no read that began after R returned W's value again
 * (W is gone from the store); otherwise R was a <i>stale read</i> and W came back. Either is a
 * linearizability violation that the checker also reports; this names the writes.
 *
 * <p><b>Unavailability.</b> For each key, the times at which a write, CAS or transaction writing
 * it was acknowledged. A fault's window runs from its injection to the next fault's injection (or the end
 * of the run), so it covers the heal and the recovery after it. The gap of a window is the longest
 * interval between consecutive acknowledged writes of any one key that overlaps it; a kind's gap
 * is the longest over its windows.
 */
final class HistoryAnalysis {
  /** An acknowledged write that a later read did not see, and never saw again. */
  record LostWrite(String key, String value, long ackedNanos, long readNanos, String readValue,
      long readProcess) {
    String describe(long originNanos) {
      return String.format("%s=%s acknowledged at +%.3fs, but a read invoked at +%.3fs "
          + "(process %d) returned %s, written before it, and no later read saw it", key, value,
          (ackedNanos - originNanos) / 1e9, (readNanos - originNanos) / 1e9, readProcess,
          readValue == null ? "nothing (absent)" : readValue);
    }
  }

  /** The figures. */
  record Result(long ok, long fail, long info, List<LostWrite> lostWrites, int staleReads,
      Map<String, Long> unavailabilityMs) {}

  private HistoryAnalysis() {}

  static Result analyse(List<Operation> ops, List<FaultTimeline.Window> windows, long endNanos) {
    long ok = ops.stream().filter(Operation::isOk).count();
    long fail = ops.stream().filter(Operation::isFail).count();
    long info = ops.stream().filter(Operation::isInfo).count();
    Map<String, List<Operation>> byKey = new TreeMap<>();
    for (Operation op : ops) {
      if (op.f().isRegister()) {
        byKey.computeIfAbsent(op.key(), k -> new ArrayList<>()).add(op);
      }
    }
    List<LostWrite> lost = new ArrayList<>();
    int[] stale = new int[1];
    for (List<Operation> keyOps : byKey.values()) {
      unseenWrites(keyOps, lost, stale);
    }
    return new Result(ok, fail, info, lost, stale[0], gaps(ackTimes(ops), windows, endNanos));
  }

  private static String written(Operation op) {
    if (op.f() == OpFunction.WRITE) {
      return ((OpValue.Scalar) op.value()).value();
    }
    if (op.f() == OpFunction.CAS) {
      return ((OpValue.Cas) op.value()).newValue();
    }
    return null;
  }

  private static boolean isWrite(Operation op) {
    return op.f() == OpFunction.WRITE || op.f() == OpFunction.CAS;
  }

  private static void unseenWrites(List<Operation> keyOps, List<LostWrite> lost, int[] stale) {
    Map<String, Operation> writerOf = new HashMap<>();
    List<Operation> acked = new ArrayList<>();
    List<Operation> reads = new ArrayList<>();
    for (Operation op : keyOps) {
      if (isWrite(op) && !op.isFail()) {
        writerOf.put(written(op), op);
        if (op.isOk()) {
          acked.add(op);
        }
      } else if (op.f() == OpFunction.READ && op.isOk()) {
        reads.add(op);
      }
    }
    reads.sort(Comparator.comparingLong(Operation::invokeNanos));
    // The reads that returned each value (values are unique, so each names one write).
    Map<String, List<Operation>> readsOf = new HashMap<>();
    for (Operation r : reads) {
      if (readValue(r) != null) {
        readsOf.computeIfAbsent(readValue(r), v -> new ArrayList<>()).add(r);
      }
    }
    for (Operation w : acked) {
      Operation staleRead = firstReadNotSeeing(w, reads, writerOf, readsOf);
      if (staleRead == null) {
        continue;
      }
      String value = written(w);
      boolean cameBack = readsOf.getOrDefault(value, List.of()).stream()
          .anyMatch(r -> r.invokeNanos() > staleRead.invokeNanos());
      if (cameBack) {
        stale[0]++;
      } else {
        lost.add(new LostWrite(w.key(), value, w.completeNanos(), staleRead.invokeNanos(),
            readValue(staleRead), staleRead.process()));
      }
    }
  }

  private static Operation firstReadNotSeeing(Operation w, List<Operation> reads,
      Map<String, Operation> writerOf, Map<String, List<Operation>> readsOf) {
    for (Operation r : reads) {
      if (r.invokeNanos() <= w.completeNanos()) {
        continue;
      }
      String seen = readValue(r);
      if (seen == null) {
        return r; // Absent after an acknowledged write (nothing here deletes).
      }
      Operation x = writerOf.get(seen);
      if (x != null && x != w && cameBefore(x, w, r, readsOf)) {
        return r;
      }
    }
    return null;
  }

  /**
   * Whether write {@code x} took effect before {@code w} in any order that explains the reads
   * before {@code r}: x was acknowledged before w began, or, the two being concurrent, a read
   * that began after x was acknowledged saw w and ended before r began (so w followed x). The
   * second closes a case CI met: x and w concurrent, w read back, then x again for good (w
   * lost).
   */
  private static boolean cameBefore(Operation x, Operation w, Operation r,
      Map<String, List<Operation>> readsOf) {
    if (x.completeNanos() < w.invokeNanos()) {
      return true;
    }
    if (w.completeNanos() < x.invokeNanos()) {
      return false; // x came after w: seeing x is no sign of w's loss
    }
    for (Operation seenW : readsOf.getOrDefault(written(w), List.of())) {
      if (seenW.invokeNanos() > x.completeNanos() && seenW.completeNanos() < r.invokeNanos()) {
        return true;
      }
    }
    return false;
  }

  private static String readValue(Operation r) {
    return ((OpValue.Scalar) r.value()).value();
  }

  /**
   * For each key, the sorted times at which a write to it was acknowledged: an ok write or CAS,
   * or an ok transaction that wrote it.
   */
  private static Map<String, long[]> ackTimes(List<Operation> ops) {
    Map<String, List<Long>> times = new TreeMap<>();
    for (Operation op : ops) {
      if (!op.isOk()) {
        continue;
      }
      if (isWrite(op)) {
        times.computeIfAbsent(op.key(), k -> new ArrayList<>()).add(op.completeNanos());
      } else if (op.f() == OpFunction.TXN) {
        for (MicroOp m : ((OpValue.Txn) op.value()).microOps()) {
          if (m.kind() == MicroOp.Kind.WRITE) {
            times.computeIfAbsent(m.key(), k -> new ArrayList<>()).add(op.completeNanos());
          }
        }
      }
    }
    Map<String, long[]> sorted = new TreeMap<>();
    times.forEach((k, t) -> sorted.put(k, t.stream().mapToLong(Long::longValue).sorted()
        .toArray()));
    return sorted;
  }

  private static Map<String, Long> gaps(Map<String, long[]> ackTimes,
      List<FaultTimeline.Window> windows, long endNanos) {
    List<FaultTimeline.Window> sorted = new ArrayList<>(windows);
    sorted.sort(Comparator.comparingLong(FaultTimeline.Window::injectNanos));
    Map<String, Long> byKind = new TreeMap<>();
    for (int i = 0; i < sorted.size(); i++) {
      FaultTimeline.Window w = sorted.get(i);
      long from = w.injectNanos();
      long to = i + 1 < sorted.size() ? sorted.get(i + 1).injectNanos() : endNanos;
      long gap = 0;
      for (long[] times : ackTimes.values()) {
        gap = Math.max(gap, longestGapOverlapping(times, from, to));
      }
      byKind.merge(w.kind(), TimeUnit.NANOSECONDS.toMillis(gap), Math::max);
    }
    return byKind;
  }

  /** The longest interval between consecutive times (or to {@code to}) that overlaps the window. */
  static long longestGapOverlapping(long[] times, long from, long to) {
    long gap = 0;
    for (int j = 0; j < times.length; j++) {
      long start = times[j];
      long end = j + 1 < times.length ? times[j + 1] : to;
      if (start < to && end > from) {
        gap = Math.max(gap, end - start);
      }
    }
    return gap;
  }
}
