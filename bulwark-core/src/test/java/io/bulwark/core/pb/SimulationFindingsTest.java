package io.bulwark.core.pb;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bulwark.core.common.KeyspaceSpec;
import io.bulwark.core.common.ShardConfig;
import io.bulwark.core.common.ShardId;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Bugs the deterministic simulator (bulwark-sim) found in the primary-backup core, one test per
 * bug, each reduced from its failing seed to hand-built inputs on one or two replicas.
 * Method: drive {@link ShardReplica} (or {@link MemoryShardStateMachine}) directly with the
 * inputs of the seed's critical moment and assert on the outbox and state; the seed itself
 * stays a named regression test in bulwark-sim's {@code CoreRegressionSimTest}.
 */
class SimulationFindingsTest {
  private static final ShardId SHARD = new ShardId("sim", 0);
  private static final long MS = 1_000_000L;
  private static final ReplicaOptions OPTS = ReplicaOptions.defaults(1, KeyspaceSpec.Acks.ALL);

  /** One replica with its outbox; effects are collected by the test. */
  private static final class Node {
    final String id;
    final Outbox out = new Outbox();
    final MemoryShardStateMachine sm;
    final ShardReplica replica;
    final List<Effect> effects = new ArrayList<>();

    Node(String id, MemoryShardStateMachine sm, long base, long baseEpoch, List<LogEntry> log,
        long now) {
      this.id = id;
      this.sm = sm;
      this.replica = new ShardReplica(SHARD, id, OPTS, sm, base, baseEpoch, log, out, now);
      effects.addAll(out.drain());
    }

    Node(String id, long now) {
      this(id, new MemoryShardStateMachine(), 0, 0, List.of(), now);
    }

    List<Effect> handle(Input in) {
      replica.handle(in);
      List<Effect> drained = out.drain();
      effects.addAll(drained);
      return drained;
    }

    /** Completes every append emitted so far (fsync). */
    List<Effect> fsyncAll(long now) {
      LogEntry last = null;
      for (Effect e : effects) {
        if (e instanceof Effect.AppendLog a) {
          last = a.entries().get(a.entries().size() - 1);
        }
      }
      return last == null ? List.of()
          : handle(new Input.LogDurable(now, last.index(), last.epoch()));
    }
  }

  private static <T> List<T> of(List<Effect> effects, Class<T> type) {
    List<T> out = new ArrayList<>();
    for (Effect e : effects) {
      if (type.isInstance(e)) {
        out.add(type.cast(e));
      }
    }
    return out;
  }

  private static List<Message> sentTo(List<Effect> effects, String to) {
    List<Message> out = new ArrayList<>();
    for (Effect.Send s : of(effects, Effect.Send.class)) {
      if (s.to().equals(to)) {
        out.add(s.message());
      }
    }
    return out;
  }

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** Makes {@code n} primary of epoch {@code epoch + 1} with {@code backups}, by its own CAS. */
  private static ShardConfig becomePrimary(Node n, long now, long epoch, List<String> backups,
      List<String> learners) {
    ShardConfig placed = new ShardConfig(SHARD, epoch, n.id, backups, learners);
    n.handle(new Input.ConfigObserved(now, placed));
    List<Effect> tick = n.handle(new Input.Tick(now));
    Effect.ProposeConfig p = of(tick, Effect.ProposeConfig.class).get(0);
    n.handle(new Input.ProposalResult(now, p.next(), true));
    n.fsyncAll(now);
    return p.next();
  }

  // ----------------------------------------------------------------------------------------

  /**
   * Seed 54: System.nanoTime may be negative. A follower added to a primary with no writes to
   * send never got anything (its "last sent" time was 0, in the future of a negative clock), so
   * a learner never caught up and min-insync 2 kept the shard unavailable forever (§3.11).
   */
  @Test
  void learnerAddedOnANegativeClock_getsTheLogWithoutWaitingForAWrite_3_11() {
    long now = -5_000_000_000_000L;
    Node p = new Node("n1", now);
    ShardConfig c = becomePrimary(p, now, 1, List.of(), List.of());
    now += 10 * MS;
    p.handle(new Input.Tick(now));
    ShardConfig withLearner = new ShardConfig(SHARD, c.epoch(), "n1", List.of(), List.of("n2"));
    p.handle(new Input.ConfigObserved(now, withLearner));
    now += 10 * MS;
    List<Effect> tick = p.handle(new Input.Tick(now));
    assertFalse(sentTo(tick, "n2").stream()
            .noneMatch(m -> m instanceof Message.ReplicatePrepare rp && !rp.entries().isEmpty()),
        "the learner gets the log at once: " + tick);
  }

