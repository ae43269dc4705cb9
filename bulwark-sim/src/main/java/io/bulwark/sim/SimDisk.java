package io.bulwark.sim;

import io.bulwark.core.common.ShardId;
import io.bulwark.core.pb.Effect;
import io.bulwark.core.pb.LogEntry;
import io.bulwark.core.pb.ShardStateMachine.Snapshot;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * One node's disk: what fsync promises, and nothing more. Log effects ({@code AppendLog},
 * {@code TruncateLog}, {@code ResetLog}, {@code TrimLog}) queue in the order the cores emitted
 * them; one fsync at a time takes everything queued (group commit, DESIGN §3.1), completes after
 * a random delay, applies the group to the durable image in order, and only then reports
 * {@code LogDurable(last index, epoch)} for each shard that appended. A crash loses the queue and
 * the fsync in flight.
 *
 * <p>Applied state is not durable by itself here (the runtime's applies are unsynced), but the
 * real runtime syncs it before it trims the log and installs snapshots synchronously. So the
 * durable image keeps, per shard, a <em>checkpoint</em>: a copy of the applied state taken when a
 * {@code TrimLog} was emitted (durable once that trim is), or right after a snapshot install. A
 * restart recovers "checkpoint + durable log above it", exactly as the server's open() does.
 *
 * <p>{@link Variant#DISK_EARLY_DURABLE} breaks the promise on purpose: it reports appends durable
 * as soon as they are queued, and still loses them on a crash.
 */
final class SimDisk {

  /** Told that a shard's log is durable up to {@code (index, epoch)}. */
  interface DurableListener {
    void durable(ShardId shard, long index, long epoch);
  }

  /** What a restarted process finds for one shard. */
  record Recovered(Snapshot checkpoint, long baseIndex, long baseEpoch, List<LogEntry> entries) {}

  private static final class ShardLog {
    long baseIndex;
    long baseEpoch;
    final ArrayList<LogEntry> entries = new ArrayList<>();
    Snapshot checkpoint;
    long checkpointSeq = -1;

    long lastIndex() {
      return baseIndex + entries.size();
    }
  }

  private record Write(ShardId shard, Effect effect, Snapshot checkpoint, long checkpointSeq) {}

  private final String node;
  private final SimScheduler scheduler;
  private final SplittableRandom random;
  private final SimKnobs knobs;
  private final SimTrace trace;
  private final boolean durableEarly;
  private final Map<ShardId, ShardLog> durable = new TreeMap<>();
  private List<Write> queued = new ArrayList<>();
  private DurableListener listener;
  private boolean syncing;
  private int generation;
  private long checkpointSeq;
  private long slowUntilNanos;

  SimDisk(String node, SimScheduler scheduler, SplittableRandom random, SimKnobs knobs,
      SimTrace trace, boolean durableEarly) {
    this.node = node;
    this.scheduler = scheduler;
    this.random = random;
    this.knobs = knobs;
    this.trace = trace;
    this.durableEarly = durableEarly;
  }

  /** The process now running on this disk; its predecessor's queue is gone (see crash). */
  void attach(DurableListener listener) {
    this.listener = listener;
  }

  /**
   * Queues a log effect. {@code checkpoint}, for a {@code TrimLog}, is the applied state when it
   * was emitted: it becomes the recovery point once the trim is durable.
   */
  void submit(ShardId shard, Effect effect, Snapshot checkpoint) {
    if (!(effect instanceof Effect.AppendLog || effect instanceof Effect.TruncateLog
        || effect instanceof Effect.ResetLog || effect instanceof Effect.TrimLog)) {
      throw new IllegalArgumentException("not a log effect: " + effect);
    }
    queued.add(new Write(shard, effect, checkpoint, checkpoint == null ? -1 : checkpointSeq++));
    if (durableEarly && effect instanceof Effect.AppendLog a) {
      LogEntry last = a.entries().get(a.entries().size() - 1);
      int gen = generation;
      scheduler.after(0, () -> {
        if (gen == generation) {
          listener.durable(shard, last.index(), last.epoch());
        }
      });
    }
    if (!syncing) {
      startSync();
    }
  }

  /** A snapshot install is synced when it returns (RocksShardStateMachine.install). */
  void checkpointNow(ShardId shard, Snapshot installed) {
    ShardLog log = durable.computeIfAbsent(shard, k -> new ShardLog());
    log.checkpoint = installed;
    log.checkpointSeq = checkpointSeq++;
  }

  /** Makes fsyncs slow until {@code untilNanos} (a disk stall). */
  void slowUntil(long untilNanos) {
    slowUntilNanos = Math.max(slowUntilNanos, untilNanos);
  }

  /** The process died: queued and in-flight writes are lost; the durable image stays. */
  void crash() {
    generation++;
    queued = new ArrayList<>();
    syncing = false;
    listener = null;
  }

  /** Shards with anything durable here: a restarted process opens these. */
  TreeSet<ShardId> shards() {
    return new TreeSet<>(durable.keySet());
  }

  Recovered recover(ShardId shard) {
    ShardLog log = durable.get(shard);
    if (log == null) {
      return new Recovered(null, 0, 0, List.of());
    }
    return new Recovered(log.checkpoint, log.baseIndex, log.baseEpoch,
        List.copyOf(log.entries));
  }

  private void startSync() {
    syncing = true;
    List<Write> group = queued;
    queued = new ArrayList<>();
    int gen = generation;
    scheduler.after(fsyncDelayNanos(), () -> {
      if (gen != generation) {
        return; // Crashed meanwhile: this fsync never completed.
      }
      complete(group);
      syncing = false;
      if (!queued.isEmpty()) {
        startSync();
      }
    });
  }

  private long fsyncDelayNanos() {
    long d = knobs.fsyncMinNanos + random.nextLong(knobs.fsyncMaxNanos - knobs.fsyncMinNanos + 1);
    if (random.nextDouble() < knobs.fsyncSlowRate) {
      d += random.nextLong(knobs.fsyncSlowMaxNanos);
    }
    if (scheduler.nowNanos() < slowUntilNanos) {
      d += slowUntilNanos - scheduler.nowNanos();
    }
    return d;
  }

  private void complete(List<Write> group) {
    trace.count("disk:fsync");
    Map<ShardId, LogEntry> lastAppended = new LinkedHashMap<>();
    for (Write w : group) {
      ShardLog log = durable.computeIfAbsent(w.shard(), k -> new ShardLog());
      apply(w, log);
      if (w.effect() instanceof Effect.AppendLog a) {
        lastAppended.put(w.shard(), a.entries().get(a.entries().size() - 1));
      }
    }
    for (Map.Entry<ShardId, LogEntry> e : lastAppended.entrySet()) {
      listener.durable(e.getKey(), e.getValue().index(), e.getValue().epoch());
    }
  }

  private void apply(Write w, ShardLog log) {
    Effect e = w.effect();
    if (e instanceof Effect.AppendLog a) {
      for (LogEntry entry : a.entries()) {
        if (entry.index() != log.lastIndex() + 1) {
          throw new SimFailure("disk of " + node + ": append of index " + entry.index() + " to "
              + w.shard() + " whose last durable index is " + log.lastIndex());
        }
        log.entries.add(entry);
      }
    } else if (e instanceof Effect.TruncateLog t) {
      while (log.lastIndex() > t.lastKeptIndex() && !log.entries.isEmpty()) {
        log.entries.remove(log.entries.size() - 1);
      }
    } else if (e instanceof Effect.ResetLog r) {
      log.entries.clear();
      log.baseIndex = r.baseIndex();
      log.baseEpoch = r.baseEpoch();
    } else if (e instanceof Effect.TrimLog t) {
      long newBase = t.firstKeptIndex() - 1;
      if (newBase > log.lastIndex()) {
        throw new SimFailure("disk of " + node + ": trim of " + w.shard() + " below "
            + t.firstKeptIndex() + " past its last durable index " + log.lastIndex());
      }
      int drop = (int) Math.max(0, Math.min(log.entries.size(), newBase - log.baseIndex));
      log.entries.subList(0, drop).clear();
      log.baseIndex = Math.max(log.baseIndex, newBase);
      log.baseEpoch = t.baseEpoch();
      if (w.checkpoint() != null && w.checkpointSeq() > log.checkpointSeq) {
        log.checkpoint = w.checkpoint();
        log.checkpointSeq = w.checkpointSeq();
      }
    }
  }
}
