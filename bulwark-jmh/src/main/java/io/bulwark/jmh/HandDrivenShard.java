package io.bulwark.jmh;

import io.bulwark.core.common.Invariants;
import io.bulwark.core.common.KeyspaceSpec;
import io.bulwark.core.common.ShardConfig;
import io.bulwark.core.common.ShardId;
import io.bulwark.core.pb.ClientReply;
import io.bulwark.core.pb.Effect;
import io.bulwark.core.pb.Input;
import io.bulwark.core.pb.LogEntry;
import io.bulwark.core.pb.MemoryShardStateMachine;
import io.bulwark.core.pb.Outbox;
import io.bulwark.core.pb.ReplicaOptions;
import io.bulwark.core.pb.ShardReplica;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One shard's replicas ({@link ShardReplica}s over {@link MemoryShardStateMachine}s) driven by
 * hand on the calling thread: a FIFO of inputs stands in for the network, every
 * {@link Effect.AppendLog} is durable at once, and a proposed configuration always wins its
 * compare-and-set. The clock is a field the caller moves; it does not move by itself.
 *
 * <p>This is the bulwark-core test harness ({@code ReplicaCluster}) cut down to what a
 * benchmark needs: no cut links, slow disks or crashes, and nothing recorded beyond the
 * replies, so that routing costs as little as possible next to the core it measures.
 *
 * <p>Not thread-safe: one benchmark thread owns it.
 */
final class HandDrivenShard {
  static final ShardId SHARD = new ShardId("bench", 0);
  /** How many inputs one {@link #run} may handle: a commit of one write takes eight. */
  private static final int INPUTS_PER_RUN_MAX = 10_000;

  private record Delivery(String to, Input input) {}

  private final Map<String, ShardReplica> replicas = new LinkedHashMap<>();
  private final Map<String, Outbox> outboxes = new LinkedHashMap<>();
  private final ArrayDeque<Delivery> queue = new ArrayDeque<>();
  private final List<ClientReply> replies = new ArrayList<>();
  private ShardConfig zk;
  /** The fake monotonic clock, in nanos: every input handled carries it. */
  long nowNanos;
  /** Inputs handled by every replica since construction, start included. */
  long inputsHandled;

  /**
   * Replicas named {@code nodes}, the first of them the primary once {@link #start}ed, with the
   * default options a keyspace gets (lease, grace, batch sizes, log retention).
   */
  HandDrivenShard(long nowNanos, int minInsync, KeyspaceSpec.Acks acks, String... nodes) {
    this.nowNanos = nowNanos;
    ReplicaOptions opts = ReplicaOptions.defaults(minInsync, acks);
    for (String n : nodes) {
      Outbox out = new Outbox();
      outboxes.put(n, out);
      replicas.put(n, new ShardReplica(SHARD, n, opts, new MemoryShardStateMachine(), 0, 0,
          List.of(), out, nowNanos));
    }
  }

  /**
   * Brings the first node to serving, as the runtime would: every replica observes the initial
   * configuration (epoch 1), a tick makes the primary move to an epoch of its own (§3.10), its
   * Noop commits and its backups ack its first beacons, which starts its lease.
   */
  HandDrivenShard start() {
    List<String> names = new ArrayList<>(replicas.keySet());
    zk = new ShardConfig(SHARD, 1, names.get(0), names.subList(1, names.size()), List.of());
    for (String n : names) {
      queue.add(new Delivery(n, new Input.ConfigObserved(nowNanos, zk)));
    }
    run();
    for (String n : names) {
      queue.add(new Delivery(n, new Input.Tick(nowNanos)));
    }
    run();
    String primary = names.get(0);
    Invariants.check(replicas.get(primary).isServing(nowNanos), "%s does not serve after start: %s",
        primary, replicas.get(primary));
    return this;
  }

  /**
   * Hands {@code input} to {@code node} and handles every input that follows from it until
   * nothing is left. Returns the replies produced on the way, in order; the list is reused by
   * the next call.
   */
  List<ClientReply> run(String node, Input input) {
    queue.add(new Delivery(node, input));
    return run();
  }

  private List<ClientReply> run() {
    replies.clear();
    int handled = 0;
    while (!queue.isEmpty()) {
      Invariants.check(++handled <= INPUTS_PER_RUN_MAX, "inputs do not settle: %s", replicas);
      Delivery d = queue.poll();
      replicas.get(d.to()).handle(d.input());
      inputsHandled++;
      route(d.to(), outboxes.get(d.to()).drain());
    }
    return replies;
  }

  private void route(String from, List<Effect> effects) {
    for (Effect e : effects) {
      if (e instanceof Effect.Send s) {
        queue.add(new Delivery(s.to(), new Input.Received(nowNanos, from, s.message())));
      } else if (e instanceof Effect.AppendLog a) {
        LogEntry last = a.entries().get(a.entries().size() - 1);
        queue.add(new Delivery(from, new Input.LogDurable(nowNanos, last.index(), last.epoch())));
      } else if (e instanceof Effect.Reply r) {
        replies.add(r.reply());
      } else if (e instanceof Effect.ProposeConfig p) {
        Invariants.check(zk.epoch() == p.expectedEpoch(), "%s proposed from epoch %s, store at %s",
            from, p.expectedEpoch(), zk.epoch());
        zk = p.next();
        queue.add(new Delivery(from, new Input.ProposalResult(nowNanos, p.next(), true)));
      }
      // TruncateLog, ResetLog, TrimLog and Emit change nothing here: there is no disk, and
      // events are not recorded.
    }
  }

  ShardReplica replica(String node) {
    return replicas.get(node);
  }
}