  /**
   * Seed 46 (regression seed 197): a crash after a snapshot install (synced) but before its log
   * reset reached the disk. The replica rightly ignored the stale log, but left it on disk: its
   * next append left a gap, and the next restart would have found a corrupt log.
   */
  @Test
  void restartWithAStaleLogBehindAnInstalledSnapshot_resetsTheLogOnDiskToo_3_11() {
    MemoryShardStateMachine sm = new MemoryShardStateMachine();
    sm.install(new ShardStateMachine.Snapshot(118, 7, List.of(), List.of()));
    List<LogEntry> staleLog = List.of(new LogEntry(5, 115, Command.noop()));
    Node n = new Node("n1", sm, 114, 5, staleLog, 0);
    List<Effect.ResetLog> resets = of(n.effects, Effect.ResetLog.class);
    assertEquals(List.of(new Effect.ResetLog(118, 7)), resets);
    assertEquals(118, n.replica.lastIndex());
  }

  /**
   * Seed 10680: the same crash, but the stale log reached past the snapshot, so its length
   * looked fine and it was kept — with another history at the snapshot's index. The first
   * prepare of the next primary then "diverged" below the applied index and wiped the replica,
   * which acks ALL must never need. The log must hold the applied entry itself to be kept.
   */
  @Test
  void restartWithALogOfAnotherHistoryAtTheSnapshotIndex_resetsTheLog_3_11() {
    MemoryShardStateMachine sm = new MemoryShardStateMachine();
    sm.install(new ShardStateMachine.Snapshot(62, 33, List.of(), List.of()));
    List<LogEntry> staleLog = new ArrayList<>();
    for (long i = 52; i <= 62; i++) {
      staleLog.add(new LogEntry(30, i, Command.noop()));
    }
    Node n = new Node("n1", sm, 51, 30, staleLog, 0);
    assertEquals(List.of(new Effect.ResetLog(62, 33)), of(n.effects, Effect.ResetLog.class));
    ShardConfig c = new ShardConfig(SHARD, 34, "n3", List.of(), List.of("n1"));
    n.handle(new Input.ConfigObserved(0, c));
    n.handle(new Input.Received(MS, "n3", new Message.ReplicatePrepare(c, 62, 33,
        List.of(new LogEntry(34, 63, Command.noop())), 63)));
    assertTrue(of(n.effects, Effect.Emit.class).stream()
        .noneMatch(e -> e.event().equals("replica-wiped")), n.effects.toString());
    assertEquals(63, n.replica.lastIndex());
  }

  /**
   * Seed 92 (regression seed 1656): a primary with no backups promoted a learner; the CAS won but
   * the primary did not learn it (its answer was lost, or the primary paused). With no backups its
   * lease was infinite, so it kept serving while the learner — now a backup of the next epoch —
   * waited out its grace and became primary: two primaries (§3.6, §3.11). The promoting learner now
   * vouches for the lease until the promotion resolves, and a failed promotion stays pending.
   */
  @Test
  void promotionWhoseCasAnswerIsLost_primaryStopsServingWhenTheLearnerStopsAcking_3_11() {
    long now = 1_000 * MS;
    Node p = new Node("n1", now);
    Node l = new Node("n2", now);
    ShardConfig c = becomePrimary(p, now, 1, List.of(), List.of());
    ShardConfig withLearner = new ShardConfig(SHARD, c.epoch(), "n1", List.of(), List.of("n2"));
    p.handle(new Input.ConfigObserved(now, withLearner));
    l.handle(new Input.ConfigObserved(now, withLearner));
    // Replicate until the learner has the whole log and has acked a beacon.
    Effect.ProposeConfig promotion = null;
    for (int i = 0; i < 20 && promotion == null; i++) {
      now += 10 * MS;
      List<Effect> fromP = new ArrayList<>(p.handle(new Input.Tick(now)));
      for (Message m : sentTo(fromP, "n2")) {
        l.handle(new Input.Received(now, "n1", m));
      }
      l.fsyncAll(now);
      for (Message m : sentTo(l.effects, "n1")) {
        fromP.addAll(p.handle(new Input.Received(now, "n2", m)));
      }
      l.effects.clear();
      for (Effect.ProposeConfig pc : of(fromP, Effect.ProposeConfig.class)) {
        promotion = pc.next().backups().contains("n2") ? pc : promotion;
      }
    }
    assertNotNull(promotion, "n1 proposes to promote n2");
    assertEquals(List.of("n2"), promotion.next().backups());
    // The CAS won, but its answer is lost: the runtime reports a failure (outcome unknown).
    p.handle(new Input.ProposalResult(now, promotion.next(), false));
    l.handle(new Input.ConfigObserved(now, promotion.next()));
    long learnerSawNewEpoch = now;
    // n2 is a backup of the new epoch now and no longer acks n1's old-epoch beacons.
    for (int i = 0; i < 100; i++) {
      now += 5 * MS;
      List<Effect> fromP = p.handle(new Input.Tick(now));
      for (Message m : sentTo(fromP, "n2")) {
        l.handle(new Input.Received(now, "n1", m));
      }
      assertTrue(sentTo(l.effects, "n1").stream().noneMatch(m -> m instanceof Message.BeaconAck),
          "n2 refuses the old epoch");
      if (now - learnerSawNewEpoch > OPTS.leaseNanos()) {
        assertFalse(p.replica.isServing(now), "n1 serves " + (now - learnerSawNewEpoch) / MS
            + " ms after n2 left its epoch; n2's grace (" + OPTS.graceNanos() / MS
            + " ms) would let it take over");
      }
    }
  }

