package io.bulwark.core.pb;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A {@link ShardStateMachine} in memory, for unit tests and the simulator. It follows the same
 * contract as the RocksDB one; "not durable when apply returns" is modelled by the simulator,
 * which replaces it with a copy of its last durable state on a crash.
 */
public final class MemoryShardStateMachine implements ShardStateMachine {
  private final TreeMap<String, KeyValue> data = new TreeMap<>();
  private final Map<String, TreeMap<Long, Outcome>> dedup = new HashMap<>();
  private long appliedIndex;
  private long appliedEpoch;

  @Override
  public long appliedIndex() {
    return appliedIndex;
  }

  @Override
  public long appliedEpoch() {
    return appliedEpoch;
  }

  @Override
  public Outcome apply(LogEntry entry) {
    io.bulwark.core.common.Invariants.check(entry.index() == appliedIndex + 1,
        "apply of %s after %s", entry.index(), appliedIndex);
    Command c = entry.command();
    Outcome o = c.isInternal() ? null : appliedOutcome(c.clientId(), c.seq());
    if (o == null) {
      o = applyOp(entry.index(), c.op());
      if (!c.isInternal()) {
        TreeMap<Long, Outcome> rows = dedup.computeIfAbsent(c.clientId(), k -> new TreeMap<>());
        rows.put(c.seq(), o);
        SortedMap<Long, Outcome> forgettable = rows.headMap(c.firstUnackedSeq());
        if (!forgettable.isEmpty()) {
          // Remember the forgetting, so a stale duplicate of a forgotten seq is not re-applied.
          forgettable.clear();
          rows.put(c.firstUnackedSeq() - 1, FORGOTTEN);
        }
      }
    }
    appliedIndex = entry.index();
    appliedEpoch = entry.epoch();
    return o;
  }

  private Outcome applyOp(long index, Op op) {
    if (op instanceof Op.Put p) {
      data.put(key(p.key()), new KeyValue(p.key(), p.value(), index));
      return Outcome.applied(index);
    }
    if (op instanceof Op.Delete d) {
      data.remove(key(d.key()));
      return Outcome.applied(index);
    }
    if (op instanceof Op.Cas cas) {
      Versioned cur = get(cas.key());
      if (!cas.matches(cur)) {
        return new Outcome(false, cur == null ? 0 : cur.version(), cur == null ? null : cur.value());
      }
      if (cas.newValue() == null) {
        data.remove(key(cas.key()));
      } else {
        data.put(key(cas.key()), new KeyValue(cas.key(), cas.newValue(), index));
      }
      return Outcome.applied(index);
    }
    return Outcome.applied(index);
  }

  @Override
  public Outcome appliedOutcome(String clientId, long seq) {
    TreeMap<Long, Outcome> rows = dedup.get(clientId);
    if (rows == null) {
      return null;
    }
    Outcome o = rows.get(seq);
    if (o == null && !rows.isEmpty() && seq < rows.firstKey()
        && FORGOTTEN.equals(rows.firstEntry().getValue())) {
      return FORGOTTEN;
    }
    return o;
  }

  @Override
  public Versioned get(byte[] key) {
    KeyValue kv = data.get(key(key));
    return kv == null ? null : new Versioned(kv.value(), kv.version());
  }

  @Override
  public List<KeyValue> scan(byte[] prefix, int limit) {
    List<KeyValue> out = new ArrayList<>();
    Iterator<KeyValue> it = data.tailMap(key(prefix)).values().iterator();
    while (it.hasNext() && out.size() < limit) {
      KeyValue kv = it.next();
      if (kv.key().length < prefix.length
          || !Arrays.equals(Arrays.copyOf(kv.key(), prefix.length), prefix)) {
        break;
      }
      out.add(kv);
    }
    return out;
  }

  @Override
  public Snapshot snapshot() {
    List<DedupRecord> rows = new ArrayList<>();
    dedup.forEach((client, m) -> m.forEach((seq, o) -> rows.add(new DedupRecord(client, seq, o))));
    return new Snapshot(appliedIndex, appliedEpoch, new ArrayList<>(data.values()), rows);
  }

  @Override
  public void install(Snapshot s) {
    data.clear();
    dedup.clear();
    for (KeyValue kv : s.entries()) {
      data.put(key(kv.key()), kv);
    }
    for (DedupRecord r : s.dedup()) {
      dedup.computeIfAbsent(r.clientId(), k -> new TreeMap<>()).put(r.seq(), r.outcome());
    }
    appliedIndex = s.index();
    appliedEpoch = s.epoch();
  }

  /** Byte-order key: ISO-8859-1 maps each byte to one char, so String order = unsigned order. */
  private static String key(byte[] k) {
    return new String(k, java.nio.charset.StandardCharsets.ISO_8859_1);
  }
}
