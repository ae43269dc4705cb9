package io.bulwark.core.pb;

import io.bulwark.core.common.Invariants;
import java.util.ArrayList;
import java.util.List;

/**
 * The replica's in-memory view of its shard's log: entries {@code base+1 .. last}, where
 * {@code (baseIndex, baseEpoch)} is the position just before the first entry kept (0/0 for a log
 * that was never trimmed). Mirrors what the runtime persisted through log effects.
 */
final class ReplicaLog {
  private final ArrayList<LogEntry> entries = new ArrayList<>();
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
    entries.add(e);
  }

  /** Entries {@code from .. min(last, from+max-1)}. */
  List<LogEntry> slice(long from, int max) {
    Invariants.check(from > baseIndex, "slice from %s below first index %s", from, firstIndex());
    long to = Math.min(lastIndex(), from + max - 1);
    List<LogEntry> out = new ArrayList<>();
    for (long i = from; i <= to; i++) {
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
  }

  /** Drops entries below {@code firstKept}; returns the new base epoch. */
  long trimBefore(long firstKept) {
    long newBase = firstKept - 1;
    Invariants.check(newBase >= baseIndex && newBase <= lastIndex(),
        "trim to %s outside %s..%s", firstKept, firstIndex(), lastIndex());
    long newBaseEpoch = epochAt(newBase);
    entries.subList(0, (int) (newBase - baseIndex)).clear();
    baseIndex = newBase;
    baseEpoch = newBaseEpoch;
    return newBaseEpoch;
  }
}