  /**
   * Seed 100: a learner that had already applied past the snapshot it was sent dropped it
   * silently; the primary, learning nothing, resent snapshots forever and never promoted it.
   */
  @Test
  void snapshotAtOrBelowWhatTheLearnerApplied_isAckedSoThePrimaryMovesOn_3_11() {
    MemoryShardStateMachine sm = new MemoryShardStateMachine();
    sm.install(new ShardStateMachine.Snapshot(9, 2, List.of(), List.of()));
    Node l = new Node("n2", sm, 9, 2, List.of(), 0);
    ShardConfig c = new ShardConfig(SHARD, 3, "n1", List.of(), List.of("n2"));
    l.handle(new Input.ConfigObserved(0, c));
    List<Effect> fx = l.handle(new Input.Received(MS, "n1",
        new Message.SnapshotChunk(c, 9, 2, 0, true, List.of(), List.of())));
    List<Message> acks = sentTo(fx, "n1");
    assertEquals(1, acks.size(), fx.toString());
    Message.ReplicateAck ack = assertInstanceOf(Message.ReplicateAck.class, acks.get(0));
    assertTrue(ack.matched());
    assertEquals(9, ack.durableIndex());
  }

  /**
   * Seed 62: snapshot chunks that arrived out of order (the transport may reorder, STYLE P2)
   * were dropped, so a multi-chunk snapshot installed only when every chunk happened to arrive
   * in order — a learner took tens of seconds to catch up.
   */
  @Test
  void snapshotChunksArrivingOutOfOrder_areAssembledAndInstalled_3_11() {
    Node l = new Node("n2", 0);
    ShardConfig c = new ShardConfig(SHARD, 3, "n1", List.of(), List.of("n2"));
    l.handle(new Input.ConfigObserved(0, c));
    List<Message.SnapshotChunk> chunks = List.of(
        new Message.SnapshotChunk(c, 5, 2, 0, false, List.of(new KeyValue(b("a"), b("1"), 3)),
            List.of()),
        new Message.SnapshotChunk(c, 5, 2, 1, false, List.of(new KeyValue(b("b"), b("2"), 4)),
            List.of()),
        new Message.SnapshotChunk(c, 5, 2, 2, true, List.of(new KeyValue(b("c"), b("3"), 5)),
            List.of()));
    for (int i : new int[] {2, 0, 1}) {
      l.handle(new Input.Received(MS, "n1", chunks.get(i)));
    }
    assertEquals(5, l.sm.appliedIndex());
    assertArrayEquals(b("3"), l.sm.get(b("c")).value());
    assertEquals(List.of(new Effect.ResetLog(5, 2)), of(l.effects, Effect.ResetLog.class));
  }

  /**
   * Seed 1398: a new primary (whose log was trimmed) sent a backup a snapshot of its applied
   * state, below entries the backup held durably — among them one committed with this backup's
   * ack. Installing it reset the whole log, so the backup, a member that had counted for that
   * commit, no longer held it; when it later became primary the acknowledged write was gone
   * (§3.3, §3.7). The install now keeps the log after the snapshot's position when it is ours.
   */
  @Test
  void snapshotBelowEntriesTheBackupHolds_keepsTheEntriesAfterIt_3_3() {
    List<LogEntry> log = new ArrayList<>();
    for (long i = 1; i <= 54; i++) {
      log.add(new LogEntry(i <= 52 ? 50 : 52, i,
          new Command("c0", i, i, new Op.Put(b("k"), b("v" + i)))));
    }
    Node backup = new Node("n2", new MemoryShardStateMachine(), 0, 0, log, 0);
    ShardConfig c = new ShardConfig(SHARD, 54, "n3", List.of("n2"), List.of());
    backup.handle(new Input.ConfigObserved(0, c));
    List<Effect> fx = backup.handle(new Input.Received(MS, "n3", new Message.SnapshotChunk(
        c, 52, 50, 0, true, List.of(new KeyValue(b("k"), b("v52"), 52)), List.of())));
    assertEquals(52, backup.sm.appliedIndex());
    assertEquals(54, backup.replica.lastIndex(), "the entries after the snapshot stay");
    assertEquals(54, backup.replica.durableIndex());
    assertEquals(52, backup.replica.logEntry(53).epoch());
    assertTrue(of(fx, Effect.ResetLog.class).isEmpty(), fx.toString());
    assertEquals(List.of(new Effect.TrimLog(53, 50)), of(fx, Effect.TrimLog.class));
  }

