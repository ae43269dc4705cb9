package io.bulwark.core.txn;

import io.bulwark.core.common.Invariants;
import io.bulwark.core.common.ShardId;
import io.bulwark.core.pb.ClientReply;
import io.bulwark.core.pb.Command;
import io.bulwark.core.pb.Op;
import io.bulwark.core.pb.TxnResult;
import io.bulwark.core.pb.TxnResult.Status;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * The transaction coordinator (DESIGN §5, docs/transactions.md): a pure state machine a node
 * hosts for the commits clients send it, and for the recovery of transactions that participant
 * primaries on the node report stale. It holds nothing safety needs — every decision is an entry
 * of some shard's log — so a crash of its node only delays transactions until the participants'
 * recovery resolves them.
 *
 * <p>What it sends (each a {@link TxnEffect.Call} the runtime routes to a shard's primary), in
 * protocol order:
 * <ol>
 *   <li>one shard: {@link Op.TxnPrepare} with {@code onePhase} — the whole commit;
 *   <li>{@link Op.TxnRecordCreate} at the record shard; anything but PENDING aborts;
 *   <li>{@link Op.TxnPrepare} at every participant; the first NO, or votes missing after
 *       txn-timeout, decide ABORTED; all YES decide COMMITTED;
 *   <li>{@link Op.TxnRecordDecide} at the record shard: the record's status afterwards is the
 *       transaction's fate (a timeout abort that applied first wins), and the client hears it now;
 *   <li>{@link Op.TxnCommit} / {@link Op.TxnAbort} at every participant; then it forgets.
 * </ol>
 * Recovery ({@link TxnInput.Recover}): {@link TxnEffect.Resolve} at the record shard until the
 * status is final, then {@code TxnCommit}/{@code TxnAbort} at the stale participant.
 *
 * <p>Commands carry {@code ("txn/" + txnId, phase)} (see {@link Op}), so resending is always
 * safe. An unanswered call is resent every {@code callRetryNanos}; a commit the record shard
 * never answered is given up after {@code giveUpNanos} with {@link TxnOutcome.Status#UNKNOWN}.
 *
 * <p>Not thread-safe: the runtime calls {@link #handle} from one thread.
 */
public final class TxnCoordinator {

  private enum Phase { ONE_PHASE, RECORD, PREPARE, DECIDE, RESOLVE, RECOVER_QUERY, RECOVER_APPLY }

  /** One call of the current phase to one shard. */
  private static final class Step {
    final ShardId shard;
    /** What is sent; a lost decide answer turns it into a query of the record (below). */
    TxnEffect.ShardCall call;
    long callId;
    long sentNanos;
    boolean answered;

    Step(ShardId shard, TxnEffect.ShardCall call) {
      this.shard = shard;
      this.call = call;
    }
  }

  private final class Txn {
    /** Key in {@link #txns}: the txn id for a commit, {@code txnId@shard} for a recovery. */
    String key;
    final String txnId;
    final TxnRequest request;
    /** The client's request id; null for a recovery. */
    final Long requestId;
    final long startedNanos;
    final ShardId recordShard;
    /** Participant shard -> its reads and writes (sorted: deterministic call order). */
    final TreeMap<ShardId, List<Op.TxnRead>> reads = new TreeMap<>();
    final TreeMap<ShardId, List<Op.TxnWrite>> writes = new TreeMap<>();
    /** For a recovery: the participant to resolve. */
    ShardId recoverAt;
    Phase phase;
    long phaseStartedNanos;
    final Map<ShardId, Step> steps = new LinkedHashMap<>();
    Status decided;
    String reason = "";

    Txn(String txnId, TxnRequest request, Long requestId, long now, ShardId recordShard) {
      this.key = txnId;
      this.txnId = txnId;
      this.request = request;
      this.requestId = requestId;
      this.startedNanos = now;
      this.recordShard = recordShard;
    }

    List<ShardId> participants() {
      TreeMap<ShardId, Boolean> all = new TreeMap<>();
      reads.keySet().forEach(s -> all.put(s, true));
      writes.keySet().forEach(s -> all.put(s, true));
      return new ArrayList<>(all.keySet());
    }
  }

  private final String node;
  private final Function<byte[], ShardId> shardOf;
  private final long txnTimeoutNanos;
  private final long callRetryNanos;
  private final long giveUpNanos;
  private final List<TxnEffect> out = new ArrayList<>();
  private final Map<String, Txn> txns = new LinkedHashMap<>();
  private final Map<Long, Txn> byCall = new HashMap<>();
  private long nextCallId = 1;

  /**
   * @param node the hosting node, for events
   * @param shardOf the keyspace's key -> shard function ({@code KeyspaceSpec.shardOf})
   * @param txnTimeoutNanos txn-timeout: how long it waits for votes before it decides ABORTED
   * @param callRetryNanos how long an unanswered call waits before it is resent
   * @param giveUpNanos how long after a commit began it stops trying to learn the outcome
   *     (answering UNKNOWN); must exceed txn-timeout
   */
  public TxnCoordinator(String node, Function<byte[], ShardId> shardOf, long txnTimeoutNanos,
      long callRetryNanos, long giveUpNanos) {
    Invariants.check(giveUpNanos > txnTimeoutNanos, "give-up %s must exceed txn-timeout %s",
        giveUpNanos, txnTimeoutNanos);
    Invariants.check(callRetryNanos > 0, "call retry must be positive, was %s", callRetryNanos);
    this.node = node;
    this.shardOf = shardOf;
    this.txnTimeoutNanos = txnTimeoutNanos;
    this.callRetryNanos = callRetryNanos;
    this.giveUpNanos = giveUpNanos;
  }

  /** Effects produced since the last drain, in order. */
  public List<TxnEffect> drain() {
    List<TxnEffect> e = new ArrayList<>(out);
    out.clear();
    return e;
  }

  /** Transactions in progress (commits and recoveries), for status and tests. */
  public int inProgress() {
    return txns.size();
  }

  /** Handles one input; effects go to {@link #drain}. */
  public void handle(TxnInput in) {
    long now = in.nowNanos();
    if (in instanceof TxnInput.Commit c) {
      onCommit(now, c.requestId(), c.txn());
    } else if (in instanceof TxnInput.Recover r) {
      onRecover(now, r.txnId(), r.recordKey(), r.participant());
    } else if (in instanceof TxnInput.CallReply r) {
      onCallReply(now, r.callId(), r.reply());
    } else if (in instanceof TxnInput.Tick) {
      onTick(now);
    } else {
      throw new IllegalArgumentException("unknown input " + in);
    }
  }

  // ---------------------------------------------------------------- starting

  private void onCommit(long now, long requestId, TxnRequest req) {
    if (txns.containsKey(req.txnId())) {
      Txn t = txns.get(req.txnId());
      if (t.requestId == null) {
        // Only a recovery of this id runs here: the client's commit comes too late to start one.
        out.add(new TxnEffect.Reply(requestId, new TxnOutcome(TxnOutcome.Status.UNKNOWN,
            "transaction " + req.txnId() + " is already being recovered; ask the record shard")));
      } else {
        out.add(new TxnEffect.Reply(requestId, new TxnOutcome(TxnOutcome.Status.UNKNOWN,
            "transaction " + req.txnId() + " is already committing on " + node)));
      }
      return;
    }
    Txn t = new Txn(req.txnId(), req, requestId, now, shardOf.apply(req.recordKey()));
    for (Op.TxnRead r : req.reads()) {
      t.reads.computeIfAbsent(shardOf.apply(r.key()), s -> new ArrayList<>()).add(r);
    }
    for (Op.TxnWrite w : req.writes()) {
      t.writes.computeIfAbsent(shardOf.apply(w.key()), s -> new ArrayList<>()).add(w);
    }
    txns.put(t.key, t);
    List<ShardId> participants = t.participants();
    if (participants.size() == 1) {
      enter(now, t, Phase.ONE_PHASE);
      addWrite(t, participants.get(0), Op.TXN_PHASE_PREPARE, prepareOf(t, participants.get(0),
          true));
    } else {
      List<Integer> numbers = participants.stream().map(ShardId::shard).toList();
      enter(now, t, Phase.RECORD);
      addWrite(t, t.recordShard, Op.TXN_PHASE_RECORD,
          new Op.TxnRecordCreate(t.txnId, numbers, txnTimeoutNanos));
    }
    sendDue(now, t);
  }

  private void onRecover(long now, String txnId, byte[] recordKey, ShardId participant) {
    String key = txnId + "@" + participant;
    if (txns.containsKey(txnId) || txns.containsKey(key)) {
      return; // Its commit, or this very recovery, is running here and will resolve it.
    }
    Txn t = new Txn(txnId, null, null, now, shardOf.apply(recordKey));
    t.key = key;
    t.recoverAt = participant;
    txns.put(key, t);
    enter(now, t, Phase.RECOVER_QUERY);
    t.steps.put(t.recordShard, new Step(t.recordShard, new TxnEffect.Resolve(txnId)));
    out.add(new TxnEffect.Emit("txn-recovery", "txn=" + txnId + " participant=" + participant
        + " record=" + t.recordShard));
    sendDue(now, t);
  }

  private Op.TxnPrepare prepareOf(Txn t, ShardId shard, boolean onePhase) {
    return new Op.TxnPrepare(t.txnId, t.request.recordKey(),
        t.reads.getOrDefault(shard, List.of()), t.writes.getOrDefault(shard, List.of()),
        onePhase);
  }

  private void enter(long now, Txn t, Phase phase) {
    for (Step s : t.steps.values()) {
      byCall.remove(s.callId);
    }
    t.steps.clear();
    t.phase = phase;
    t.phaseStartedNanos = now;
  }

  private void addWrite(Txn t, ShardId shard, long phase, Op op) {
    String client = Op.txnClientId(t.txnId);
    t.steps.put(shard, new Step(shard, new TxnEffect.Write(new Command(client, phase, phase, op))));
  }

  // ---------------------------------------------------------------- calls

  /** Sends every step not answered and not sent within the retry interval. */
  private void sendDue(long now, Txn t) {
    for (Step s : t.steps.values()) {
      if (s.answered || (s.callId != 0 && now - s.sentNanos < callRetryNanos)) {
        continue;
      }
      byCall.remove(s.callId);
      s.callId = nextCallId++;
      s.sentNanos = now;
      byCall.put(s.callId, t);
      out.add(new TxnEffect.Call(s.callId, s.shard, s.call));
    }
  }

  private void onCallReply(long now, long callId, ClientReply reply) {
    Txn t = byCall.get(callId);
    if (t == null) {
      return; // Late or duplicate.
    }
    Step step = null;
    for (Step s : t.steps.values()) {
      if (s.callId == callId && !s.answered) {
        step = s;
      }
    }
    if (step == null) {
      return;
    }
    if (t.phase == Phase.DECIDE && isStaleDuplicate(reply)) {
      // The decide's answer was lost, and a later phase of this txn (a participant's recovery,
      // resolving the record shard's own intents from the record) has run there since: the
      // resent decide is refused as stale and tells nothing about the fate. The record does:
      // ask it, as recovery would. Taking "stale" as ABORTED here told a client ABORTED about
      // a transaction whose record was COMMITTED (verify --workload bank, partition, seed 3001).
      step.call = new TxnEffect.Resolve(t.txnId);
      step.callId = 0;
      byCall.remove(callId);
      sendDue(now, t);
      return;
    }
    TxnResult result = resultOf(reply);
    if (result == null) {
      // Refused, indeterminate or unexpected: resend after the retry interval (same command).
      step.sentNanos = now;
      return;
    }
    step.answered = true;
    byCall.remove(callId);
    onResult(now, t, step, result);
  }

  /** A write answered as a duplicate of a phase older than one already applied there. */
  private static boolean isStaleDuplicate(ClientReply reply) {
    return reply instanceof ClientReply.Written w && w.outcome().txn() == null;
  }

  /** The transaction result a reply carries, or null if the call must be resent. */
  private static TxnResult resultOf(ClientReply reply) {
    if (reply instanceof ClientReply.TxnStatusIs s) {
      return s.status() == Status.PENDING ? null : TxnResult.of(s.status());
    }
    if (isStaleDuplicate(reply)) {
      // A later phase of this txn already applied there: it decided nothing now, so it counts
      // as NO / not pending (a decide never gets here: onCallReply asks the record instead).
      return new TxnResult(Status.ABORTED, "the shard had moved past this phase");
    }
    if (reply instanceof ClientReply.Written w) {
      return w.outcome().txn();
    }
    return null;
  }

  private void onResult(long now, Txn t, Step step, TxnResult r) {
    switch (t.phase) {
      case ONE_PHASE:
        finishCommit(now, t, r.status() == Status.COMMITTED ? Status.COMMITTED : Status.ABORTED,
            r.reason());
        txns.remove(t.key);
        break;
      case RECORD:
        if (r.status() == Status.PENDING) {
          enter(now, t, Phase.PREPARE);
          for (ShardId p : t.participants()) {
            addWrite(t, p, Op.TXN_PHASE_PREPARE, prepareOf(t, p, false));
          }
        } else {
          finishCommit(now, t, Status.ABORTED, "record was " + r.status()
              + " before it was created (timed out)");
          txns.remove(t.key);
        }
        break;
      case PREPARE:
        if (r.status() != Status.PREPARED) {
          decide(now, t, Status.ABORTED, step.shard + " voted NO: " + r.reason());
        } else if (t.steps.values().stream().allMatch(s -> s.answered)) {
          decide(now, t, Status.COMMITTED, "");
        }
        break;
      case DECIDE:
        Status fate = r.status() == Status.COMMITTED ? Status.COMMITTED : Status.ABORTED;
        finishCommit(now, t, fate, fate == Status.COMMITTED ? "" : t.reason.isEmpty()
            ? "the record was aborted (txn-timeout)" : t.reason);
        resolveParticipants(now, t, fate);
        break;
      case RESOLVE:
      case RECOVER_APPLY:
        if (t.steps.values().stream().allMatch(s -> s.answered)) {
          txns.remove(t.key);
        }
        break;
      case RECOVER_QUERY:
        enter(now, t, Phase.RECOVER_APPLY);
        addWrite(t, t.recoverAt, Op.TXN_PHASE_RECOVER, r.status() == Status.COMMITTED
            ? new Op.TxnCommit(t.txnId) : new Op.TxnAbort(t.txnId));
        out.add(new TxnEffect.Emit("txn-recovered", "txn=" + t.txnId + " status=" + r.status()
            + " participant=" + t.recoverAt));
        break;
      default:
        throw new IllegalStateException("phase " + t.phase);
    }
    if (txns.get(t.key) == t) {
      sendDue(now, t);
    }
  }

  private void decide(long now, Txn t, Status target, String reason) {
    t.reason = reason;
    enter(now, t, Phase.DECIDE);
    addWrite(t, t.recordShard, Op.TXN_PHASE_DECIDE, new Op.TxnRecordDecide(t.txnId, target));
  }

  private void resolveParticipants(long now, Txn t, Status fate) {
    enter(now, t, Phase.RESOLVE);
    for (ShardId p : t.participants()) {
      addWrite(t, p, Op.TXN_PHASE_RESOLVE,
          fate == Status.COMMITTED ? new Op.TxnCommit(t.txnId) : new Op.TxnAbort(t.txnId));
    }
  }

  /** Tells the client (once) the fate of its commit. */
  private void finishCommit(long now, Txn t, Status fate, String reason) {
    t.decided = fate;
    TxnOutcome o = fate == Status.COMMITTED ? TxnOutcome.committed() : TxnOutcome.aborted(reason);
    out.add(new TxnEffect.Emit(fate == Status.COMMITTED ? "txn-committed" : "txn-aborted",
        "txn=" + t.txnId + " participants=" + t.participants() + " record=" + t.recordShard
            + (reason.isEmpty() ? "" : " reason=" + reason)));
    if (t.requestId != null) {
      out.add(new TxnEffect.Reply(t.requestId, o));
    }
  }

  // ---------------------------------------------------------------- time

  private void onTick(long now) {
    for (Iterator<Txn> it = new ArrayList<>(txns.values()).iterator(); it.hasNext(); ) {
      Txn t = it.next();
      if (now - t.startedNanos > giveUpNanos) {
        giveUp(t);
        continue;
      }
      if (t.phase == Phase.PREPARE && now - t.phaseStartedNanos > txnTimeoutNanos) {
        decide(now, t, Status.ABORTED, "votes missing after txn-timeout");
      }
      sendDue(now, t);
    }
  }

  private void giveUp(Txn t) {
    for (Step s : t.steps.values()) {
      byCall.remove(s.callId);
    }
    txns.remove(t.key);
    if (t.decided == null && t.requestId != null) {
      out.add(new TxnEffect.Reply(t.requestId, new TxnOutcome(TxnOutcome.Status.UNKNOWN,
          "no answer from the record shard " + t.recordShard + "; ask it later")));
    }
    out.add(new TxnEffect.Emit("txn-given-up", "txn=" + t.txnId + " phase=" + t.phase));
  }
}
