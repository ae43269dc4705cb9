package io.bulwark.sim;

import io.bulwark.core.common.ShardConfig;
import io.bulwark.core.common.ShardId;
import io.bulwark.core.pb.ClientReply;
import io.bulwark.core.pb.Effect;
import io.bulwark.core.pb.Input;
import io.bulwark.core.pb.Message;
import io.bulwark.core.pb.Outbox;
import io.bulwark.core.pb.Command;
import io.bulwark.core.pb.Op;
import io.bulwark.core.pb.Outcome;
import io.bulwark.core.pb.ShardReplica;
import io.bulwark.core.pb.TxnResult;
import io.bulwark.core.txn.TxnCoordinator;
import io.bulwark.core.txn.TxnEffect;
import io.bulwark.core.txn.TxnInput;
import io.bulwark.core.txn.TxnOutcome;
import io.bulwark.core.txn.TxnRequest;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SortedMap;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * One node process, doing what bulwark-server's ReplicaLoop does for real (DESIGN §1): it owns
 * this node's {@link ShardReplica}s and feeds them inputs one at a time, each stamped with this
 * node's own clock read at dispatch (§3.6); it performs their effects — sends through
 * {@link SimNetwork}, log effects through {@link SimDisk} in order, proposals through
 * {@link SimCoord}, replies to the waiting client, a read released only if the clock read after
 * it is still inside its lease — and ticks every replica periodically.
 *
 * <p>Lifecycle: {@link #crash} loses everything not on disk (replicas, queued writes, pending
 * requests); {@link #start} is a new process that opens every shard it has data for, from the
 * durable checkpoint and log, as the server does, and re-reads all configurations. A stall
 * (a long GC pause) defers every input until it ends; the clock runs on meanwhile.
 */
final class SimNode {
  /** As ReplicaLoop: a request unanswered this long gets INDETERMINATE (writes). */
  static final long REQUEST_TIMEOUT_NANOS = 5 * SimTime.SECOND;
  /** Most inputs held during a stall, as ReplicaLoop's bounded queue. */
  static final int DEFERRED_MAX = 200_000;
  /** The coordinator gives a commit up (UNKNOWN) after this many txn-timeouts. */
  static final long COORDINATOR_GIVE_UP_TIMEOUTS = 4;

  /** Builds a client input for a request id at the dispatch time. */
  interface RequestFactory {
    Input make(long requestId, long nowNanos);
  }

  private record Pending(boolean write, long startNanos, Consumer<ClientReply> callback) {}

  private final String id;
  private final SimScheduler scheduler;
  private final SplittableRandom random;
  private final SimKnobs knobs;
  private final SimTrace trace;
  private final SimClock clock;
  private final SimDisk disk;
  private final CommittedEntriesAgree ledger;
  private SimNetwork network;
  private SimCoord coord;

  private final TreeMap<ShardId, ShardReplica> replicas = new TreeMap<>();
  private final Map<ShardId, Outbox> outboxes = new TreeMap<>();
  private final Map<ShardId, SimStateMachine> machines = new TreeMap<>();
  private final Map<Long, Pending> pending = new LinkedHashMap<>();
  private final ArrayDeque<Runnable> deferred = new ArrayDeque<>();
  /** The transaction coordinator this process hosts (DESIGN §5); null while dead. */
  private TxnCoordinator coordinator;
  private final Map<Long, Consumer<TxnOutcome>> txnWaiters = new LinkedHashMap<>();
  private long nextTxnRequestId = 1;
  private Function<String, SimNode> peers;
  private Function<byte[], ShardId> shardOf;
  private TxnStepHook stepHook = TxnStepHook.NONE;
  /** The broken variant: the runtime tells the coordinator YES for a vote it has not heard. */
  private boolean forgeVotes;
  /** Killed at a protocol step, crashing as the next event: sends no transaction traffic. */
  private boolean txnMuted;
  private long nextRequestId = 1;
  private int incarnation;
  private boolean alive;
  private long stalledUntilNanos;
  private boolean releaseDelays;

  SimNode(String id, SimScheduler scheduler, SplittableRandom random, SimKnobs knobs,
      SimTrace trace, SimClock clock, SimDisk disk, CommittedEntriesAgree ledger) {
    this.id = id;
    this.scheduler = scheduler;
    this.random = random;
    this.knobs = knobs;
    this.trace = trace;
    this.clock = clock;
    this.disk = disk;
    this.ledger = ledger;
  }

  void wire(SimNetwork network, SimCoord coord) {
    this.network = network;
    this.coord = coord;
  }

  /**
   * Wires the transaction coordinator's environment: other nodes (to route its calls), the
   * keyspace's key -> shard function, the nemesis' protocol-step hook, and whether this runtime
   * is the broken one that reports votes it never received ({@link Variant}).
   */
  void wireTxn(Function<String, SimNode> peers, Function<byte[], ShardId> shardOf,
      TxnStepHook hook, boolean forgeVotes) {
    this.peers = peers;
    this.shardOf = shardOf;
    this.stepHook = hook;
    this.forgeVotes = forgeVotes;
  }

  String id() {
    return id;
  }

  int incarnation() {
    return incarnation;
  }

  boolean isAlive() {
    return alive;
  }

  SimClock clock() {
    return clock;
  }

  SimDisk disk() {
    return disk;
  }

  /** Read-only view for invariants and final checks. */
  SortedMap<ShardId, ShardReplica> replicas() {
    return Collections.unmodifiableSortedMap(replicas);
  }

  SimStateMachine stateMachine(ShardId shard) {
    return machines.get(shard);
  }

  /** Delays some read releases, as a pause between reading a value and releasing it would. */
  void releaseDelays(boolean on) {
    this.releaseDelays = on;
  }

  // ------------------------------------------------------------ lifecycle

  /** A new process: opens the shards it has data for and reads every configuration. */
  void start() {
    if (alive) {
      throw new IllegalStateException(id + " is already running");
    }
    alive = true;
    incarnation++;
    stalledUntilNanos = 0;
    txnMuted = false;
    disk.attach(this::onDurable);
    if (shardOf != null) {
      long timeout = knobs.replica.txnTimeoutNanos();
      coordinator = new TxnCoordinator(id, shardOf, timeout, knobs.coordinatorRetryNanos,
          COORDINATOR_GIVE_UP_TIMEOUTS * timeout);
    }
    for (ShardId shard : disk.shards()) {
      open(shard);
    }
    trace.record(id, "node:started", "incarnation=" + incarnation + " shards=" + disk.shards()
        + " clock=" + clock.nowNanos());
    coord.refreshAll(this);
    scheduleTick(incarnation);
  }

  /** Kill -9: everything not durable is gone. */
  void crash() {
    if (!alive) {
      return;
    }
    alive = false;
    incarnation++;
    disk.crash();
    replicas.clear();
    outboxes.clear();
    machines.clear();
    pending.clear();
    deferred.clear();
    coordinator = null;
    txnWaiters.clear();
    trace.record(id, "node:crashed", "incarnation=" + (incarnation - 1));
  }

  /** A pause of the whole process until {@code untilNanos} (global time). */
  void stall(long untilNanos) {
    if (!alive || untilNanos <= stalledUntilNanos) {
      return;
    }
    stalledUntilNanos = untilNanos;
    int inc = incarnation;
    trace.record(id, "node:stalled", "until=" + SimTime.format(untilNanos));
    scheduler.at(untilNanos, () -> {
      if (inc == incarnation && scheduler.nowNanos() >= stalledUntilNanos) {
        // In the server the ticker's catch-up tick may run before what the network delivered
        // during the stall, or after it; the seed picks. Tick first is the order in which a
        // waking replica would blame its peers for its own pause (ShardReplica.discountOwnPause).
        if (random.nextBoolean()) {
          tick();
        }
        drainDeferred();
      }
    });
  }

  private void drainDeferred() {
    for (int i = 0; i < DEFERRED_MAX && !deferred.isEmpty() && alive; i++) {
      deferred.pollFirst().run();
    }
  }

  /** Runs an input now, or after the stall; drops it if the process is dead. */
  private void run(Runnable input) {
    if (!alive) {
      return;
    }
    if (scheduler.nowNanos() < stalledUntilNanos) {
      if (deferred.size() < DEFERRED_MAX) {
        deferred.addLast(input);
      }
      return;
    }
    input.run();
  }

  // ------------------------------------------------------------ inputs

  void receive(String from, Message m) {
    run(() -> {
      ShardReplica r = replicas.get(m.shard());
      if (r == null && mentionsSelf(m)) {
        r = open(m.shard());
      }
      if (r != null) {
        dispatch(r, new Input.Received(clock.nowNanos(), from, m));
      }
    });
  }

  void onConfig(ShardConfig c) {
    run(() -> {
      ShardReplica r = replicas.get(c.shard());
      if (r == null && c.isReplica(id)) {
        r = open(c.shard());
      }
      if (r != null) {
        dispatch(r, new Input.ConfigObserved(clock.nowNanos(), c));
      }
    });
  }

  /** The runtime could not connect to {@code node} (a refused connection, §3.7). */
  void onPeerUnreachable(String node) {
    run(() -> {
      long now = clock.nowNanos();
      for (ShardReplica r : replicas.values()) {
        dispatch(r, new Input.PeerUnreachable(now, node));
      }
    });
  }

  void onProposalResult(ShardConfig proposed, boolean succeeded) {
    run(() -> {
      ShardReplica r = replicas.get(proposed.shard());
      if (r != null) {
        dispatch(r, new Input.ProposalResult(clock.nowNanos(), proposed, succeeded));
      }
    });
  }

  /** The controller's request that this node's replica of {@code shard} hand over (§3.8). */
  void handOver(ShardId shard, String target) {
    run(() -> {
      ShardReplica r = replicas.get(shard);
      if (r != null) {
        dispatch(r, new Input.HandOver(clock.nowNanos(), target));
      }
    });
  }

  private void onDurable(ShardId shard, long index, long epoch) {
    run(() -> {
      ShardReplica r = replicas.get(shard);
      if (r != null) {
        dispatch(r, new Input.LogDurable(clock.nowNanos(), index, epoch));
      }
    });
  }

  /** A client request arriving at this node; {@code callback} gets the (released) reply. */
  void request(ShardId shard, boolean write, RequestFactory make,
      Consumer<ClientReply> callback) {
    run(() -> {
      ShardReplica r = replicas.get(shard);
      if (r == null) {
        callback.accept(new ClientReply.Refused(ClientReply.Refusal.NOT_PRIMARY,
            id + " holds no replica of " + shard, null));
        return;
      }
      long requestId = nextRequestId++;
      long now = clock.nowNanos();
      pending.put(requestId, new Pending(write, now, callback));
      dispatch(r, make.make(requestId, now));
    });
  }

  private boolean mentionsSelf(Message m) {
    if (m instanceof Message.ReplicatePrepare p) {
      return p.config().isReplica(id);
    }
    if (m instanceof Message.Beacon b) {
      return b.config().isReplica(id);
    }
    if (m instanceof Message.SnapshotChunk c) {
      return c.config().isReplica(id);
    }
    return false;
  }

  private void scheduleTick(int inc) {
    scheduler.after(clock.globalDelayFor(knobs.tickNanos), () -> {
      if (inc != incarnation) {
        return;
      }
      if (scheduler.nowNanos() >= stalledUntilNanos) {
        tick();
      }
      scheduleTick(inc);
    });
  }

  private void tick() {
    long now = clock.nowNanos();
    for (ShardReplica r : replicas.values()) {
      dispatch(r, new Input.Tick(now));
    }
    if (coordinator != null && alive) {
      coordinator.handle(new TxnInput.Tick(now));
      performTxn();
    }
    for (Iterator<Pending> it = pending.values().iterator(); it.hasNext(); ) {
      Pending p = it.next();
      if (now - p.startNanos() > REQUEST_TIMEOUT_NANOS) {
        it.remove();
        p.callback().accept(p.write()
            ? new ClientReply.Indeterminate("no reply from the shard within 5 s")
            : new ClientReply.Refused(ClientReply.Refusal.UNAVAILABLE,
                "no reply from the shard within 5 s", null));
      }
    }
  }

  // ------------------------------------------------------------ replicas and effects

  private ShardReplica open(ShardId shard) {
    SimDisk.Recovered rec = disk.recover(shard);
    SimStateMachine sm = new SimStateMachine(shard, id, rec.checkpoint(), ledger,
        installed -> disk.checkpointNow(shard, installed));
    Outbox out = new Outbox();
    ShardReplica r = new ShardReplica(shard, id, knobs.replica, sm, rec.baseIndex(),
        rec.baseEpoch(), rec.entries(), out, clock.nowNanos());
    replicas.put(shard, r);
    outboxes.put(shard, out);
    machines.put(shard, sm);
    trace.record(id, "node:replica-opened", "shard=" + shard + " applied=" + sm.appliedIndex()
        + " log=" + (rec.baseIndex() + 1) + ".." + (rec.baseIndex() + rec.entries().size()));
    return r;
  }

  private void dispatch(ShardReplica r, Input in) {
    r.handle(in);
    for (Effect e : outboxes.get(r.shard()).drain()) {
      perform(r.shard(), e);
    }
  }

  private void perform(ShardId shard, Effect e) {
    if (e instanceof Effect.Send s) {
      network.send(id, s.to(), s.message());
    } else if (e instanceof Effect.Reply rep) {
      Pending p = pending.remove(rep.requestId());
      if (p != null) {
        release(rep.reply(), p.callback());
      }
    } else if (e instanceof Effect.ProposeConfig pc) {
      coord.propose(this, pc.expectedEpoch(), pc.next());
    } else if (e instanceof Effect.Emit em) {
      trace.record(id, "core:" + em.event(), em.detail());
      if (em.event().equals("handover")) {
        trace.count(handoverProbe(em.detail()));
      }
      if (em.event().equals("replica-wiped")) {
        throw new SimFailure("replica " + id + " of " + shard + " was wiped: it had applied an"
            + " entry the primary's log does not hold, impossible with acks ALL (" + em.detail()
            + ")");
      }
    } else if (e instanceof Effect.TxnStale st) {
      if (coordinator != null) {
        trace.record(id, "node:txn-stale", "txn=" + st.txnId() + " shard=" + shard);
        coordinator.handle(new TxnInput.Recover(clock.nowNanos(), st.txnId(), st.recordKey(),
            shard));
        performTxn();
      }
    } else if (e instanceof Effect.TrimLog) {
      disk.submit(shard, e, machines.get(shard).snapshot());
    } else {
      disk.submit(shard, e, null);
    }
  }

  // ------------------------------------------------------------ transaction coordinator

  /** A client's commit arriving at this node's coordinator; {@code callback} gets the outcome. */
  void commitTxn(TxnRequest txn, Consumer<TxnOutcome> callback) {
    run(() -> {
      if (coordinator == null) {
        return;
      }
      long requestId = nextTxnRequestId++;
      txnWaiters.put(requestId, callback);
      coordinator.handle(new TxnInput.Commit(clock.nowNanos(), requestId, txn));
      performTxn();
    });
  }

  /** This node is about to crash at a protocol step: it sends no more transaction traffic. */
  void muteTxn() {
    txnMuted = true;
  }

  /** Performs the coordinator's effects; stops if a protocol-step fault killed this node. */
  private void performTxn() {
    int inc = incarnation;
    int preparesInBatch = 0;
    for (TxnEffect e : coordinator.drain()) {
      if (inc != incarnation || txnMuted) {
        return;
      }
      if (e instanceof TxnEffect.Reply r) {
        Consumer<TxnOutcome> waiter = txnWaiters.remove(r.requestId());
        if (waiter != null) {
          waiter.accept(r.outcome());
        }
      } else if (e instanceof TxnEffect.Emit em) {
        trace.record(id, "coordinator:" + em.event(), em.detail());
      } else if (e instanceof TxnEffect.Call call) {
        if (isPrepare(call)) {
          preparesInBatch++;
        }
        if (stepHook.beforeCall(this, call, preparesInBatch)) {
          return; // This node was just killed: the rest of the batch never left it.
        }
        sendCall(call);
      }
    }
  }

  static boolean isPrepare(TxnEffect.Call call) {
    return call.call() instanceof TxnEffect.Write w && w.command().op() instanceof Op.TxnPrepare p
        && !p.onePhase();
  }

  /** Routes one call to the shard's primary as ZooKeeper names it, like a client request. */
  private void sendCall(TxnEffect.Call call) {
    if (forgeVotes && isPrepare(call)) {
      // Variant TXN_COMMIT_WITHOUT_ALL_VOTES: a YES the participant never sent.
      trace.count("node:vote-forged");
      coordinator.handle(new TxnInput.CallReply(clock.nowNanos(), call.callId(),
          new ClientReply.Written(Outcome.txn(0, TxnResult.of(TxnResult.Status.PREPARED)))));
    }
    ShardConfig c = coord.config(call.shard());
    if (c == null) {
      return;
    }
    SimNode target = peers.apply(c.primary());
    int inc = incarnation;
    Command command = call.call() instanceof TxnEffect.Write w ? w.command() : null;
    RequestFactory make = command != null
        ? (rid, now) -> new Input.ClientWrite(now, rid, command)
        : (rid, now) -> new Input.TxnResolve(now, rid, ((TxnEffect.Resolve) call.call()).txnId());
    network.call(id, target.id(), () -> target.request(call.shard(), true, make, reply -> {
      if (target.txnMuted || target.stepHook.beforeCallReply(target, command, reply)) {
        return; // The serving node died with the answer.
      }
      network.call(target.id(), id, () -> onCallReply(inc, call.callId(), reply));
    }));
  }

  private void onCallReply(int inc, long callId, ClientReply reply) {
    run(() -> {
      if (inc != incarnation || coordinator == null) {
        return;
      }
      coordinator.handle(new TxnInput.CallReply(clock.nowNanos(), callId, reply));
      performTxn();
    });
  }

  /** Transactions the hosted coordinator is working on (commits and recoveries). */
  int coordinatorInProgress() {
    return coordinator == null ? 0 : coordinator.inProgress();
  }

  /** {@code core:handover:<phase>}, so a batch reports handover paths it never reached. */
  static String handoverProbe(String detail) {
    int at = detail.indexOf("phase=");
    String phase = at < 0 ? "?" : detail.substring(at + 6).split(" ", 2)[0];
    return "core:handover:" + phase + (detail.contains("resumed-in-epoch") ? "-resumed" : "");
  }

  /** A read leaves only if a clock read after the value was read is inside its lease (§3.6). */
  private void release(ClientReply reply, Consumer<ClientReply> callback) {
    long validUntil = Long.MAX_VALUE;
    if (reply instanceof ClientReply.ReadValue rv) {
      validUntil = rv.validUntilNanos();
    } else if (reply instanceof ClientReply.Scanned sc) {
      validUntil = sc.validUntilNanos();
    } else if (reply instanceof ClientReply.IntentFound f) {
      validUntil = f.validUntilNanos();
    }
    if (validUntil == Long.MAX_VALUE) {
      callback.accept(reply);
      return;
    }
    long until = validUntil;
    Runnable check = () -> callback.accept(clock.nowNanos() >= until
        ? new ClientReply.Refused(ClientReply.Refusal.UNAVAILABLE,
            "the primary's lease lapsed while the read was served; retry", null)
        : reply);
    if (releaseDelays && random.nextInt(50) == 0) {
      int inc = incarnation;
      scheduler.after(random.nextLong(2 * knobs.replica.leaseNanos()), () -> {
        if (inc == incarnation) {
          trace.count("node:read-release-delayed");
          check.run();
        }
      });
    } else {
      check.run();
    }
  }
}
