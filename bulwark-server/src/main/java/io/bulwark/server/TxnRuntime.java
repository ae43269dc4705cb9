package io.bulwark.server;

import io.bulwark.core.common.KeyspaceSpec;
import io.bulwark.core.common.ShardId;
import io.bulwark.core.pb.ClientReply;
import io.bulwark.core.pb.Op;
import io.bulwark.core.txn.TxnCoordinator;
import io.bulwark.core.txn.TxnEffect;
import io.bulwark.core.txn.TxnInput;
import io.bulwark.core.txn.TxnOutcome;
import io.bulwark.core.txn.TxnRequest;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Hosts this node's transaction coordinators (DESIGN §5, docs/transactions.md): one
 * {@link TxnCoordinator} per keyspace (its key-to-shard function is the keyspace's), all driven
 * by the one thread {@code bulwark-txn}, which also ticks them every {@link #TICK_MS}. Any thread
 * may call {@link #commit} and {@link #recover}; they only queue work for that thread.
 *
 * <p>Effects: a {@link TxnEffect.Call} goes to the shard's primary through {@link ShardCaller}
 * and its answer comes back as {@link TxnInput.CallReply}; a {@link TxnEffect.Reply} completes
 * the client's commit; an {@link TxnEffect.Emit} becomes an event and the txn metrics.
 *
 * <p>Nothing here is needed for safety: every decision is a log entry of some shard, so losing
 * this state in a crash only delays transactions until the participants' recovery resolves them.
 *
 * <p>Test hook ({@code test.txn-hold-after-votes.ms}): the decide of a commit whose votes are all
 * in is held that long, with an event {@code txn-test-hold}, so a test can kill the node there.
 */
final class TxnRuntime implements AutoCloseable {
  static final long TICK_MS = 50;
  /** How long an unanswered call waits before the coordinator resends it. */
  static final long CALL_RETRY_MS = 300;
  /** Most commits and recoveries in progress on this node; more commits abort at once. */
  static final int IN_PROGRESS_MAX = 10_000;
  private static final long MS = 1_000_000L;

  private final String self;
  private final Function<String, KeyspaceSpec> keyspaces;
  private final ShardCaller caller;
  private final EventLog events;
  private final Metrics metrics;
  private final NodeConfig.TxnSettings settings;
  private final FatalHandler fatal;
  private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "bulwark-txn");
    t.setDaemon(true);
    return t;
  });
  /** Touched by the txn thread only. */
  private final Map<String, TxnCoordinator> coordinators = new HashMap<>();
  private final Map<Long, Consumer<TxnOutcome>> replies = new HashMap<>();
  private long nextRequestId = 1;

  TxnRuntime(String self, Function<String, KeyspaceSpec> keyspaces, ShardCaller caller,
      EventLog events, Metrics metrics, NodeConfig.TxnSettings settings, FatalHandler fatal) {
    this.self = self;
    this.keyspaces = keyspaces;
    this.caller = caller;
    this.events = events;
    this.metrics = metrics;
    this.settings = settings;
    this.fatal = fatal;
  }

  void start() {
    thread.scheduleAtFixedRate(() -> run(this::tick), TICK_MS, TICK_MS, TimeUnit.MILLISECONDS);
  }

  /**
   * Commits {@code txn} in {@code keyspace} (validated by the caller); {@code reply} gets the
   * outcome once, on the txn thread or the caller's.
   */
  void commit(String keyspace, TxnRequest txn, Consumer<TxnOutcome> reply) {
    boolean queued = submit(() -> {
      if (inProgress() >= IN_PROGRESS_MAX) {
        // Nothing was sent for it: a definite abort.
        reply.accept(TxnOutcome.aborted("node " + self + " has " + IN_PROGRESS_MAX
            + " transactions in progress; retry later"));
        return;
      }
      long id = nextRequestId++;
      replies.put(id, reply);
      handle(keyspace, new TxnInput.Commit(System.nanoTime(), id, txn));
    });
    if (!queued) {
      reply.accept(new TxnOutcome(TxnOutcome.Status.UNKNOWN, "node " + self + " is closing"));
    }
  }

  /** A participant primary here reported {@code txnId} stale ({@code Effect.TxnStale}). */
  void recover(ShardId participant, String txnId, byte[] recordKey) {
    submit(() -> handle(participant.keyspace(),
        new TxnInput.Recover(System.nanoTime(), txnId, recordKey, participant)));
  }

  private int inProgress() {
    return coordinators.values().stream().mapToInt(TxnCoordinator::inProgress).sum();
  }

  private boolean submit(Runnable task) {
    try {
      thread.execute(() -> run(task));
      return true;
    } catch (RejectedExecutionException closed) {
      return false;
    }
  }

  private void run(Runnable task) {
    try {
      task.run();
    } catch (RuntimeException | Error e) {
      fatal.fatal("transaction coordinator failed", e);
    }
  }

  private void tick() {
    long now = System.nanoTime();
    for (String keyspace : coordinators.keySet().toArray(new String[0])) {
      handle(keyspace, new TxnInput.Tick(now));
    }
    metrics.txnCoordinating.set(inProgress());
  }

  private void handle(String keyspace, TxnInput in) {
    TxnCoordinator c = coordinators.get(keyspace);
    if (c == null) {
      KeyspaceSpec spec = keyspaces.apply(keyspace);
      if (spec == null) {
        failUnknownKeyspace(keyspace, in);
        return;
      }
      c = new TxnCoordinator(self, key -> new ShardId(keyspace, spec.shardOf(key)),
          settings.timeoutMs() * MS, CALL_RETRY_MS * MS, settings.maxLifetimeMs() * MS);
      coordinators.put(keyspace, c);
    }
    c.handle(in);
    for (TxnEffect e : c.drain()) {
      perform(keyspace, e);
    }
  }

  private void failUnknownKeyspace(String keyspace, TxnInput in) {
    if (in instanceof TxnInput.Commit commit) {
      replies.remove(commit.requestId()).accept(TxnOutcome.aborted("keyspace " + keyspace
          + " does not exist"));
    }
  }

  private void perform(String keyspace, TxnEffect e) {
    if (e instanceof TxnEffect.Call call) {
      if (settings.testHoldAfterVotesMs() > 0 && isDecide(call)) {
        events.emit("txn-test-hold", "shard=" + call.shard() + " ms="
            + settings.testHoldAfterVotesMs() + " " + describe(call));
        thread.schedule(() -> run(() -> send(keyspace, call)), settings.testHoldAfterVotesMs(),
            TimeUnit.MILLISECONDS);
      } else {
        send(keyspace, call);
      }
    } else if (e instanceof TxnEffect.Reply r) {
      Consumer<TxnOutcome> reply = replies.remove(r.requestId());
      if (reply != null) {
        reply.accept(r.outcome());
      }
    } else if (e instanceof TxnEffect.Emit em) {
      events.emit(em.event(), em.detail());
      metrics.txnEvent(em.event(), em.detail());
    }
  }

  private void send(String keyspace, TxnEffect.Call call) {
    caller.call(call.shard(), call.call(), (ClientReply reply) -> submit(() -> handle(keyspace,
        new TxnInput.CallReply(System.nanoTime(), call.callId(), reply))));
  }

  private static boolean isDecide(TxnEffect.Call call) {
    return call.call() instanceof TxnEffect.Write w
        && w.command().op() instanceof Op.TxnRecordDecide;
  }

  private static String describe(TxnEffect.Call call) {
    Op.TxnRecordDecide d = (Op.TxnRecordDecide) ((TxnEffect.Write) call.call()).command().op();
    return "txn=" + d.txnId() + " decide=" + d.target();
  }

  @Override
  public void close() {
    thread.shutdownNow();
  }
}
