package io.bulwark.server;

import io.bulwark.core.common.KeyspaceSpec;
import io.bulwark.core.common.ShardConfig;
import io.bulwark.core.common.ShardId;
import io.bulwark.core.pb.ClientReply;
import io.bulwark.core.pb.Effect;
import io.bulwark.core.pb.Input;
import io.bulwark.core.pb.LogEntry;
import io.bulwark.core.pb.Message;
import io.bulwark.core.pb.Outbox;
import io.bulwark.core.pb.ReplicaOptions;
import io.bulwark.core.pb.ShardReplica;
import io.bulwark.storage.NodeStore;
import io.bulwark.storage.RocksShardStateMachine;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The runtime that drives this node's {@link ShardReplica}s (DESIGN §1): one thread runs every
 * replica's {@code handle}, so each core is single-threaded as its contract requires. Other
 * threads (gRPC, ZooKeeper, the log writer) only {@link #submit} tasks. The loop samples the
 * monotonic clock when it dispatches an input, not when the input was queued (§3.6).
 *
 * <p>Effects: the applies of a pass are written to RocksDB together when it ends
 * ({@link NodeStore#flushApplies}); sends are batched per peer and flushed when the queue is
 * momentarily empty; log
 * effects go to the {@link LogWriter} in order, a pass's worth at a time; configuration
 * proposals run on a separate thread (ZooKeeper calls block) and come back as inputs; replies
 * complete pending requests, and a read reply is released only if the clock, read after the
 * value, is inside its lease.
 */
final class ReplicaLoop implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ReplicaLoop.class);
  static final int QUEUE_MAX = 200_000;
  static final long TICK_MS = 10;
  /** A request not answered by then gets INDETERMINATE (writes) or UNAVAILABLE (reads). */
  static final long REQUEST_TIMEOUT_NANOS = 5_000_000_000L;
  /**
   * Log entries read from disk at a time while a replica recovers: with 1 MiB values, a page
   * is 64 MiB at most; the replica trims what it read to its retention as it goes.
   */
  static final int RECOVER_PAGE_ENTRIES = 64;
  /** Ticks between updates of the per-shard gauges (once a second). */
  static final int GAUGE_TICKS = (int) (1_000 / TICK_MS);

  /** A client request waiting for its replica's reply. Touched by the loop thread only. */
  private record Pending(boolean write, long startNanos, Consumer<ClientReply> callback) {}

  private final String self;
  private final NodeStore store;
  private final Function<String, KeyspaceSpec> keyspaces;
  private final Function<KeyspaceSpec, ReplicaOptions> optionsFor;
  private final EventLog events;
  private final Metrics metrics;
  private final FatalHandler fatal;
  private final DiskGuard disk;
  private final LearnerProgressBoard progress;
  private final BlockingQueue<Runnable> queue = new LinkedBlockingQueue<>(QUEUE_MAX);
  private final Map<ShardId, ShardReplica> replicas = new TreeMap<>();
  private final Map<ShardId, Outbox> outboxes = new HashMap<>();
  private final Map<Long, Pending> pending = new HashMap<>();
  /** Log effects of the current pass, handed to the log writer when the pass ends. */
  private final List<LogWriter.Task> logEffects = new ArrayList<>();
  private final ScheduledExecutorService ticker =
      Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "bulwark-ticker"));
  private final Thread thread;
  private volatile boolean running = true;
  private long nextRequestId = 1;
  private long ticks;

  private PeerTransport transport;
  private LogWriter logWriter;
  private ConfigProposer proposer;
  private Consumer<List<ShardId>> dormantListener = d -> { };
  /** Where a participant primary's stale transactions go (the node's coordinators). */
  private volatile TxnStaleHandler staleHandler = (shard, stale) -> { };

  /** Takes {@code Effect.TxnStale} of a shard's primary (DESIGN §5 recovery). */
  interface TxnStaleHandler {
    void stale(ShardId shard, Effect.TxnStale stale);
  }

  /** Runs configuration compare-and-sets off the loop thread. */
  interface ConfigProposer {
    void propose(ShardId shard, long expectedEpoch, ShardConfig next);
  }

  ReplicaLoop(String self, NodeStore store, Function<String, KeyspaceSpec> keyspaces,
      Function<KeyspaceSpec, ReplicaOptions> optionsFor, EventLog events, Metrics metrics,
      FatalHandler fatal, DiskGuard disk) {
    this.self = self;
    this.store = store;
    this.keyspaces = keyspaces;
    this.optionsFor = optionsFor;
    this.events = events;
    this.metrics = metrics;
    this.fatal = fatal;
    this.disk = disk;
    this.progress = new LearnerProgressBoard(events);
    this.thread = daemon(this::run, "bulwark-replicas");
  }

  /**
   * Sets where stale transactions go. Reports before it is set are dropped, which costs nothing:
   * a primary repeats them every txn-timeout while the transaction is unresolved.
   */
  void onTxnStale(TxnStaleHandler handler) {
    this.staleHandler = handler;
  }

  void start(PeerTransport transport, LogWriter logWriter, ConfigProposer proposer) {
    this.transport = transport;
    this.logWriter = logWriter;
    this.proposer = proposer;
    thread.start();
    ticker.scheduleAtFixedRate(() -> submit(this::tick), TICK_MS, TICK_MS, TimeUnit.MILLISECONDS);
  }

  /**
   * Once a second, tells {@code listener} (on the loop thread; it must not block) which shards
   * this node holds dormant: their data is on disk, but the node is not their replica (it was
   * removed while it was away). Set before {@link #start}.
   */
  void onDormant(Consumer<List<ShardId>> listener) {
    this.dormantListener = listener;
  }

  private static Thread daemon(Runnable r, String name) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    return t;
  }

  /** Queues a task for the loop thread; refuses (false) when the queue is full. */
  boolean submit(Runnable task) {
    return queue.offer(task);
  }

  private void run() {
    List<Runnable> batch = new ArrayList<>();
    while (running) {
      try {
        Runnable first = queue.poll(100, TimeUnit.MILLISECONDS);
        if (first == null) {
          continue;
        }
        batch.add(first);
        queue.drainTo(batch, 4_096);
        for (Runnable r : batch) {
          r.run();
        }
        batch.clear();
        // The pass's applies in one write, before its log effects reach the writer: trims
        // and empty-log appends check the stored applied position.
        store.flushApplies();
        if (!logEffects.isEmpty()) {
          logWriter.submit(logEffects);
          logEffects.clear();
        }
        transport.flush();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (RuntimeException | Error e) {
        fatal.fatal("replica loop failed", e);
        return;
      }
    }
  }

  // ------------------------------------------------------------ inputs (any thread)

  /**
   * A peer's message for one of this node's replicas. While the {@link DiskGuard} refuses writes
   * (DESIGN §6), a message that would write (entries to append, a snapshot chunk) is dropped
   * before the replica sees it: to its primary this backup looks like one with a stalled disk,
   * which acks nothing new and is removed after a lease without progress (§3 rule 5). That is
   * safe because a backup acks only what it holds durably (§3 rule 2): an entry never appended
   * here was never acked from here, so no commit counted this node for it. Beacons and empty
   * ReplicatePrepares write nothing and are still handled (see {@link
   * DiskGuard#refusesReplication}). Checked on the loop thread, just before the replica would
   * append, so a message queued before the refusal began is refused too.
   */
  void onMessage(String from, Message m) {
    submit(() -> {
      if (disk.refusesReplication(m)) {
        metrics.replicaRefused(m.getClass().getSimpleName());
        return;
      }
      ShardReplica r = replicas.get(m.shard());
      if (r == null && keyspaces.apply(m.shard().keyspace()) != null && mentionsSelf(m)) {
        r = open(m.shard());
      }
      if (r != null) {
        dispatch(r, new Input.Received(System.nanoTime(), from, m));
      }
    });
  }

  private boolean mentionsSelf(Message m) {
    if (m instanceof Message.ReplicatePrepare p) {
      return p.config().isReplica(self);
    }
    if (m instanceof Message.Beacon b) {
      return b.config().isReplica(self);
    }
    if (m instanceof Message.SnapshotChunk c) {
      return c.config().isReplica(self);
    }
    return false;
  }

  void onConfig(ShardConfig c) {
    submit(() -> {
      ShardReplica r = replicas.get(c.shard());
      if (r == null && c.isReplica(self) && keyspaces.apply(c.shard().keyspace()) != null) {
        r = open(c.shard());
      }
      if (r != null) {
        dispatch(r, new Input.ConfigObserved(System.nanoTime(), c));
      }
    });
  }

  /** A peer's connection failed and could not be made again (its process is likely gone). */
  void onPeerUnreachable(String node) {
    submit(() -> {
      long now = System.nanoTime();
      for (ShardReplica r : replicas.values()) {
        dispatch(r, new Input.PeerUnreachable(now, node));
      }
    });
  }

  void onProposalResult(ShardId shard, ShardConfig proposed, boolean succeeded) {
    submit(() -> {
      ShardReplica r = replicas.get(shard);
      if (r != null) {
        dispatch(r, new Input.ProposalResult(System.nanoTime(), proposed, succeeded));
      }
    });
  }

  /**
   * A handover request from ZooKeeper (DESIGN §3 rule 8): only the primary of exactly the
   * requested epoch acts on it, so a stale request never moves a later primary.
   */
  void onHandoverRequest(ShardId shard, long epoch, String target) {
    submit(() -> {
      ShardReplica r = replicas.get(shard);
      if (r == null || r.role() != ShardReplica.Role.PRIMARY || r.config() == null) {
        return;
      }
      if (r.config().epoch() == epoch) {
        dispatch(r, new Input.HandOver(System.nanoTime(), target));
      } else {
        events.emit("handover", "shard=" + shard + " target=" + target + " phase=aborted"
            + " reason=stale-request epoch=" + epoch + " current=" + r.config().epoch());
      }
    });
  }

  void onDurable(ShardId shard, long index, long epoch) {
    submit(() -> {
      ShardReplica r = replicas.get(shard);
      if (r != null) {
        dispatch(r, new Input.LogDurable(System.nanoTime(), index, epoch));
      }
    });
  }

  /**
   * Hands a client request to a shard's replica. {@code make} builds the input from the request
   * id and the dispatch time; {@code callback} runs on the loop thread with the reply.
   */
  void request(ShardId shard, boolean write, RequestFactory make, Consumer<ClientReply> callback) {
    boolean queued = submit(() -> {
      ShardReplica r = replicas.get(shard);
      if (r == null) {
        callback.accept(new ClientReply.Refused(ClientReply.Refusal.NOT_PRIMARY,
            self + " holds no replica of " + shard, null));
        return;
      }
      long id = nextRequestId++;
      long now = System.nanoTime();
      pending.put(id, new Pending(write, now, callback));
      dispatch(r, make.make(id, now));
    });
    if (!queued) {
      callback.accept(new ClientReply.Refused(ClientReply.Refusal.UNAVAILABLE,
          "node " + self + " is overloaded: its request queue is full", null));
    }
  }

  /** Builds a client input for a request id at a dispatch time. */
  interface RequestFactory {
    Input make(long requestId, long nowNanos);
  }

  /** Drops a replica and its data (its keyspace was dropped). */
  void drop(ShardId shard) {
    submit(() -> {
      if (replicas.remove(shard) != null) {
        outboxes.remove(shard);
        store.dropShard(shard);
        events.emit("replica-removed", "shard=" + shard + " reason=keyspace-dropped");
      }
    });
  }

  // ------------------------------------------------------------ loop thread

  /** Opens every shard this node holds data for (crash recovery: replay from the log). */
  void recover() {
    for (ShardId shard : store.shards()) {
      if (keyspaces.apply(shard.keyspace()) == null) {
        LOG.warn("event=orphan-shard shard={} reason=\"keyspace no longer exists\"", shard);
        continue;
      }
      submit(() -> {
        if (!replicas.containsKey(shard)) {
          open(shard);
        }
      });
    }
  }

  private ShardReplica open(ShardId shard) {
    KeyspaceSpec spec = keyspaces.apply(shard.keyspace());
    RocksShardStateMachine sm = store.stateMachine(shard);
    long first = store.firstLogIndex(shard);
    long baseIndex = 0;
    long baseEpoch = 0;
    byte[] base = store.getMeta(shard, LogWriter.BASE_KEY);
    if (base != null) {
      ByteBuffer b = ByteBuffer.wrap(base);
      baseIndex = b.getLong();
      baseEpoch = b.getLong();
    }
    Iterable<LogEntry> entries = List.of();
    if (first > 0) {
      if (first - 1 != baseIndex) {
        // No recorded base for this first entry (never trimmed): the log starts at index 1.
        baseIndex = first - 1;
        baseEpoch = baseIndex == sm.appliedIndex() ? sm.appliedEpoch() : 0;
      }
      entries = logFrom(shard, first);
    }
    Outbox out = new Outbox();
    ShardReplica r = new ShardReplica(shard, self, optionsFor.apply(spec), sm, baseIndex,
        baseEpoch, entries, out, System.nanoTime());
    replicas.put(shard, r);
    outboxes.put(shard, out);
    events.emit("replica-opened", "shard=" + shard + " applied=" + sm.appliedIndex()
        + " log=" + r.logFirstIndex() + ".." + r.lastIndex());
    return r;
  }

  /**
   * The shard's stored log from {@code first} on, read a page at a time as the replica takes
   * it: recovery holds the replica's retained log and one page, not the whole log on disk.
   */
  private Iterable<LogEntry> logFrom(ShardId shard, long first) {
    return () -> new Iterator<>() {
      private long next = first;
      private Iterator<LogEntry> page = List.<LogEntry>of().iterator();
      private boolean exhausted;

      @Override
      public boolean hasNext() {
        if (!page.hasNext() && !exhausted) {
          List<LogEntry> read = store.readLog(shard, next, RECOVER_PAGE_ENTRIES);
          exhausted = read.size() < RECOVER_PAGE_ENTRIES;
          next += read.size();
          page = read.iterator();
        }
        return page.hasNext();
      }

      @Override
      public LogEntry next() {
        if (!hasNext()) {
          throw new NoSuchElementException("log of " + shard + " ends before " + next);
        }
        return page.next();
      }
    };
  }

  private void dispatch(ShardReplica r, Input in) {
    r.handle(in);
    Outbox out = outboxes.get(r.shard());
    for (Effect e : out.drain()) {
      perform(r.shard(), e);
    }
  }

  private void perform(ShardId shard, Effect e) {
    if (e instanceof Effect.Send s) {
      transport.enqueue(s.to(), s.message());
    } else if (e instanceof Effect.Reply rep) {
      Pending p = pending.remove(rep.requestId());
      if (p != null) {
        p.callback().accept(releasable(rep.reply()));
      }
    } else if (e instanceof Effect.ProposeConfig pc) {
      proposer.propose(shard, pc.expectedEpoch(), pc.next());
    } else if (e instanceof Effect.Emit em) {
      events.emit(em.event(), em.detail());
      metrics.txnEvent(em.event(), em.detail());
    } else if (e instanceof Effect.TxnStale stale) {
      staleHandler.stale(shard, stale);
    } else {
      logEffects.add(new LogWriter.Task(shard, e));
    }
  }

  /** A read is released only if a clock reading taken now is still inside its lease (§3.6). */
  private static ClientReply releasable(ClientReply reply) {
    long validUntil = Long.MAX_VALUE;
    if (reply instanceof ClientReply.ReadValue rv) {
      validUntil = rv.validUntilNanos();
    } else if (reply instanceof ClientReply.Scanned sc) {
      validUntil = sc.validUntilNanos();
    } else if (reply instanceof ClientReply.IntentFound found) {
      validUntil = found.validUntilNanos();
    }
    if (System.nanoTime() >= validUntil) {
      return new ClientReply.Refused(ClientReply.Refusal.UNAVAILABLE,
          "the primary's lease lapsed while the read was served; retry", null);
    }
    return reply;
  }

  private void tick() {
    long now = System.nanoTime();
    for (ShardReplica r : replicas.values()) {
      dispatch(r, new Input.Tick(now));
    }
    if (++ticks % GAUGE_TICKS == 0) {
      publishGauges();
      // Re-read the disk once a second even with no write to ask: writes-refused and
      // writes-resumed then mark when the node stopped and started taking writes, also on a
      // node that holds no role (its backups were removed while it refused).
      disk.refusal();
      List<ShardId> dormant = new ArrayList<>();
      replicas.forEach((shard, r) -> {
        if (r.role() == ShardReplica.Role.NONE) {
          dormant.add(shard);
        }
      });
      dormantListener.accept(dormant);
    }
    for (Iterator<Map.Entry<Long, Pending>> it = pending.entrySet().iterator(); it.hasNext(); ) {
      Pending p = it.next().getValue();
      if (now - p.startNanos() > REQUEST_TIMEOUT_NANOS) {
        it.remove();
        p.callback().accept(p.write()
            ? new ClientReply.Indeterminate("no reply from the shard within 5 s; retry with "
                + "the same request id to learn the outcome")
            : new ClientReply.Refused(ClientReply.Refusal.UNAVAILABLE,
                "no reply from the shard within 5 s", null));
      }
    }
  }

  /** Sets the per-shard gauges documented in {@link Metrics}. */
  private void publishGauges() {
    for (ShardReplica r : replicas.values()) {
      String ks = r.shard().keyspace();
      String shard = Integer.toString(r.shard().shard());
      metrics.shardRole.labelValues(ks, shard).set(r.role().ordinal());
      metrics.shardEpoch.labelValues(ks, shard).set(r.config() == null ? 0 : r.config().epoch());
      metrics.shardCommitted.labelValues(ks, shard).set(r.committedIndex());
      metrics.shardApplied.labelValues(ks, shard).set(r.appliedIndex());
      metrics.shardLogBytes.labelValues(ks, shard).set(r.logBytes());
      metrics.txnInDoubt.labelValues(ks, shard).set(r.role() == ShardReplica.Role.PRIMARY
          ? store.stateMachine(r.shard()).preparedTxns().size() : 0);
      progress.publish(r.shard(), r.learnerProgress());
    }
  }

  /** Re-replication progress of the shards this node is primary of (any thread). */
  LearnerProgressBoard progress() {
    return progress;
  }

  @Override
  public void close() {
    ticker.shutdownNow();
    running = false;
    try {
      thread.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
