package io.bulwark.core.pb;

import io.bulwark.core.common.Invariants;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The replica's in-memory view of its shard's log: entries {@code base+1 .. last}, where
 * {@code (baseIndex, baseEpoch)} is the position just before the first entry kept (0/0 for a log
 * that was never trimmed). Mirrors what the runtime persisted through log effects.
 *
 * <p>It also keeps a running total of the entries' {@link LogEntry#sizeBytes()}, so that the
 * bytes of any range ({@link #bytes}) cost two array reads: the primary checks what it has in
 * flight to a follower on every send, and that is the per-write hot path.
 */
final class ReplicaLog {
  private final ArrayList<LogEntry> entries = new ArrayList<>();
  /**
   * {@code totalBytes[k]}: the running total of entry sizes through {@code entries.get(k)}; only
   * the first {@code entries.size()} slots are meaningful. Totals count from an arbitrary origin
   * ({@link #baseTotalBytes} at the base), so only differences mean anything.
   */
  private long[] totalBytes = new long[16];
  /** The running total at {@code baseIndex}. */
  private long baseTotalBytes;
  private long baseIndex;
  private long baseEpoch;

  ReplicaLog(long baseIndex, long baseEpoch, List<LogEntry> recovered) {
    this.baseIndex = baseIndex;
    this.baseEpoch = baseEpoch;
    for (LogEntry e : recovered) {
      append(e);
    }
  }

  long baseIndex() {
    return baseIndex;
  }

  long firstIndex() {
    return baseIndex + 1;
  }

  long lastIndex() {
    return baseIndex + entries.size();
  }

  long lastEpoch() {
    return entries.isEmpty() ? baseEpoch : entries.get(entries.size() - 1).epoch();
  }

  /** The epoch of the entry at {@code index}, or -1 if it is not held (trimmed or beyond). */
  long epochAt(long index) {
    if (index == baseIndex) {
      return baseEpoch;
    }
    if (index < baseIndex || index > lastIndex()) {
      return -1;
    }
    return get(index).epoch();
  }

  LogEntry get(long index) {
    Invariants.check(index > baseIndex && index <= lastIndex(),
        "log index %s outside %s..%s", index, firstIndex(), lastIndex());
    return entries.get((int) (index - baseIndex - 1));
  }

  void append(LogEntry e) {
    Invariants.check(e.index() == lastIndex() + 1,
        "append of index %s after last index %s", e.index(), lastIndex());
    Invariants.check(e.epoch() >= lastEpoch(),
        "append of epoch %s after epoch %s", e.epoch(), lastEpoch());
    int k = entries.size();
    if (k == totalBytes.length) {
      totalBytes = Arrays.copyOf(totalBytes, 2 * k);
    }
    totalBytes[k] = totalThrough(lastIndex()) + e.sizeBytes();
    entries.add(e);
  }

  /** The bytes ({@link LogEntry#sizeBytes()}) of entries {@code from .. to}; 0 if from > to. */
  long bytes(long from, long to) {
    if (from > to) {
      return 0;
    }
    Invariants.check(from > baseIndex && to <= lastIndex(),
        "bytes of %s..%s outside %s..%s", from, to, firstIndex(), lastIndex());
    return totalThrough(to) - totalThrough(from - 1);
  }

  /**
   * The first index {@code i} such that entries {@code i .. to} hold at most {@code maxBytes}
   * together: {@code to + 1} if the entry at {@code to} alone is larger. A binary search over
   * the running totals.
   */
  long firstWithinBytes(long to, long maxBytes) {
    Invariants.check(to >= baseIndex && to <= lastIndex(),
        "bytes up to %s outside %s..%s", to, baseIndex, lastIndex());
    long limit = totalThrough(to) - maxBytes;
    long lo = baseIndex + 1;
    long hi = to + 1;
    while (lo < hi) { // the answer is in lo..hi: the first i with totalThrough(i - 1) >= limit
      long mid = (lo + hi) >>> 1;
      if (totalThrough(mid - 1) >= limit) {
        hi = mid;
      } else {
        lo = mid + 1;
      }
    }
    return lo;
  }

  private long totalThrough(long index) {
    return index == baseIndex ? baseTotalBytes : totalBytes[(int) (index - baseIndex - 1)];
  }

  /**
   * Entries from {@code from} on: at most {@code maxEntries} of them and, past the first, only as
   * many as fit in {@code maxBytes} together. The first is always included (one entry may exceed
   * any byte bound short of the entry size limit, and must still go), so the result is empty only
   * if {@code from} is past the last index.
   */
  List<LogEntry> slice(long from, int maxEntries, long maxBytes) {
    Invariants.check(from > baseIndex, "slice from %s below first index %s", from, firstIndex());
    long to = Math.min(lastIndex(), from + maxEntries - 1);
    long limit = totalThrough(from - 1) + maxBytes;
    List<LogEntry> out = new ArrayList<>();
    for (long i = from; i <= to && (i == from || totalThrough(i) <= limit); i++) {
      out.add(get(i));
    }
    return out;
  }

  void truncateAfter(long lastKept) {
    Invariants.check(lastKept >= baseIndex, "truncate to %s below base %s", lastKept, baseIndex);
    while (lastIndex() > lastKept) {
      entries.remove(entries.size() - 1);
    }
  }

  void reset(long newBaseIndex, long newBaseEpoch) {
    entries.clear();
    baseIndex = newBaseIndex;
    baseEpoch = newBaseEpoch;
    baseTotalBytes = 0;
  }

  /** Drops entries below {@code firstKept}; returns the new base epoch. */
  long trimBefore(long firstKept) {
    long newBase = firstKept - 1;
    Invariants.check(newBase >= baseIndex && newBase <= lastIndex(),
        "trim to %s outside %s..%s", firstKept, firstIndex(), lastIndex());
    long newBaseEpoch = epochAt(newBase);
    int dropped = (int) (newBase - baseIndex);
    long newBaseTotal = totalThrough(newBase);
    entries.subList(0, dropped).clear();
    System.arraycopy(totalBytes, dropped, totalBytes, 0, entries.size());
    baseTotalBytes = newBaseTotal;
    baseIndex = newBase;
    baseEpoch = newBaseEpoch;
    return newBaseEpoch;
  }
}
