package io.bulwark.sim;

import io.bulwark.core.common.ShardId;
import io.bulwark.core.pb.LogEntry;
import io.bulwark.core.pb.Op;
import io.bulwark.proto.Codec;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Invariant: every replica that applies index {@code i} of a shard applies the same entry —
 * same epoch, same command (DESIGN §3.3: apply never passes the committed index, and committed
 * entries are never truncated; with {@code acks ALL} no replica applies anything else). The first
 * apply of an index anywhere fixes it; any later different one fails the run, naming both.
 */
final class CommittedEntriesAgree implements Invariant {
  private record First(String node, byte[] encoded, LogEntry entry) {}

  private final Map<ShardId, TreeMap<Long, First>> applied = new HashMap<>();
  private final SimTrace trace;
  private long checks;

  CommittedEntriesAgree(SimTrace trace) {
    this.trace = trace;
  }

  /** Called by a replica's state machine just before it applies {@code entry}. */
  void onApply(ShardId shard, String node, LogEntry entry) {
    byte[] encoded = Codec.encode(entry);
    TreeMap<Long, First> byIndex = applied.computeIfAbsent(shard, k -> new TreeMap<>());
    First first = byIndex.get(entry.index());
    checks++;
    if (first == null) {
      byIndex.put(entry.index(), new First(node, encoded, entry));
      trace.record(node, "ledger:applied-first",
          shard + " " + entry.index() + " " + describe(entry));
      return;
    }
    if (!Arrays.equals(first.encoded(), encoded)) {
      throw new SimFailure(name() + ": shard " + shard + " index " + entry.index() + " applied as "
          + describe(first.entry()) + " on " + first.node() + " but as " + describe(entry)
          + " on " + node);
    }
  }

  private static String describe(LogEntry e) {
    Op op = e.command().op();
    String what = op.getClass().getSimpleName();
    if (op instanceof Op.Put p) {
      what += " " + text(p.key()) + "=" + text(p.value());
    } else if (op instanceof Op.Cas c) {
      what += " " + text(c.key()) + " " + text(c.expectedValue()) + "->" + text(c.newValue());
    } else if (op instanceof Op.Delete d) {
      what += " " + text(d.key());
    }
    return "(epoch " + e.epoch() + ", " + e.command().clientId() + "#" + e.command().seq() + " "
        + what + ")";
  }

  private static String text(byte[] b) {
    return b == null ? "null" : new String(b, StandardCharsets.UTF_8);
  }

  @Override
  public String name() {
    return "committed-entries-agree";
  }

  @Override
  public void check() {
    // Checked as entries apply (onApply), not by polling.
  }

  @Override
  public long checks() {
    return checks;
  }
}
