package io.bulwark.core.pb;

import io.bulwark.core.common.Invariants;
import io.bulwark.core.common.KeyspaceSpec;
import io.bulwark.core.common.ShardConfig;
import io.bulwark.core.common.ShardId;
import io.bulwark.core.pb.ClientReply.Refusal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One node's replica of one shard under primary-backup replication (PacificA; DESIGN §3). A pure
 * state machine: {@link #handle} takes an {@link Input} and leaves {@link Effect}s in the
 * {@link Outbox}; it reads no clock, starts no thread and does no I/O of its own — applied state
 * lives behind {@link ShardStateMachine}, called synchronously.
 *
 * <p>Messages it sends and what each changes (see {@link Message}):
 * <ul>
 *   <li>{@code ReplicatePrepare} (primary -> backups, learners): appends entries after a matching
 *       {@code (epoch, index)}, truncating a divergent uncommitted suffix (§3.2, §3.10); carries
 *       the committed index (§3.3). Bounded in bytes, per message and in flight to each follower
 *       ({@link ReplicaOptions#batchBytesMax()}, {@link ReplicaOptions#unackedBytesMax()}).
 *   <li>{@code ReplicateAck}: the follower's durable, matching index; commit needs every member.
 *   <li>{@code Beacon}/{@code BeaconAck}: the primary's lease runs from the send time of the
 *       latest beacon every backup acked (§3.6); a backup's grace runs from its own last ack.
 *   <li>{@code SnapshotChunk}: the applied state, for a follower whose next entry was trimmed,
 *       in chunks bounded by keys and bytes.
 * </ul>
 * Configuration changes go through {@link Effect.ProposeConfig} (a ZooKeeper compare-and-set):
 * a primary removes a backup that made no progress for a lease (§3.5) or promotes a caught-up
 * learner (§3.11); a backup whose grace expired proposes itself (§3.7); a node that finds itself
 * primary of a configuration it did not create — after a restart, or the initial placement —
 * first moves to a new epoch (§3.10). A primary asked to ({@link Input.HandOver}) hands
 * primaryship to a caught-up backup without losing or failing an acknowledged write (§3.8; see
 * {@link Handover} for why no two primaries serve at once).
 *
 * <p>Not thread-safe: the runtime calls {@link #handle} from one thread per replica.
 */
public final class ShardReplica {

  /** What this node is in the shard's current configuration. */
  public enum Role { NONE, LEARNER, BACKUP, PRIMARY }

  /** A replica's grace before it first acks a primary, in graces: {@link #graceNanos}. */
  static final long INITIAL_GRACE_FACTOR = 5;

  private final ShardId shard;
  private final String self;
  private final ReplicaOptions opts;
  private final ShardStateMachine sm;
  private final Outbox out;
  private final ReplicaLog log;

  private ShardConfig config;
  private Role role = Role.NONE;
  private long durableIndex;
  private long committedIndex;

  // Follower state (backup or learner).
  /** Highest index known to match the current primary's log. */
  private long verifiedIndex;
  /** Monotonic time of this node's last ack to a primary: grace runs from it (§3.7). */
  private long lastAckNanos;
  /**
   * How long this process stood still since that ack ({@link #discountOwnPause}); grace does
   * not count it. Kept apart from the ack's time, which also dates a report that the primary is
   * unreachable as newer or older than the ack.
   */
  private long pausedSinceAckNanos;
  /** When this replica last ticked: a longer gap than usual is time its process did not run. */
  private long lastTickNanos;
  /** False until this replica first acks a primary after it opened: see {@link #graceNanos}. */
  private boolean ackedSinceOpen;
  /** Once grace expired for this epoch, no message of an epoch <= it is acked again. */
  private long graceExpiredEpoch;
  /** When the runtime last said the current primary's node is unreachable; 0 if never. */
  private long primaryUnreachableNanos;
  private final TreeMap<Integer, Message.SnapshotChunk> snapshotChunks = new TreeMap<>();

  // Primary state.
  private final Map<String, Follower> followers = new LinkedHashMap<>();
  /** The primary must move to a new epoch before it assigns any index (§3.10). */
  private boolean needsNewEpoch;
  /** Index of the Noop that opened this primary's epoch: it serves once that commits. */
  private long epochStartIndex;
  /** The first epoch of this primary's tenure: beacon acks from then on vouch for its lease. */
  private long primarySinceEpoch;
  private long lastBeaconNanos;
  private final TreeMap<Long, List<Long>> waiters = new TreeMap<>();
  private final Map<ClientSeq, Long> inflight = new HashMap<>();
  /** A learner being promoted: commits wait for it until the CAS resolves (§3.11). */
  private String promoting;
  /** A handover this primary is performing (§3.8), or null; it serves nothing meanwhile. */
  private Handover handover;
  /** Transaction timers on this primary's clock (§5): stale intents, record timeouts. */
  private final TxnTimers txnTimers = new TxnTimers();

  // Proposals (either role).
  private ShardConfig proposal;
  private long proposalSentNanos;
  /**
   * The configuration this backup proposed after its grace expired (§3.7), with the primary it
   * took for dead and why; null otherwise. It outlives a failure report, since a CAS whose answer
   * was lost may have won; the next adopted configuration settles it: won if it is this proposal,
   * lost otherwise.
   */
  private Takeover takeover;

  private record ClientSeq(String clientId, long seq) {}

  /** A backup's proposal to take over from a primary it took for dead (§3.7). */
  private record Takeover(ShardConfig proposed, String oldPrimary, String reason) {}

  /**
   * A graceful handover in progress at the primary (§3.8), from the moment it stopped serving.
   *
   * <p><b>Why no two primaries serve at once.</b> The old primary stops serving (refuses every
   * read and write) before it proposes epoch {@code e+1} = {target primary, itself and the rest
   * as backups}, and from then on it serves again only by <em>winning</em> a compare-and-set of
   * its own (a fresh epoch with itself primary, {@link Phase#RECLAIMING}): a CAS whose answer was
   * lost may have won, so a failure report alone proves nothing. The target, seeing {@code e+1}
   * name it primary without having created it, takes the restart path (§3.10): it CASes
   * {@code e+2} before assigning any index, reconciles, and serves under its own lease, which
   * needs beacon acks from every backup of {@code e+2} — the old primary acks only after it
   * adopted a newer epoch and stopped being primary. The target may skip waiting for grace
   * because the only configurations naming another node primary are the controller's initial
   * placement (nobody served before) and a handover (its creator had stopped serving, and never
   * serves in that epoch again); a backup's own grace proposal names itself. So "the old primary
   * issued the CAS after it stopped serving" holds by construction rather than by a flag in the
   * configuration, and the target never sees a configuration from a serving primary that names
   * it. While the old primary drains, it keeps beaconing, so it can resume at once on an abort
   * before the CAS, and no backup's grace expires because of the handover.
   */
  private static final class Handover {
    enum Phase {
      /** Waiting for in-flight entries to commit and the target to hold the whole log. */
      DRAINING,
      /** The handover CAS is out. */
      CASING,
      /** The CAS failed or its answer was lost: serve again only after winning a fresh epoch. */
      RECLAIMING
    }

    final String target;
    final long startedNanos;
    /** The last index when it stopped serving; nothing is appended after it. */
    final long lastIndex;
    Phase phase = Phase.DRAINING;
    ShardConfig casProposal;

    Handover(String target, long startedNanos, long lastIndex) {
      this.target = target;
      this.startedNanos = startedNanos;
      this.lastIndex = lastIndex;
    }
  }

  /**
   * The primary's view of one backup or learner.
   *
   * <p>What is in flight to it: the entries from {@code max(matchIndex + 1, sentFrom)} to
   * {@code nextIndex - 1}, sent since the last {@link #rewind} and not acked. Their bytes are
   * bounded by {@link ReplicaOptions#unackedBytesMax()} (see {@code ShardReplica.sendTo}).
   */
  private static final class Follower {
    long matchIndex;
    long nextIndex;
    /** Where the current run of sends began: a rewind forgets what was sent before it. */
    long sentFrom;
    /**
     * Set by a retransmit, cleared by an ack that shows progress: meanwhile only one batch is in
     * flight, so a stalled follower gets one batch per retransmit interval, not a window of
     * duplicates each time (etcd-io/raft's probe state).
     */
    boolean probing;
    /** "Long ago" on any clock: nanos may be negative (a monotonic clock's origin is arbitrary). */
    long lastSentNanos = Long.MIN_VALUE / 2;
    /** Last time it acked progress or was fully caught up: §3.5 removal runs from it. */
    long lastProgressNanos;
    long beaconAckedSentNanos = Long.MIN_VALUE;
    long snapshotSentNanos = Long.MIN_VALUE / 2;
    /** Snapshot bytes (keys and values) sent to it, for progress reports. */
    long snapshotBytesSent;
    /** Bytes of log entries it acked ({@link LogEntry#sizeBytes()}), for progress reports. */
    long logBytesAcked;

    Follower(long nextIndex, long nowNanos) {
      rewind(nextIndex);
      this.lastProgressNanos = nowNanos;
    }

    /** Sends continue from {@code index}; nothing sent before counts as in flight any more. */
    void rewind(long index) {
      nextIndex = index;
      sentFrom = index;
    }
  }

  /**
   * A replica recovered from its durable state: the log entries after {@code (baseIndex,
   * baseEpoch)} and the applied state in {@code sm}. It knows no configuration until one is
   * observed or arrives in a message. The log's retention bounds apply while it is read, so a
   * log persisted under larger bounds (or before the byte bound existed) costs bounded memory:
   * {@code recovered} may be a lazy sequence, and the replica emits the trim it made.
   */
  public ShardReplica(ShardId shard, String self, ReplicaOptions opts, ShardStateMachine sm,
      long baseIndex, long baseEpoch, Iterable<LogEntry> recovered, Outbox out, long nowNanos) {
    String unsafe = opts.validate();
    Invariants.check(unsafe == null, "unsafe replica options: %s", unsafe);
    this.shard = shard;
    this.self = self;
    this.opts = opts;
    this.sm = sm;
    this.out = out;
    long applied = sm.appliedIndex();
    ReplicaLog recoveredLog = null;
    if (applied >= baseIndex) {
      recoveredLog = new ReplicaLog(baseIndex, baseEpoch, List.of());
      for (LogEntry e : recovered) {
        recoveredLog.append(e);
        long firstKept = retentionStart(recoveredLog, applied);
        if (firstKept > recoveredLog.firstIndex()) {
          recoveredLog.trimBefore(firstKept);
        }
      }
    }
    if (recoveredLog == null || recoveredLog.epochAt(applied) != sm.appliedEpoch()) {
      // A snapshot was installed but the log reset did not reach the disk: the log is stale —
      // it ends before the snapshot, or holds another history at its index. Reset it on disk
      // as well, or the next append would leave a gap after the stale entries.
      this.log = new ReplicaLog(applied, sm.appliedEpoch(), List.of());
      out.add(new Effect.ResetLog(applied, sm.appliedEpoch()));
    } else {
      this.log = recoveredLog;
      if (log.baseIndex() > baseIndex) {
        out.add(new Effect.TrimLog(log.firstIndex(), log.epochAt(log.baseIndex())));
      }
    }
    this.durableIndex = log.lastIndex();
    this.committedIndex = applied;
    this.verifiedIndex = applied;
    this.lastAckNanos = nowNanos;
    this.lastTickNanos = nowNanos;
  }

  // ---------------------------------------------------------------- accessors (read-only)

  public ShardId shard() {
    return shard;
  }

  public Role role() {
    return role;
  }

  public ShardConfig config() {
    return config;
  }

  public long committedIndex() {
    return committedIndex;
  }

  public long durableIndex() {
    return durableIndex;
  }

  public long lastIndex() {
    return log.lastIndex();
  }

  public long appliedIndex() {
    return sm.appliedIndex();
  }

  /** The first log index held in memory (the ones before it were trimmed), for tests. */
  public long logFirstIndex() {
    return log.firstIndex();
  }

  /** The bytes ({@link LogEntry#sizeBytes()}) of the log entries held in memory. */
  public long logBytes() {
    return log.bytes(log.firstIndex(), log.lastIndex());
  }

  /** The log entry at {@code index}, which must be held (not trimmed). */
  public LogEntry logEntry(long index) {
    return log.get(index);
  }

  /** The learners' progress if this replica is the primary (else empty), for status (§6). */
  public List<LearnerProgress> learnerProgress() {
    List<LearnerProgress> out = new ArrayList<>();
    if (role != Role.PRIMARY || config == null) {
      return out;
    }
    for (String l : config.learners()) {
      Follower f = followers.get(l);
      if (f != null) {
        out.add(new LearnerProgress(l, f.matchIndex, log.lastIndex(),
            f.snapshotBytesSent + f.logBytesAcked));
      }
    }
    return out;
  }

  /** True if this replica would serve a read or write at {@code nowNanos}. */
  public boolean isServing(long nowNanos) {
    return role == Role.PRIMARY && !needsNewEpoch && committedIndex >= epochStartIndex
        && handover == null && nowNanos < leaseExpiryNanos();
  }

  // ---------------------------------------------------------------- dispatch

  /** Handles one input; effects go to the outbox. */
  public void handle(Input in) {
    long now = in.nowNanos();
    if (in instanceof Input.ClientWrite w) {
      onClientWrite(now, w.requestId(), w.command());
    } else if (in instanceof Input.ClientRead r) {
      onClientRead(now, r.requestId(), r.key());
    } else if (in instanceof Input.ClientScan s) {
      onClientScan(now, s.requestId(), s.prefix(), s.limit());
    } else if (in instanceof Input.Received r) {
      onReceived(now, r.from(), r.message());
    } else if (in instanceof Input.LogDurable d) {
      onLogDurable(now, d.index(), d.epoch());
    } else if (in instanceof Input.ConfigObserved c) {
      onConfigObserved(now, c.config());
    } else if (in instanceof Input.ProposalResult p) {
      onProposalResult(now, p.proposed(), p.succeeded());
    } else if (in instanceof Input.PeerUnreachable u) {
      onPeerUnreachable(now, u.node());
    } else if (in instanceof Input.Tick) {
      onTick(now);
    } else if (in instanceof Input.HandOver h) {
      onHandOver(now, h.target());
    } else if (in instanceof Input.TxnResolve r) {
      onTxnResolve(now, r.requestId(), r.txnId());
    } else {
      throw new IllegalArgumentException("unknown input " + in);
    }
    advance(now);
    if (handover != null && handover.phase == Handover.Phase.DRAINING) {
      progressDrain(now);
    }
  }

  // ---------------------------------------------------------------- client requests

  private void onClientWrite(long now, long requestId, Command cmd) {
    ClientSeq cs = new ClientSeq(cmd.clientId(), cmd.seq());
    Long pending = inflight.get(cs);
    if (pending != null && role == Role.PRIMARY) {
      // A retry of an entry still in flight waits for that entry (§3.4).
      waiters.computeIfAbsent(pending, k -> new ArrayList<>()).add(requestId);
      return;
    }
    ClientReply refusal = refusalToServe(now);
    if (refusal == null && config.members().size() < opts.minInsync()) {
      refusal = new ClientReply.Refused(Refusal.UNAVAILABLE, String.format(
          "shard %s has %d in-sync replicas; min-insync is %d", shard,
          config.members().size(), opts.minInsync()), null);
    }
    if (refusal != null) {
      out.add(new Effect.Reply(requestId, refusal));
      return;
    }
    Outcome done = sm.appliedOutcome(cmd.clientId(), cmd.seq());
    if (done != null) {
      out.add(new Effect.Reply(requestId, new ClientReply.Written(done)));
      return;
    }
    byte[] plainKey = TxnRules.plainWriteKey(cmd.op());
    String holder = plainKey == null ? null : sm.lockHolder(plainKey, null);
    if (holder != null) {
      // §5: a plain write never waits for (or breaks) a transaction's lock. Should a prepare
      // take the lock after this check, the write's entry finds it when it applies (LOCKED).
      out.add(new Effect.Reply(requestId, new ClientReply.Refused(Refusal.LOCKED,
          "key " + TxnRules.show(plainKey) + " is locked by transaction " + holder
              + "; retry after a backoff", null)));
      return;
    }
    long index = appendAsPrimary(cmd);
    inflight.put(cs, index);
    waiters.computeIfAbsent(index, k -> new ArrayList<>()).add(requestId);
    sendPrepares(now, false);
  }

  private void onClientRead(long now, long requestId, byte[] key) {
    ClientReply refusal = refusalToServe(now);
    if (refusal != null) {
      out.add(new Effect.Reply(requestId, refusal));
      return;
    }
    Intent intent = sm.intentOn(key);
    if (intent != null) {
      // §5: only the record knows whether the intent's value is already the committed one.
      out.add(new Effect.Reply(requestId,
          new ClientReply.IntentFound(sm.get(key), intent, leaseExpiryNanos())));
      return;
    }
    out.add(new Effect.Reply(requestId,
        new ClientReply.ReadValue(sm.get(key), leaseExpiryNanos())));
  }

  /**
   * §5 recovery at the record shard's primary: a final record answers at once; a PENDING or
   * absent one answers PENDING until this primary's own timer for it passes the record's timeout
   * (txn-timeout for an absent record), then is aborted by a decide entry logged under the
   * coordinator's own identity {@code ("txn/" + id, TXN_PHASE_DECIDE)}: whichever of the two
   * decides applies first is the one both callers hear (dedup, §3.4).
   */
  private void onTxnResolve(long now, long requestId, String txnId) {
    ClientReply refusal = refusalToServe(now);
    if (refusal != null) {
      out.add(new Effect.Reply(requestId, refusal));
      return;
    }
    TxnRecord r = sm.txnRecord(txnId);
    if (r != null && r.status() != TxnResult.Status.PENDING) {
      txnTimers.recordFinal(txnId);
      out.add(new Effect.Reply(requestId, new ClientReply.TxnStatusIs(txnId, r.status())));
      return;
    }
    long timeout = r != null ? r.timeoutNanos() : opts.txnTimeoutNanos();
    if (!txnTimers.recordExpired(now, txnId, timeout)) {
      out.add(new Effect.Reply(requestId,
          new ClientReply.TxnStatusIs(txnId, TxnResult.Status.PENDING)));
      return;
    }
    out.add(new Effect.Emit("txn-timeout-abort", "shard=" + shard + " txn=" + txnId
        + " record=" + (r == null ? "absent" : "pending")));
    onClientWrite(now, requestId, new Command(Op.txnClientId(txnId), Op.TXN_PHASE_DECIDE,
        Op.TXN_PHASE_DECIDE, new Op.TxnRecordDecide(txnId, TxnResult.Status.ABORTED)));
  }

  private void onClientScan(long now, long requestId, byte[] prefix, int limit) {
    ClientReply refusal = refusalToServe(now);
    if (refusal != null) {
      out.add(new Effect.Reply(requestId, refusal));
      return;
    }
    out.add(new Effect.Reply(requestId,
        new ClientReply.Scanned(sm.scan(prefix, limit), leaseExpiryNanos())));
  }

  /** Why this replica may not serve now, or null if it may (§3.1, §3.6, §3.8). */
  private ClientReply refusalToServe(long now) {
    if (role != Role.PRIMARY) {
      String hint = config == null || config.primary().equals(self) ? null : config.primary();
      return new ClientReply.Refused(Refusal.NOT_PRIMARY,
          self + " is not the primary of " + shard, hint);
    }
    if (handover != null) {
      // Refused before append, so certainly not applied: the client retries at the target.
      return new ClientReply.Refused(Refusal.NOT_PRIMARY,
          "primary of " + shard + " is handing over to " + handover.target, handover.target);
    }
    if (needsNewEpoch || committedIndex < epochStartIndex) {
      return new ClientReply.Refused(Refusal.UNAVAILABLE,
          "primary of " + shard + " is still reconciling its log", null);
    }
    if (now >= leaseExpiryNanos()) {
      return new ClientReply.Refused(Refusal.UNAVAILABLE,
          "primary of " + shard + " holds no lease (a backup has not acked a beacon)", null);
    }
    return null;
  }

  private long appendAsPrimary(Command cmd) {
    LogEntry e = new LogEntry(config.epoch(), log.lastIndex() + 1, cmd);
    log.append(e);
    out.add(new Effect.AppendLog(List.of(e)));
    return e.index();
  }

  // ---------------------------------------------------------------- messages

  private void onReceived(long now, String from, Message msg) {
    Invariants.check(msg.shard().equals(shard), "message for %s delivered to %s",
        msg.shard(), shard);
    if (msg instanceof Message.ReplicateAck a) {
      onReplicateAck(now, from, a);
    } else if (msg instanceof Message.BeaconAck a) {
      onBeaconAck(now, from, a);
    } else if (acceptFromPrimary(now, from, msg)) {
      if (msg instanceof Message.ReplicatePrepare p) {
        onReplicatePrepare(now, p);
      } else if (msg instanceof Message.Beacon b) {
        onBeacon(now, b);
      } else if (msg instanceof Message.SnapshotChunk c) {
        onSnapshotChunk(now, c);
      }
    }
  }

  /**
   * Epoch rules for a message from a primary (§3.2, §3.7): refuse older epochs and any epoch
   * whose grace expired here; adopt a newer configuration that includes this node.
   */
  private boolean acceptFromPrimary(long now, String from, Message msg) {
    ShardConfig c = configOf(msg);
    if (!c.primary().equals(from)) {
      return false;
    }
    if (c.epoch() <= graceExpiredEpoch) {
      return false;
    }
    if (config != null && c.epoch() < config.epoch()) {
      return false;
    }
    if (config == null || c.epoch() > config.epoch()) {
      if (!c.isReplica(self) || c.primary().equals(self)) {
        return false;
      }
      adopt(now, c, false);
    } else if (!c.learners().equals(config.learners())) {
      config = c;
      role = followerRoleIn(c);
    }
    return (role == Role.BACKUP || role == Role.LEARNER) && config.primary().equals(from);
  }

  private static ShardConfig configOf(Message msg) {
    if (msg instanceof Message.ReplicatePrepare p) {
      return p.config();
    }
    if (msg instanceof Message.Beacon b) {
      return b.config();
    }
    return ((Message.SnapshotChunk) msg).config();
  }

  private void onReplicatePrepare(long now, Message.ReplicatePrepare p) {
    long prev = p.prevIndex();
    if (prev > log.lastIndex()) {
      sendAck(now, false, log.lastIndex());
      return;
    }
    if (prev >= log.baseIndex() && prev > committedIndex && log.epochAt(prev) != p.prevEpoch()) {
      sendAck(now, false, prev - 1);
      return;
    }
    List<LogEntry> appended = new ArrayList<>();
    boolean anyAppended = false;
    for (LogEntry e : p.entries()) {
      if (e.index() <= log.baseIndex()) {
        continue;
      }
      if (e.index() <= log.lastIndex()) {
        if (log.epochAt(e.index()) == e.epoch()) {
          continue;
        }
        if (e.index() <= sm.appliedIndex()) {
          // Only an acks=primary keyspace can get here: we applied an entry the new primary never
          // had. Our state cannot be repaired in place; start over from a snapshot.
          wipe(now);
          return;
        }
        flushAppended(appended);
        log.truncateAfter(e.index() - 1);
        out.add(new Effect.TruncateLog(e.index() - 1));
        durableIndex = Math.min(durableIndex, e.index() - 1);
        out.add(new Effect.Emit("log-truncated",
            "shard=" + shard + " after=" + (e.index() - 1) + " epoch=" + config.epoch()));
      }
      log.append(e);
      appended.add(e);
      anyAppended = true;
    }
    flushAppended(appended);
    long last = p.entries().isEmpty() ? prev : p.entries().get(p.entries().size() - 1).index();
    verifiedIndex = Math.max(verifiedIndex, Math.min(last, log.lastIndex()));
    learnCommitted(p.committedIndex());
    if (!anyAppended) {
      sendAck(now, true, log.lastIndex());
    }
    // Otherwise the ack follows LogDurable: a backup acks only what it holds durably (§3.2).
  }

  private void flushAppended(List<LogEntry> appended) {
    if (!appended.isEmpty()) {
      out.add(new Effect.AppendLog(List.copyOf(appended)));
      appended.clear();
    }
  }

  private void onBeacon(long now, Message.Beacon b) {
    learnCommitted(b.committedIndex());
    lastAckNanos = now;
    pausedSinceAckNanos = 0;
    ackedSinceOpen = true;
    out.add(new Effect.Send(config.primary(),
        new Message.BeaconAck(shard, config.epoch(), b.sentNanos())));
  }

  private void learnCommitted(long primaryCommitted) {
    committedIndex = Math.max(committedIndex, Math.min(primaryCommitted, verifiedIndex));
  }

  private void sendAck(long now, boolean matched, long lastIndex) {
    lastAckNanos = now;
    pausedSinceAckNanos = 0;
    ackedSinceOpen = true;
    out.add(new Effect.Send(config.primary(), new Message.ReplicateAck(shard, config.epoch(),
        matched, Math.min(durableIndex, verifiedIndex), lastIndex)));
  }

  private void onSnapshotChunk(long now, Message.SnapshotChunk c) {
    // Chunks may arrive in any order (STYLE P2): collect one snapshot's chunks, the newest one
    // seen, until every number up to the chunk marked last is there.
    if (!snapshotChunks.isEmpty()) {
      long collecting = snapshotChunks.firstEntry().getValue().snapshotIndex();
      if (c.snapshotIndex() < collecting) {
        return;
      }
      if (c.snapshotIndex() > collecting) {
        snapshotChunks.clear();
      }
    }
    snapshotChunks.put(c.chunk(), c);
    Message.SnapshotChunk highest = snapshotChunks.lastEntry().getValue();
    if (!highest.last() || snapshotChunks.size() != highest.chunk() + 1) {
      return;
    }
    List<KeyValue> kvs = new ArrayList<>();
    List<ShardStateMachine.DedupRecord> dedup = new ArrayList<>();
    ShardStateMachine.TxnState txn = snapshotChunks.firstEntry().getValue().txn();
    for (Message.SnapshotChunk part : snapshotChunks.values()) {
      kvs.addAll(part.entries());
      dedup.addAll(part.dedup());
    }
    snapshotChunks.clear();
    if (c.snapshotIndex() <= sm.appliedIndex()) {
      // Nothing to install, but the primary must learn where we are, or it sends snapshots
      // forever: what we applied is committed, so it is its log too.
      sendAck(now, true, log.lastIndex());
      return;
    }
    sm.install(new ShardStateMachine.Snapshot(c.snapshotIndex(), c.snapshotEpoch(), kvs, dedup,
        txn));
    if (log.epochAt(c.snapshotIndex()) == c.snapshotEpoch()) {
      // Our log holds the snapshot's last entry: keep what follows it. Those entries may be
      // committed, counted on this replica's durable ack (§3.3); only the applied prefix goes.
      out.add(new Effect.TrimLog(c.snapshotIndex() + 1, log.trimBefore(c.snapshotIndex() + 1)));
      durableIndex = Math.max(durableIndex, c.snapshotIndex());
    } else {
      log.reset(c.snapshotIndex(), c.snapshotEpoch());
      out.add(new Effect.ResetLog(c.snapshotIndex(), c.snapshotEpoch()));
      durableIndex = c.snapshotIndex();
    }
    committedIndex = c.snapshotIndex();
    verifiedIndex = c.snapshotIndex();
    out.add(new Effect.Emit("snapshot-installed",
        "shard=" + shard + " index=" + c.snapshotIndex() + " keys=" + kvs.size()));
    sendAck(now, true, log.lastIndex());
  }

  /** Drops all local state so that the primary rebuilds this replica from a snapshot. */
  private void wipe(long now) {
    sm.install(new ShardStateMachine.Snapshot(0, 0, List.of(), List.of()));
    log.reset(0, 0);
    out.add(new Effect.ResetLog(0, 0));
    durableIndex = 0;
    committedIndex = 0;
    verifiedIndex = 0;
    out.add(new Effect.Emit("replica-wiped", "shard=" + shard
        + " reason=applied entries diverge from the primary's log"));
    sendAck(now, false, 0);
  }

  private void onLogDurable(long now, long index, long epoch) {
    if (log.epochAt(index) != epoch) {
      return; // That entry was truncated since; a later report covers the current log.
    }
    durableIndex = Math.max(durableIndex, Math.min(index, log.lastIndex()));
    if (role == Role.BACKUP || role == Role.LEARNER) {
      sendAck(now, true, log.lastIndex());
    }
  }

  // ---------------------------------------------------------------- primary: acks

  private void onReplicateAck(long now, String from, Message.ReplicateAck a) {
    Follower f = followers.get(from);
    if (role != Role.PRIMARY || f == null || a.epoch() != config.epoch()) {
      return;
    }
    if (a.matched()) {
      if (a.durableIndex() > f.matchIndex || a.durableIndex() >= log.lastIndex()) {
        f.lastProgressNanos = now;
        f.probing = false;
      }
      long matched = Math.max(f.matchIndex, Math.min(a.durableIndex(), log.lastIndex()));
      f.logBytesAcked += log.bytes(Math.max(f.matchIndex + 1, log.firstIndex()), matched);
      f.matchIndex = matched;
      f.nextIndex = Math.max(f.nextIndex, f.matchIndex + 1);
    } else {
      // Its log lacks our entry at the probe point: step back and resend (§3.10).
      f.matchIndex = Math.min(f.matchIndex, a.lastIndex());
      f.rewind(Math.max(1, Math.min(f.nextIndex - 1, a.lastIndex() + 1)));
      f.lastSentNanos = Long.MIN_VALUE / 2;
      sendTo(now, from, f);
    }
  }

  private void onBeaconAck(long now, String from, Message.BeaconAck a) {
    Follower f = followers.get(from);
    if (role != Role.PRIMARY || f == null || a.epoch() < primarySinceEpoch
        || a.epoch() > config.epoch()) {
      return;
    }
    f.beaconAckedSentNanos = Math.max(f.beaconAckedSentNanos, a.sentNanos());
    if (f.matchIndex >= log.lastIndex()) {
      f.lastProgressNanos = now;
    }
  }

  /** The lease: the send time of the oldest latest-acked beacon among backups, plus lease. */
  private long leaseExpiryNanos() {
    long oldest = Long.MAX_VALUE;
    List<String> vouching = new ArrayList<>(config.backups());
    if (promoting != null) {
      // Its promotion may have succeeded unseen: it may be a backup that no longer acks us.
      vouching.add(promoting);
    }
    for (String b : vouching) {
      Follower f = followers.get(b);
      oldest = Math.min(oldest, f == null ? Long.MIN_VALUE : f.beaconAckedSentNanos);
    }
    if (oldest == Long.MAX_VALUE) {
      return Long.MAX_VALUE; // No backups: nobody else can propose in this epoch.
    }
    return oldest == Long.MIN_VALUE ? Long.MIN_VALUE : oldest + opts.leaseNanos();
  }

  // ---------------------------------------------------------------- configuration

  private void onConfigObserved(long now, ShardConfig c) {
    Invariants.check(c.shard().equals(shard), "config of %s given to %s", c.shard(), shard);
    if (config != null && c.epoch() < config.epoch()) {
      return;
    }
    if (config != null && c.epoch() == config.epoch()) {
      if (!c.learners().equals(config.learners())) {
        config = c;
        if (role == Role.PRIMARY) {
          syncFollowers(now);
        } else {
          role = followerRoleIn(c);
        }
      }
      return;
    }
    boolean own = proposal != null && proposal.equals(c);
    if (own) {
      proposal = null;
    }
    adopt(now, c, own);
  }

  private void onProposalResult(long now, ShardConfig proposed, boolean succeeded) {
    if (proposal == null || !proposal.equals(proposed)) {
      return;
    }
    proposal = null;
    if (!succeeded && handover != null && proposed.equals(handover.casProposal)) {
      handover.phase = Handover.Phase.RECLAIMING;
      out.add(new Effect.Emit("handover", describeHandover("cas-failed")
          + " (its outcome is unknown until a fresh epoch is won)"));
    }
    // A failed promotion keeps `promoting`: the runtime reports an unknown outcome (a lost
    // reply) as a failure, yet the learner may be a backup of the next epoch. A definite loss
    // comes with a newer configuration, and adopt() clears it then.
    if (succeeded && (config == null || proposed.epoch() > config.epoch())) {
      adopt(now, proposed, true);
    }
  }

  /** Moves to configuration {@code c}; {@code own} if this node's CAS created it. */
  private void adopt(long now, ShardConfig c, boolean own) {
    Role was = role;
    ShardConfig old = config;
    config = c;
    promoting = null;
    snapshotChunks.clear();
    endHandover(c);
    // Any newer configuration settles a takeover: the proposal expected the epoch just below it.
    Takeover won = takeover != null && takeover.proposed().equals(c) ? takeover : null;
    takeover = null;
    if (won != null) {
      // DESIGN §6 `failover`: only a backup's grace proposal takes a shard from another primary;
      // handovers, promotions and a restarted primary's new tenure name no one taken for dead.
      // A won CAS whose answer was lost arrives here as observed (own == false) and is reported
      // too; that node then moves to an epoch of its own before it serves (§3.10).
      out.add(new Effect.Emit("failover", "shard=" + shard + " from=" + won.oldPrimary()
          + " to=" + self + " epoch=" + c.epoch() + " reason=" + won.reason()));
    }
    if (c.primary().equals(self)) {
      if (own && was == Role.PRIMARY && !needsNewEpoch && old != null
          && old.primary().equals(self)) {
        // Our own removal or promotion CAS: same log, same tenure, new epoch.
        syncFollowers(now);
        out.add(new Effect.Emit("config-changed", describe(c)));
        emitMembershipEvents(old, c);
      } else if (own) {
        becomePrimary(now);
      } else {
        // Primary of a configuration this incarnation did not create: move to a new epoch
        // before assigning any index (§3.10).
        if (was == Role.PRIMARY) {
          stepDown("configuration " + c.epoch() + " was not created by this primary");
        }
        role = Role.PRIMARY;
        needsNewEpoch = true;
        followers.clear();
      }
      return;
    }
    if (was == Role.PRIMARY) {
      stepDown("epoch " + c.epoch() + " has primary " + c.primary());
    }
    needsNewEpoch = false;
    role = followerRoleIn(c);
    // Grace restarts from now: later than any ack this node gave, so still safe (§3.7).
    lastAckNanos = now;
    pausedSinceAckNanos = 0;
    verifiedIndex = Math.min(verifiedIndex, committedIndex);
    out.add(new Effect.Emit("role", "shard=" + shard + " epoch=" + c.epoch() + " role="
        + role.name().toLowerCase() + " primary=" + c.primary()));
  }

  /** DESIGN §6 events for what this primary's own CAS changed: promotions and removals. */
  private void emitMembershipEvents(ShardConfig old, ShardConfig c) {
    for (String b : c.backups()) {
      if (old.learners().contains(b)) {
        out.add(new Effect.Emit("catch-up-done", "shard=" + shard + " node=" + b
            + " epoch=" + c.epoch()));
      }
    }
    for (String b : old.backups()) {
      if (!c.isReplica(b)) {
        out.add(new Effect.Emit("replica-removed", "shard=" + shard + " node=" + b
            + " reason=backup-silent epoch=" + c.epoch()));
      }
    }
  }

  private Role followerRoleIn(ShardConfig c) {
    return c.isMember(self) ? Role.BACKUP : c.learners().contains(self) ? Role.LEARNER : Role.NONE;
  }

  private void becomePrimary(long now) {
    role = Role.PRIMARY;
    txnTimers.reset(); // A new primary times every transaction afresh on its own clock (§5).
    needsNewEpoch = false;
    primarySinceEpoch = config.epoch();
    followers.clear();
    syncFollowers(now);
    for (Follower f : followers.values()) {
      f.rewind(committedIndex + 1); // Re-send the whole uncommitted suffix (§3.10).
    }
    for (long i = committedIndex + 1; i <= log.lastIndex(); i++) {
      Command cmd = log.get(i).command();
      if (!cmd.isInternal()) {
        inflight.put(new ClientSeq(cmd.clientId(), cmd.seq()), i);
      }
    }
    epochStartIndex = appendAsPrimary(Command.noop());
    lastBeaconNanos = Long.MIN_VALUE / 2;
    out.add(new Effect.Emit("became-primary", describe(config)
        + " reconcile=" + (committedIndex + 1) + ".." + epochStartIndex));
    sendBeacons(now);
    sendPrepares(now, true);
  }

  /** Makes the follower table match the configuration's backups and learners. */
  private void syncFollowers(long now) {
    if (role != Role.PRIMARY) {
      return;
    }
    List<String> wanted = new ArrayList<>(config.backups());
    wanted.addAll(config.learners());
    followers.keySet().retainAll(wanted);
    for (String n : wanted) {
      // A new follower gets one grace before §3.5 may remove it: a node that just started (cold
      // JIT, first connections) needs a moment to ack. Removal only restores availability, so
      // delaying it is safe; commits wait for the follower meanwhile.
      followers.computeIfAbsent(n, k -> new Follower(log.lastIndex() + 1,
          now + opts.graceNanos()));
    }
  }

  private void stepDown(String why) {
    for (List<Long> ids : waiters.values()) {
      for (long id : ids) {
        out.add(new Effect.Reply(id, new ClientReply.Indeterminate(
            "primary of " + shard + " stepped down before the write committed: " + why)));
      }
    }
    waiters.clear();
    inflight.clear();
    followers.clear();
    promoting = null;
    out.add(new Effect.Emit("stepped-down", "shard=" + shard + " reason=" + why));
  }

  private void propose(long now, ShardConfig next, String why) {
    proposal = next;
    proposalSentNanos = now;
    out.add(new Effect.ProposeConfig(next.epoch() - 1, next));
    out.add(new Effect.Emit("propose", describe(next) + " reason=" + why));
  }

  /** A proposal is out and may still be answered (one unanswered for a grace counts as lost). */
  private boolean proposalPending(long now) {
    return proposal != null && now - proposalSentNanos < opts.graceNanos();
  }

  private static String describe(ShardConfig c) {
    return "shard=" + c.shard() + " epoch=" + c.epoch() + " primary=" + c.primary()
        + " backups=" + c.backups() + " learners=" + c.learners();
  }

  // ---------------------------------------------------------------- handover (§3.8)

  private void onHandOver(long now, String target) {
    String refused = handoverRefusal(now, target);
    if (refused != null) {
      out.add(new Effect.Emit("handover", "shard=" + shard + " target=" + target
          + " phase=aborted reason=" + refused));
      return;
    }
    handover = new Handover(target, now, log.lastIndex());
    out.add(new Effect.Emit("handover", describeHandover("started")
        + " epoch=" + config.epoch() + " last=" + log.lastIndex()));
    sendPrepares(now, false);
  }

  /** Why this replica cannot start a handover to {@code target} now, or null. */
  private String handoverRefusal(long now, String target) {
    if (role != Role.PRIMARY || needsNewEpoch || committedIndex < epochStartIndex) {
      return "not-a-serving-primary";
    }
    if (handover != null) {
      return "already-handing-over-to-" + handover.target;
    }
    if (!config.backups().contains(target)) {
      return "target-not-a-backup";
    }
    if (proposalPending(now) || promoting != null) {
      return "configuration-change-pending";
    }
    // Draining refuses writes until the target holds the whole log. A backup of an acks=primary
    // keyspace may lag far behind; draining toward it would stall the shard's writes for up to
    // a lease and then give up. More than one batch behind, the target is refused; an ask is
    // repeated later (the controller's, or the operator's).
    long behind = log.lastIndex() - followers.get(target).matchIndex;
    if (behind > opts.batchEntriesMax()) {
      return "target-behind entries=" + behind + " max=" + opts.batchEntriesMax();
    }
    return null;
  }

  /**
   * Draining: once every entry is committed and applied (so every write waiting here got its
   * reply) and the target durably holds the whole log, propose the handover configuration.
   */
  private void progressDrain(long now) {
    Handover h = handover;
    Invariants.check(log.lastIndex() == h.lastIndex,
        "%s appended (last %s) while handing over from last %s", shard, log.lastIndex(),
        h.lastIndex);
    Follower target = followers.get(h.target);
    if (sm.appliedIndex() < h.lastIndex || target.matchIndex < h.lastIndex
        || proposalPending(now)) {
      return;
    }
    List<String> backups = new ArrayList<>();
    backups.add(self);
    for (String b : config.backups()) {
      if (!b.equals(h.target)) {
        backups.add(b);
      }
    }
    h.phase = Handover.Phase.CASING;
    h.casProposal = config.next(h.target, backups, config.learners());
    out.add(new Effect.Emit("handover", describeHandover("caught-up")
        + " index=" + target.matchIndex + " after=" + (now - h.startedNanos) / 1_000_000 + "ms"));
    propose(now, h.casProposal, "handover-to " + h.target);
  }

  /**
   * Bounds the handover. Draining ends after one lease: a target that cannot catch up by then
   * would be removed as silent (§3.5), and a silent other backup must still be removed within
   * a lease, before its grace lets it take the shard; both resume service at once (no CAS was
   * issued). A handover CAS unanswered for a grace counts as failed; either way the primary
   * then has to win a fresh epoch before it serves again.
   */
  private void tickHandover(long now, boolean proposalPending) {
    Handover h = handover;
    if (h.phase == Handover.Phase.DRAINING) {
      List<String> silent = silentBackups(now);
      if (!silent.isEmpty()) {
        abortDrain("backup-silent " + silent);
      } else if (now - h.startedNanos > opts.leaseNanos()) {
        abortDrain("target-not-caught-up match=" + followers.get(h.target).matchIndex
            + " last=" + h.lastIndex);
      }
      return;
    }
    if (h.phase == Handover.Phase.CASING && !proposalPending) {
      h.phase = Handover.Phase.RECLAIMING;
      out.add(new Effect.Emit("handover", describeHandover("cas-unanswered")));
    }
    if (h.phase == Handover.Phase.RECLAIMING && !proposalPending) {
      propose(now, config.next(self, config.backups(), config.learners()), "handover-reclaim");
    }
  }

  private void abortDrain(String reason) {
    out.add(new Effect.Emit("handover", describeHandover("aborted") + " reason=" + reason));
    handover = null;
  }

  /** A new configuration ends any handover: done if the target leads it, aborted otherwise. */
  private void endHandover(ShardConfig c) {
    if (handover == null) {
      return;
    }
    if (c.primary().equals(handover.target)) {
      out.add(new Effect.Emit("handover", describeHandover("done") + " epoch=" + c.epoch()));
    } else if (c.primary().equals(self)) {
      out.add(new Effect.Emit("handover", describeHandover("aborted")
          + " reason=cas-failed resumed-in-epoch=" + c.epoch()));
    } else {
      out.add(new Effect.Emit("handover", describeHandover("aborted") + " reason=epoch "
          + c.epoch() + " has primary " + c.primary()));
    }
    handover = null;
  }

  private String describeHandover(String phase) {
    return "shard=" + shard + " target=" + handover.target + " phase=" + phase;
  }

  // ---------------------------------------------------------------- ticks

  private void onTick(long now) {
    discountOwnPause(now);
    if (config == null) {
      return;
    }
    boolean proposalPending = proposalPending(now);
    if (role == Role.PRIMARY) {
      if (needsNewEpoch) {
        if (!proposalPending) {
          propose(now, config.next(self, config.backups(), config.learners()), "new-tenure");
        }
        return;
      }
      if (now - lastBeaconNanos >= opts.beaconNanos()) {
        sendBeacons(now);
      }
      sendPrepares(now, false);
      if (handover != null) {
        tickHandover(now, proposalPending);
      }
      if (handover == null && !proposalPending) {
        proposeMembershipChange(now);
      }
      if (isServing(now)) {
        tickTxns(now);
      }
    } else if (role == Role.BACKUP && now - lastAckNanos - pausedSinceAckNanos > graceNanos()) {
      if (graceExpiredEpoch < config.epoch()) {
        graceExpiredEpoch = config.epoch();
        out.add(new Effect.Emit("grace-expired", "shard=" + shard + " epoch=" + config.epoch()
            + " primary=" + config.primary()));
      }
      if (!proposalPending) {
        List<String> backups = new ArrayList<>(config.backups());
        backups.remove(self);
        String why = primaryUnreachableNanos > lastAckNanos
            ? "primary-unreachable" : "primary-silent";
        ShardConfig next = config.next(self, backups, config.learners());
        takeover = new Takeover(next, config.primary(), why);
        propose(now, next, why);
      }
    }
  }

  /**
   * Time this process did not run is nobody's silence. A tick that comes more than a beacon
   * interval after the last one means the process, or its loop, stood still (a GC pause, a
   * starved CPU), and what its peers sent meanwhile still waits in its queue, behind this tick.
   * Judged now, they would be blamed for its own pause: in CI a stall of the whole machine made
   * every primary drop its backups at once (§3.5), and a paused backup would as readily propose
   * itself over a healthy primary (§3.7). So the pause, beyond a beacon interval, is not
   * counted as silence: a backup's grace leaves it out, and a primary moves each follower's
   * progress clock on by it. Silence only ever counts less: a backup waits longer than its grace
   * (safe: grace is a lower bound) and a primary removes a backup later (liveness only); the
   * primary's lease runs from the send times of acked beacons and is not moved, so a paused
   * primary still stops serving on time. A loop slow on every pass still removes a dead backup:
   * each pass counts at least a beacon interval. Cassandra's failure detector likewise convicts
   * nobody right after a local pause.
   */
  private void discountOwnPause(long now) {
    long paused = now - lastTickNanos - opts.beaconNanos();
    lastTickNanos = now;
    if (paused <= 0) {
      return;
    }
    pausedSinceAckNanos = Math.min(now - lastAckNanos, pausedSinceAckNanos + paused);
    for (Follower f : followers.values()) {
      f.lastProgressNanos = Math.min(now, f.lastProgressNanos + paused);
    }
  }

  /** §5: reports transactions prepared here for longer than txn-timeout by this clock. */
  private void tickTxns(long now) {
    txnTimers.observeRecords(now, sm.pendingTxnRecords());
    for (PreparedTxn t : txnTimers.stale(now, sm.preparedTxns(), opts.txnTimeoutNanos())) {
      out.add(new Effect.TxnStale(t.txnId(), t.recordKey()));
      out.add(new Effect.Emit("txn-stale", "shard=" + shard + " txn=" + t.txnId()
          + " prepared=" + t.preparedIndex()));
    }
  }

  private void onPeerUnreachable(long now, String node) {
    if (config != null && role == Role.BACKUP && node.equals(config.primary())) {
      primaryUnreachableNanos = now;
    }
  }

  /**
   * How long this backup waits after its last ack before proposing itself: the configured grace,
   * or only the grace floor if the primary's node became unreachable after that ack (a refused
   * connection is a faster signal than silence; the floor still outlasts the primary's lease,
   * §3.7). An ack after the signal means the primary answered again: the signal is stale.
   *
   * <p>A replica that has not acked any primary since it opened waits {@link
   * #INITIAL_GRACE_FACTOR} graces instead, as ZooKeeper gives a follower a longer initLimit than
   * its syncLimit. Measured: when a keyspace is created or a cluster starts, a new primary first
   * writes its tenure to ZooKeeper and its node is still compiling its hot paths, and backups
   * passed a 600 ms grace before its first beacon in nearly every run, so shards failed over
   * seconds after creation and the primaries ended up unevenly placed. Waiting longer never
   * weakens safety (grace is a lower bound); it delays only the takeover of a primary that dies
   * before its backups ever heard from it, and a refused connection still takes the fast path.
   */
  private long graceNanos() {
    if (primaryUnreachableNanos > lastAckNanos) {
      return Math.min(opts.graceNanos(), opts.graceFloorNanos());
    }
    return ackedSinceOpen ? opts.graceNanos() : INITIAL_GRACE_FACTOR * opts.graceNanos();
  }

  /** Backups that made no progress for a lease (§3.5), in configuration order. */
  private List<String> silentBackups(long now) {
    List<String> silent = new ArrayList<>();
    for (String b : config.backups()) {
      if (now - followers.get(b).lastProgressNanos > opts.leaseNanos()) {
        silent.add(b);
      }
    }
    return silent;
  }

  /**
   * §3.5: remove backups that made no progress for a lease; §3.11: promote a caught-up learner.
   * Removal must stay shorter than a backup's grace: a backup cut off from the primary (but not
   * from ZooKeeper), or one waking from a long pause, would otherwise propose itself first and
   * take the shard from a healthy primary (a longer wait was tried; see the unit test
   * primaryCutOffFromBackupsButNotZooKeeper_removesThemBeforeTheirGrace...).
   */
  private void proposeMembershipChange(long now) {
    List<String> silent = silentBackups(now);
    if (!silent.isEmpty()) {
      List<String> backups = new ArrayList<>(config.backups());
      backups.removeAll(silent);
      propose(now, config.next(self, backups, config.learners()), "backup-silent " + silent);
      return;
    }
    for (String l : config.learners()) {
      Follower f = followers.get(l);
      // An unresolved promotion is retried as it was (its learner holds every commit since,
      // §3.11), and no other learner is promoted meanwhile.
      boolean retry = l.equals(promoting);
      if (retry || (promoting == null && f.matchIndex >= log.lastIndex()
          && f.matchIndex >= committedIndex)) {
        List<String> backups = new ArrayList<>(config.backups());
        backups.add(l);
        List<String> learners = new ArrayList<>(config.learners());
        learners.remove(l);
        promoting = l;
        propose(now, config.next(self, backups, learners),
            (retry ? "learner-promotion-retry " : "learner-caught-up ") + l);
        return;
      }
    }
  }

  private void sendBeacons(long now) {
    lastBeaconNanos = now;
    for (String n : followers.keySet()) {
      out.add(new Effect.Send(n, new Message.Beacon(config, now, committedIndex)));
    }
  }

  /**
   * Sends each follower the entries it is missing: at once while what is in flight to it leaves
   * room (pipelining, {@link #sendTo}), or again from its match point after the retransmit
   * interval, or a snapshot when its next entry was trimmed.
   */
  private void sendPrepares(long now, boolean force) {
    for (Map.Entry<String, Follower> e : followers.entrySet()) {
      Follower f = e.getValue();
      boolean retransmit = now - f.lastSentNanos >= opts.retransmitNanos()
          && f.matchIndex < log.lastIndex();
      if (retransmit) {
        f.rewind(Math.min(f.nextIndex, f.matchIndex + 1));
        f.probing = true;
      }
      if (force || retransmit || f.nextIndex <= log.lastIndex()) {
        sendTo(now, e.getKey(), f);
      }
    }
  }

  /**
   * Sends one ReplicatePrepare from {@code f.nextIndex}: at most {@code batchEntriesMax} entries
   * and {@code batchBytesMax} bytes, and only what keeps the bytes in flight to {@code f} within
   * {@code unackedBytesMax} — except that one entry always goes when nothing is in flight, so
   * in flight stays within {@code max(unackedBytesMax, one entry)}. With entries to send and no
   * room (or a probe unanswered), it sends nothing: an ack or the retransmit makes room. A
   * prepare without entries (a probe, §3.10) always goes. Constant time but for the batch
   * itself: the hot path sends one tiny prepare per write and follower.
   */
  private void sendTo(long now, String to, Follower f) {
    if (f.nextIndex <= log.baseIndex()) {
      sendSnapshot(now, to, f);
      return;
    }
    long prev = f.nextIndex - 1;
    List<LogEntry> batch = List.of();
    if (f.nextIndex <= log.lastIndex()) {
      long unacked = unackedBytes(f);
      long room = opts.unackedBytesMax() - unacked;
      if (unacked > 0 && (f.probing || log.bytes(f.nextIndex, f.nextIndex) > room)) {
        return;
      }
      batch = log.slice(f.nextIndex, opts.batchEntriesMax(),
          Math.min(opts.batchBytesMax(), room));
    }
    out.add(new Effect.Send(to, new Message.ReplicatePrepare(
        config, prev, log.epochAt(prev), batch, committedIndex)));
    f.nextIndex += batch.size();
    f.lastSentNanos = now;
  }

  /** The bytes of the entries in flight to {@code f} (see {@link Follower}). */
  private long unackedBytes(Follower f) {
    long from = Math.max(Math.max(f.matchIndex + 1, f.sentFrom), log.firstIndex());
    return log.bytes(from, f.nextIndex - 1);
  }

  private void sendSnapshot(long now, String to, Follower f) {
    if (now - f.snapshotSentNanos < 20 * opts.retransmitNanos()) {
      return; // One snapshot in flight at a time; resend only if it seems lost.
    }
    ShardStateMachine.Snapshot s = sm.snapshot();
    List<KeyValue> all = s.entries();
    // Chunks end at snapshotChunkEntriesMax keys or batchBytesMax bytes, whichever comes first
    // (one larger key and value go alone), so no chunk is a message of unbounded size.
    int chunk = 0;
    int start = 0;
    long chunkBytes = 0;
    for (int i = 0; i < all.size(); i++) {
      KeyValue kv = all.get(i);
      long bytes = kv.key().length + (kv.value() == null ? 0 : kv.value().length);
      if (i > start && (i - start >= opts.snapshotChunkEntriesMax()
          || chunkBytes + bytes > opts.batchBytesMax())) {
        sendSnapshotChunk(to, s, chunk++, all.subList(start, i), false);
        start = i;
        chunkBytes = 0;
      }
      chunkBytes += bytes;
      f.snapshotBytesSent += bytes;
    }
    sendSnapshotChunk(to, s, chunk, all.subList(start, all.size()), true);
    f.snapshotSentNanos = now;
    f.lastSentNanos = now;
    f.rewind(s.index() + 1);
    out.add(new Effect.Emit("snapshot-sent", "shard=" + shard + " to=" + to
        + " index=" + s.index() + " keys=" + all.size() + " chunks=" + (chunk + 1)));
  }

  /** Chunk {@code n} of snapshot {@code s}; the dedup table and transactions go in chunk 0. */
  private void sendSnapshotChunk(String to, ShardStateMachine.Snapshot s, int n,
      List<KeyValue> part, boolean last) {
    out.add(new Effect.Send(to, new Message.SnapshotChunk(config, s.index(), s.epoch(), n, last,
        List.copyOf(part), n == 0 ? s.dedup() : List.of(),
        n == 0 ? s.txn() : ShardStateMachine.TxnState.EMPTY)));
  }

  // ---------------------------------------------------------------- commit and apply

  /** Advances the committed index (primary), applies what is committed, trims the log. */
  private void advance(long now) {
    if (role == Role.PRIMARY && !needsNewEpoch) {
      long candidate = durableIndex;
      if (opts.acks() == KeyspaceSpec.Acks.ALL) {
        for (String b : config.backups()) {
          candidate = Math.min(candidate, followers.get(b).matchIndex);
        }
        if (promoting != null && followers.containsKey(promoting)) {
          candidate = Math.min(candidate, followers.get(promoting).matchIndex);
        }
      }
      if (candidate > committedIndex) {
        committedIndex = candidate;
      }
    }
    long applyTo = Math.min(committedIndex, durableIndex);
    if (role != Role.PRIMARY) {
      applyTo = Math.min(applyTo, verifiedIndex);
    }
    while (sm.appliedIndex() < applyTo) {
      LogEntry e = log.get(sm.appliedIndex() + 1);
      Outcome o = sm.apply(e);
      Invariants.check(sm.appliedIndex() == e.index(), "apply of %s left applied index at %s",
          e.index(), sm.appliedIndex());
      if (role == Role.PRIMARY) {
        txnTimers.applied(now, e.command().op());
      }
      List<Long> ids = waiters.remove(e.index());
      if (ids != null) {
        for (long id : ids) {
          out.add(new Effect.Reply(id, new ClientReply.Written(o)));
        }
      }
      if (!e.command().isInternal()) {
        inflight.remove(new ClientSeq(e.command().clientId(), e.command().seq()));
      }
      if (e.index() == epochStartIndex && role == Role.PRIMARY) {
        out.add(new Effect.Emit("reconciled", "shard=" + shard + " epoch=" + config.epoch()
            + " index=" + e.index()));
      }
    }
    trimLog();
  }

  private void trimLog() {
    long firstKept = retentionStart(log, sm.appliedIndex());
    if (firstKept > log.firstIndex()) {
      long baseEpoch = log.trimBefore(firstKept);
      out.add(new Effect.TrimLog(firstKept, baseEpoch));
    }
  }

  /**
   * Where {@code l} should start so that the applied entries it keeps for catching up replicas
   * stay within both retention bounds ({@link ReplicaOptions#logRetainEntries()},
   * {@link ReplicaOptions#logRetainBytes()}); its first index while they are within a quarter
   * more than the bounds, so that trims are rare, batched deletes. Entries not applied are kept.
   */
  private long retentionStart(ReplicaLog l, long applied) {
    long horizon = Math.min(applied, l.lastIndex());
    int retain = opts.logRetainEntries();
    long retainBytes = opts.logRetainBytes();
    if (horizon - l.baseIndex() - retain <= retain / 4 // (no overflow at a huge bound)
        && l.bytes(l.firstIndex(), horizon) - retainBytes <= retainBytes / 4) {
      return l.firstIndex();
    }
    return Math.max(horizon - retain + 1, l.firstWithinBytes(horizon, retainBytes));
  }

  /** For tests and status: the replica's view in one line. */
  @Override
  public String toString() {
    return "ShardReplica{" + shard + " self=" + self + " role=" + role + " config="
        + (config == null ? "none" : config.epoch() + "/" + config.primary()
            + Arrays.toString(config.backups().toArray()))
        + " last=" + log.lastIndex() + " durable=" + durableIndex + " committed="
        + committedIndex + " applied=" + sm.appliedIndex() + "}";
  }
}