  /** The other case: a log that does not hold the snapshot's position is replaced by it. */
  @Test
  void snapshotOfAPositionTheLogDoesNotHold_replacesTheLog_3_11() {
    List<LogEntry> log = List.of(new LogEntry(3, 1, Command.noop()),
        new LogEntry(3, 2, Command.noop()));
    Node backup = new Node("n2", new MemoryShardStateMachine(), 0, 0, log, 0);
    ShardConfig c = new ShardConfig(SHARD, 9, "n3", List.of("n2"), List.of());
    backup.handle(new Input.ConfigObserved(0, c));
    List<Effect> fx = backup.handle(new Input.Received(MS, "n3",
        new Message.SnapshotChunk(c, 2, 8, 0, true, List.of(), List.of())));
    assertEquals(List.of(new Effect.ResetLog(2, 8)), of(fx, Effect.ResetLog.class));
    assertEquals(2, backup.replica.lastIndex());
  }

  /**
   * Seed 38 (regression seed 360): a late copy of an old request (its client had its answer and
   * moved on, so the dedup record was forgotten below firstUnackedSeq) was appended and applied
   * again, writing an old value over a newer acknowledged one (§3.4). The forgetting is now
   * recorded, and survives snapshots.
   */
  @Test
  void staleDuplicateOfAForgottenSeq_isNotAppliedAgain_evenAfterASnapshot_3_4() {
    MemoryShardStateMachine sm = new MemoryShardStateMachine();
    long index = 0;
    // Seqs 4 .. 4 + FORGET_BATCH - 1, each acknowledged before the next was sent.
    long last = 4 + ShardStateMachine.FORGET_BATCH - 1;
    for (long seq = 4; seq <= last; seq++) {
      sm.apply(new LogEntry(2, ++index, new Command("c3", seq, seq, new Op.Put(b("k2"),
          b("v" + seq)))));
    }
    // Not yet forgotten: the late copy of seq 4 finds its record, and is not applied.
    Outcome recorded = sm.apply(
        new LogEntry(2, ++index, new Command("c3", 4, 4, new Op.Put(b("k2"), b("v4")))));
    assertEquals(Outcome.applied(1), recorded);
    // The next seq makes FORGET_BATCH records forgettable: they are forgotten, and that is
    // remembered.
    long next = last + 1;
    sm.apply(new LogEntry(2, ++index, new Command("c3", next, next, new Op.Put(b("k2"),
        b("v33")))));
    Outcome late = sm.apply(
        new LogEntry(2, ++index, new Command("c3", 4, 4, new Op.Put(b("k2"), b("v4")))));
    assertSame(ShardStateMachine.FORGOTTEN, late);
    assertArrayEquals(b("v33"), sm.get(b("k2")).value());
    assertEquals(index - 1, sm.get(b("k2")).version());

    MemoryShardStateMachine copy = new MemoryShardStateMachine();
    copy.install(sm.snapshot());
    assertEquals(ShardStateMachine.FORGOTTEN, copy.appliedOutcome("c3", 4));
    assertEquals(ShardStateMachine.FORGOTTEN, copy.appliedOutcome("c3", 1));
    assertEquals(Outcome.applied(index - 1), copy.appliedOutcome("c3", next));
    assertEquals(null, copy.appliedOutcome("c3", next + 1), "a seq not yet applied is not stale");
  }

  /** Seed 38 (360), at the primary: the stale copy is answered from the record, never appended. */
  @Test
  void staleDuplicateReachingThePrimary_isNotAppended_3_4() {
    long now = 1_000 * MS;
    Node p = new Node("n1", now);
    becomePrimary(p, now, 1, List.of(), List.of());
    now += MS;
    p.handle(new Input.ClientWrite(now, 1, new Command("c3", 4, 4, new Op.Put(b("k"), b("old")))));
    p.fsyncAll(now);
    p.handle(new Input.ClientWrite(now, 2, new Command("c3", 5, 5, new Op.Put(b("k"), b("new")))));
    p.fsyncAll(now);
    long last = p.replica.lastIndex();
    List<Effect> fx = p.handle(
        new Input.ClientWrite(now, 3, new Command("c3", 4, 4, new Op.Put(b("k"), b("old")))));
    assertEquals(last, p.replica.lastIndex(), "nothing appended for the stale copy");
    assertTrue(of(fx, Effect.AppendLog.class).isEmpty());
    assertArrayEquals(b("new"), p.sm.get(b("k")).value());
  }
}
