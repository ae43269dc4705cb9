package io.bulwark.core.pb;

import static io.bulwark.core.pb.ReplicaCluster.MS;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bulwark.core.common.KeyspaceSpec;
import io.bulwark.core.common.ShardConfig;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Drives the primary-backup core directly (DESIGN §3), one rule per test: hand-built inputs, a
 * manual clock and a hand-delivered network ({@link ReplicaCluster}); assertions on replies,
 * configurations and replica state.
 */
class ShardReplicaTest {

  @Test
  void initialPlacement_primaryMovesToItsOwnEpochThenServes() {
    ReplicaCluster c = new ReplicaCluster("n1", "n2", "n3").place();
    assertFalse(c.replica("n1").isServing(c.now), "epoch 1 was not created by n1's CAS");
    c.tick();
    c.settle();
    assertEquals(2, c.zk.epoch());
    assertEquals("n1", c.zk.primary());
    assertEquals("n1", c.primaryServing());
  }

  @Test
  void commitNeedsEveryReplicaOfTheConfiguration_3_3() {
    ReplicaCluster c = new ReplicaCluster("n1", "n2", "n3").started();
    c.slowDisk.add("n3");
    long id = c.put("n1", "client", 1, "k", "v");
    c.settle();
    assertNull(c.replies.get(id), "n3 does not hold the entry durably yet");
    assertEquals(c.replica("n1").lastIndex() - 1, c.replica("n1").committedIndex());
    c.slowDisk.remove("n3");
    c.settle();
    ClientReply r = c.replies.get(id);
    assertInstanceOf(ClientReply.Written.class, r);
    assertEquals(c.replica("n1").lastIndex(), c.replica("n1").committedIndex());
  }

  @Test
  void acksPrimary_acknowledgesBeforeBackupsHoldTheEntry() {
    ReplicaCluster c = new ReplicaCluster(KeyspaceSpec.Acks.PRIMARY, "n1", "n2", "n3").started();
    c.slowDisk.add("n2");
    c.slowDisk.add("n3");
    long id = c.put("n1", "client", 1, "k", "v");
    c.settle();
    assertInstanceOf(ClientReply.Written.class, c.replies.get(id));
  }

  @Test
  void staleEpochMessage_isRefused_3_2() {
    ReplicaCluster c = new ReplicaCluster("n1", "n2", "n3").started();
    ShardConfig old = new ShardConfig(ReplicaCluster.SHARD, 1, "n1", List.of("n2", "n3"),
        List.of());
    long lastBefore = c.replica("n2").lastIndex();
    LogEntry stale = new LogEntry(1, lastBefore + 1, new Command("x", 1, 0,
        new Op.Put("k".getBytes(), "stale".getBytes())));
    c.input("n2", new Input.Received(c.now, "n1",
        new Message.ReplicatePrepare(old, lastBefore, 2, List.of(stale), 0)));
    assertEquals(lastBefore, c.replica("n2").lastIndex());
    assertTrue(c.network.isEmpty(), "a stale-epoch message gets no ack");
  }

  @Test
  void backupProposesItselfOnlyAfterGrace_3_7() {
    ReplicaCluster c = new ReplicaCluster("n1", "n2", "n3").started();
    long epoch = c.zk.epoch();
    c.kill("n1");
    c.run(c.opts.graceNanos() - c.opts.beaconNanos());
    assertEquals(epoch, c.zk.epoch(), "no proposal before grace");
    c.run(2 * c.opts.beaconNanos());
    assertEquals(epoch + 1, c.zk.epoch());
    assertNotEquals("n1", c.zk.primary());
    assertFalse(c.zk.isMember("n1"));
    c.run(c.opts.beaconNanos());
    assertEquals(c.zk.primary(), c.primaryServing());
  }

  @Test
  void backupThatNeverHeardFromAPrimary_waitsTheInitialGrace() {
    // Placed, but the primary dies before its first beacon (a new keyspace on a cold node): the
    // backups have acked nobody since they opened, so one grace is not yet silence.
    ReplicaCluster c = new ReplicaCluster("n1", "n2", "n3");
    c.kill("n1");
    c.place();
    long initialGrace = ShardReplica.INITIAL_GRACE_FACTOR * c.opts.graceNanos();
    c.run(initialGrace - c.opts.beaconNanos());
    assertEquals(1, c.zk.epoch(), "no proposal within the initial grace");
    c.run(2 * c.opts.beaconNanos());
    assertEquals(2, c.zk.epoch());
    assertNotEquals("n1", c.zk.primary());
  }

  @Test
  void graceExpiryTakeover_emitsExactlyOneFailoverEvent_6() {
    ReplicaCluster c = new ReplicaCluster("n1", "n2", "n3").started();
    assertEquals(List.of(), failovers(c), "initial placement and a new tenure are no failover");
    long epoch = c.zk.epoch();
    c.kill("n1");
    c.run(c.opts.graceNanos() + 4 * c.opts.beaconNanos());
    // Both backups' graces expire; n2 ticks first and wins, n3's CAS loses.
    assertEquals("n2", c.zk.primary());
    assertEquals(List.of("n2 failover shard=default/0 from=n1 to=n2 epoch=" + (epoch + 1)
        + " reason=primary-silent"), failovers(c));
    c.run(4 * c.opts.beaconNanos());
    assertEquals("n2", c.primaryServing());
    assertEquals(1, failovers(c).size(), c.events::toString);
  }

  @Test
  void takeoverWhoseCasAnswerWasLost_isReportedOnceWhenTheWinIsObserved_6() {
    ReplicaCluster c = new ReplicaCluster("n1", "n2", "n3").started();
    long epoch = c.zk.epoch();
    c.kill("n1");
    c.nextCasReplyLost = true; // n2's takeover CAS wins, but n2 hears it failed
    c.run(c.opts.graceNanos() + 8 * c.opts.beaconNanos());
    assertEquals("n2", c.primaryServing());
    assertEquals(epoch + 2, c.zk.epoch(), "n2 moved to an epoch of its own (§3.10)");
    assertEquals(List.of("n2 failover shard=default/0 from=n1 to=n2 epoch=" + (epoch + 1)
        + " reason=primary-silent"), failovers(c));
  }

  private static List<String> failovers(ReplicaCluster c) {
    return c.events.stream().filter(e -> e.split(" ")[1].equals("failover")).toList();
  }

  @Test
  void oldPrimaryStopsServingWhenItsLeaseLapses_beforeAnyBackupMayPropose_3_6() {
    ReplicaCluster c = new ReplicaCluster("n1", "n2", "n3").started();
    c.run(c.opts.beaconNanos());
    long cutAt = c.now;
    c.cut.add("n1");
    // n1 keeps ticking (it is alive, only cut off); its last acked beacon was sent <= cutAt.
    long leaseEnd = -1;
    for (int i = 0; i < 40 && leaseEnd < 0; i++) {
      c.now += MS * 10;
      c.input("n1", new Input.Tick(c.now));
      if (!c.replica("n1").isServing(c.now)) {
        leaseEnd = c.now;
      }
    }
    assertTrue(leaseEnd > 0 && leaseEnd - cutAt <= c.opts.leaseNanos() + 10 * MS,
        "lease lapsed " + (leaseEnd - cutAt) / MS + " ms after the cut");
    long id = c.read("n1", "k");
    ClientReply.Refused r = assertInstanceOf(ClientReply.Refused.class, c.replies.get(id));
    assertEquals(ClientReply.Refusal.UNAVAILABLE, r.refusal());
    assertTrue(leaseEnd < cutAt + c.opts.graceNanos(), "lease ends before grace can");
  }

  @Test
  void newPrimaryReconciliation_truncatesADivergentSuffixOnABackup_3_10() {
    ReplicaCluster c = new ReplicaCluster("n1", "n2", "n3").started();
    long id = c.put("n1", "client", 1, "k", "lost");
    c.fsync();
    // The prepare reaches n2 only; then n1 is cut off for good.
    c.network.removeIf(m -> m.to().equals("n3"));
    c.deliver();
    c.fsync();
    long divergentIndex = c.replica("n2").lastIndex();
    assertEquals(divergentIndex, c.replica("n3").lastIndex() + 1);
    c.kill("n1");
    c.network.clear();
    // n3's grace expires first, so n3 (which lacks the entry) becomes primary.
    c.tickUntil(c.now + c.opts.graceNanos() + MS, "n3");
    assertEquals("n3", c.zk.primary());
    c.settle();
    c.run(c.opts.beaconNanos() * 2);
    assertEquals("n3", c.primaryServing());
    assertTrue(c.events.stream().anyMatch(e -> e.startsWith("n2 log-truncated")), c.events::toString);
    assertEquals(c.zk.epoch(), entryEpoch(c, "n2", divergentIndex));
    assertNull(c.machines.get("n2").get("k".getBytes()), "the unacknowledged write is gone");
    assertFalse(c.replies.get(id) instanceof ClientReply.Written, "it was never acknowledged");
  }

  @Test
  void backupAcksAPrepareOnceAndOnlyWhenDurable_3_2() {
    ReplicaCluster c = new ReplicaCluster("n1", "n2", "n3").started();
    c.put("n1", "client", 1, "k", "v");
    c.fsync();
    c.deliver(); // the prepares reach n2 and n3; their appends are not durable yet
    assertEquals(0, acksTo(c, "n1"), "no ack before the entry is durable: " + c.network);
    c.fsync();
    assertEquals(2, acksTo(c, "n1"), "one ack per backup once durable: " + c.network);
  }

  private static long acksTo(ReplicaCluster c, String node) {
    return c.network.stream()
        .filter(m -> m.to().equals(node) && m.message() instanceof Message.ReplicateAck)
        .count();
  }

  @Test
  void refusedConnectionToThePrimary_letsABackupProposeAtTheGraceFloorNotBefore_3_7() {
    ReplicaCluster c = new ReplicaCluster("n1", "n2", "n3").started();
    c.run(2 * c.opts.beaconNanos()); // fresh acks from both backups
    long epoch = c.zk.epoch();
    long killedAt = c.now;
    c.kill("n1");
    c.network.clear();
    c.now += MS; // the refused connection comes after the last ack
    c.input("n2", new Input.PeerUnreachable(c.now, "n1"));
    c.input("n3", new Input.PeerUnreachable(c.now, "n3")); // not n3's primary: no effect
    // Half a lease later the old primary may still hold its lease: nobody proposes.
    c.tickUntil(killedAt + c.opts.leaseNanos() / 2, "n2", "n3");
    assertEquals(epoch, c.zk.epoch(), "no proposal while the old lease may run");
    // Past the floor but well before the configured grace, n2 (told) proposes; n3 does not.
    long floor = c.opts.graceFloorNanos();
    assertTrue(floor + 2 * MS < c.opts.graceNanos(), "the test needs grace above its floor");
    c.tickUntil(killedAt + floor, "n2", "n3");
    assertEquals(epoch, c.zk.epoch(), "nobody proposes before the floor");
    c.now = killedAt + floor + MS;
    c.input("n3", new Input.Tick(c.now));
    assertEquals(epoch, c.zk.epoch(), "n3 heard nothing about n1 and waits out its grace");
    c.input("n2", new Input.Tick(c.now));
    assertEquals("n2", c.zk.primary(), "n2 proposed itself at the grace floor");
    assertTrue(c.zk.epoch() > epoch);
    assertEquals(List.of("n2 failover shard=default/0 from=n1 to=n2 epoch=" + c.zk.epoch()
        + " reason=primary-unreachable"), failovers(c));
  }

  /**
   * A late tick after the refused connection leaves the pause out of the grace floor; it does
   * not make the signal look older than the last ack. Found by the failover benchmark: with the
   * pause added to the ack's time, a loaded backup's late tick turned the floor into the full
   * grace, and the median failover rose by 150 ms.
   */
  @Test
  void refusedConnectionThenALateTick_backupStillProposesAtTheFloorPlusThePause_3_7() {
    ReplicaCluster c = new ReplicaCluster("n1", "n2", "n3").started();
    c.run(2 * c.opts.beaconNanos());
    long epoch = c.zk.epoch();
    long killedAt = c.now;
    c.kill("n1");
    c.network.clear();
    c.now += MS;
    c.input("n2", new Input.PeerUnreachable(c.now, "n1"));
    c.tickUntil(killedAt + 100 * MS, "n2");
    long late = 2 * c.opts.beaconNanos();
    c.now += late; // the loop stood still for a beacon interval beyond the usual
    c.input("n2", new Input.Tick(c.now));
    long pause = late - c.opts.beaconNanos();
    c.tickUntil(killedAt + c.opts.graceFloorNanos() + pause - 10 * MS, "n2");
    assertEquals(epoch, c.zk.epoch(), "the pause is not counted towards the floor");
    c.tickUntil(killedAt + c.opts.graceFloorNanos() + pause + 10 * MS, "n2");
    assertEquals("n2", c.zk.primary(), "n2 proposed at the floor plus the pause, not the grace");
  }

  @Test
  void unreachableSignalFollowedByAnAck_isStale_3_7() {
    ReplicaCluster c = new ReplicaCluster("n1", "n2", "n3").started();
    c.input("n2", new Input.PeerUnreachable(c.now, "n1"));
    c.run(2 * c.opts.beaconNanos()); // n1 is alive after all: beacons acked after the signal
    long epoch = c.zk.epoch();
    c.kill("n1");
    c.network.clear();
    long killedAt = c.now;
    c.tickUntil(killedAt + c.opts.graceFloorNanos() + MS, "n2");
    assertEquals(epoch, c.zk.epoch(), "a signal older than the last ack does not shorten grace");
    c.tickUntil(killedAt + c.opts.graceNanos() + MS, "n2");
    assertEquals("n2", c.zk.primary(), "n2 proposes at its full grace");
  }

  @Test
  void duplicateRequest_appliesOnce_3_4() {
    ReplicaCluster c = new ReplicaCluster("n1", "n2", "n3").started();
    long first = c.put("n1", "client", 7, "k", "v1");
    long retryInFlight = c.put("n1", "client", 7, "k", "v1");
    long lastIndex = c.replica("n1").lastIndex();
    c.settle();
    ClientReply.Written w1 = assertInstanceOf(ClientReply.Written.class, c.replies.get(first));
    ClientReply.Written w2 =
        assertInstanceOf(ClientReply.Written.class, c.replies.get(retryInFlight));
    assertEquals(w1.outcome().version(), w2.outcome().version());
    assertEquals(lastIndex, c.replica("n1").lastIndex(), "the in-flight retry appended nothing");
    long lateRetry = c.put("n1", "client", 7, "k", "other");
    ClientReply.Written w3 = assertInstanceOf(ClientReply.Written.class, c.replies.get(lateRetry));
    assertEquals(w1.outcome().version(), w3.outcome().version());
    assertArrayEquals("v1".getBytes(), c.machines.get("n1").get("k".getBytes()).value());
    assertEquals(lastIndex, c.replica("n1").lastIndex(), "the late retry appended nothing");
  }

  @Test
  void retryAfterFailover_isAppliedOnceByTheNewPrimary_3_4() {
    ReplicaCluster c = new ReplicaCluster("n1", "n2", "n3").started();
    long id = c.put("n1", "client", 1, "k", "v");
    c.fsync();
    c.deliver(); // prepares reach n2, n3
    c.fsync(); // they are durable there; their acks are queued
    c.kill("n1"); // n1 dies before it learns the entry committed
    c.network.clear();
    assertNull(c.replies.get(id));
    c.run(c.opts.graceNanos() + 4 * c.opts.beaconNanos());
    String p = c.primaryServing();
    assertNotEquals(null, p);
    long retry = c.put(p, "client", 1, "k", "v");
    c.settle();
    ClientReply.Written w = assertInstanceOf(ClientReply.Written.class, c.replies.get(retry));
    int puts = 0;
    for (long i = 1; i <= c.replica(p).lastIndex(); i++) {
      Command cmd = entry(c, p, i).command();
      puts += cmd.clientId().equals("client") ? 1 : 0;
    }
    assertEquals(1, puts, "one log entry for (client, 1)");
    assertEquals(w.outcome().version(), c.machines.get(p).get("k".getBytes()).version());
  }

  @Test
  void primaryCutOffFromBackupsButNotZooKeeper_removesThemBeforeTheirGrace_andBackupsCannotTakeOver() {
    ReplicaCluster c = new ReplicaCluster("n1", "n2", "n3").started();
    long epoch = c.zk.epoch();
    c.cut.add("n1");
    c.run(c.opts.graceNanos() + 4 * c.opts.beaconNanos());
    assertEquals(epoch + 1, c.zk.epoch(), "one configuration change won");
    assertEquals("n1", c.zk.primary(), "n1's removal (one lease) comes before any grace ends");
    String serving = c.primaryServing();
    assertTrue(serving == null || serving.equals("n1"), "no backup serves: " + serving);
  }

  /**
   * A pause of the primary's own process (a GC pause, a starved CPU) is not its backups'
   * silence: waking, it first hears them again and keeps them. Its lease is not stretched by the
   * pause: it lapsed on time and comes back only with fresh acks.
   */
  @Test
  void primaryWakingFromAPause_keepsItsBackups_butItsLeaseLapsedOnTime() {
    ReplicaCluster c = new ReplicaCluster("n1", "n2", "n3").started();
    c.run(2 * c.opts.beaconNanos());
    long epoch = c.zk.epoch();
    // n1 stands still for more than a lease; its backups run on and hear nothing meanwhile.
    c.tickUntil(c.now + c.opts.leaseNanos() + c.opts.beaconNanos(), "n2", "n3");
    c.input("n1", new Input.Tick(c.now));
    assertFalse(c.replica("n1").isServing(c.now), "the lease lapsed during the pause");
    c.settle();
    c.run(2 * c.opts.beaconNanos());
    assertEquals(epoch, c.zk.epoch(), c.events::toString);
    assertEquals(List.of("n2", "n3"), c.zk.backups());
    assertEquals("n1", c.primaryServing());
  }

  /**
   * Seen in CI: a stall of the whole loaded machine made every primary drop both its backups at
   * once, leaving each shard one crash from waiting for a dead node. Paused past even the grace,
   * and with the backups' ticks first on waking (the worst order), nobody blames anybody.
   */
  @Test
  void wholeMachinePausedPastTheGrace_noReplicaBlamesAnother() {
    ReplicaCluster c = new ReplicaCluster("n1", "n2", "n3").started();
    c.run(2 * c.opts.beaconNanos());
    long epoch = c.zk.epoch();
    c.now += c.opts.graceNanos() + c.opts.beaconNanos();
    for (String n : List.of("n2", "n3", "n1")) {
      c.input(n, new Input.Tick(c.now));
    }
    assertEquals(epoch, c.zk.epoch(), c.events::toString);
    c.settle();
    c.run(2 * c.opts.beaconNanos());
    assertEquals(epoch, c.zk.epoch(), c.events::toString);
    assertEquals("n1", c.primaryServing());
  }

  /** The pause discount never keeps a dead backup: each late pass counts a beacon interval. */
  @Test
  void primaryWhoseEveryTickIsLate_stillRemovesADeadBackup() {
    ReplicaCluster c = new ReplicaCluster("n1", "n2", "n3").started();
    c.kill("n3");
    long late = 4 * c.opts.beaconNanos();
    for (int i = 0; i < 40 && c.zk.backups().contains("n3"); i++) {
      c.now += late;
      c.tick();
      c.settle();
    }
    assertEquals("n1", c.zk.primary());
    assertEquals(List.of("n2"), c.zk.backups(), c.events::toString);
  }

  @Test
  void silentBackup_isRemovedByCasBeforeTheyCommitWithoutIt_3_5() {
    ReplicaCluster c = new ReplicaCluster("n1", "n2", "n3").started();
    long epoch = c.zk.epoch();
    c.cut.add("n3");
    long id = c.put("n1", "client", 1, "k", "v");
    c.settle();
    assertNull(c.replies.get(id), "no commit without n3 while it is in the configuration");
    c.run(c.opts.leaseNanos() + 2 * c.opts.beaconNanos());
    assertEquals(epoch + 1, c.zk.epoch());
    assertEquals(List.of("n2"), c.zk.backups());
    assertInstanceOf(ClientReply.Written.class, c.replies.get(id));
    assertTrue(c.events.contains("n1 replica-removed shard=default/0 node=n3"
        + " reason=backup-silent epoch=" + c.zk.epoch()), c.events::toString);
  }

  /**
   * DESIGN §6 with §3 rules 2, 5 and 7: a backup whose runtime drops entries for lack of disk
   * but still acks beacons is removed like a silent one. It never acked the entry, so the
   * commit waits for the removal and never counts it; the primary keeps its lease throughout
   * (beacons are acked), and the backup's grace never expires, so it never proposes itself.
   */
  @Test
  void backupRefusingEntriesButAckingBeacons_isRemovedWithinALease_andNeverTakesOver() {
    ReplicaCluster c = new ReplicaCluster("n1", "n2", "n3").started();
    long epoch = c.zk.epoch();
    c.refuseWrites.add("n3");
    long n3Last = c.replica("n3").lastIndex();
    long id = c.put("n1", "client", 1, "k", "v");
    c.settle();
    assertNull(c.replies.get(id), "no commit without n3 while it is in the configuration");
    assertEquals("n1", c.primaryServing(), "beacon acks keep the primary's lease");
    c.run(c.opts.leaseNanos() + 2 * c.opts.beaconNanos());
    assertEquals(epoch + 1, c.zk.epoch());
    assertEquals("n1", c.zk.primary());
    assertEquals(List.of("n2"), c.zk.backups());
    assertInstanceOf(ClientReply.Written.class, c.replies.get(id));
    assertEquals(n3Last, c.replica("n3").lastIndex(), "n3 appended nothing");
    assertTrue(c.events.contains("n1 replica-removed shard=default/0 node=n3"
        + " reason=backup-silent epoch=" + c.zk.epoch()), c.events::toString);
    c.run(2 * c.opts.graceNanos());
    assertEquals(epoch + 1, c.zk.epoch(), "n3 proposed nothing: " + c.events);
    assertEquals("n1", c.primaryServing());
  }

  @Test
  void tooFewInsyncMembers_refusesWriteBeforeAppend() {
    ReplicaOptions opts = ReplicaOptions.defaults(3, KeyspaceSpec.Acks.ALL);
    ReplicaCluster c = new ReplicaCluster(opts, "n1", "n2", "n3").started();
    c.cut.add("n3");
    c.run(c.opts.leaseNanos() + 2 * c.opts.beaconNanos()); // n3 is removed
    long last = c.replica("n1").lastIndex();
    long id = c.put("n1", "client", 1, "k", "v");
    ClientReply.Refused r = assertInstanceOf(ClientReply.Refused.class, c.replies.get(id));
    assertEquals(ClientReply.Refusal.UNAVAILABLE, r.refusal());
    assertTrue(r.message().contains("min-insync is 3"), r.message());
    assertEquals(last, c.replica("n1").lastIndex());
  }

  @Test
  void removedNodeRejoinsAsLearner_catchesUpBySnapshot_andIsPromoted_3_11() {
    ReplicaOptions opts = ReplicaOptions.defaults(1, KeyspaceSpec.Acks.ALL)
        .withLogRetainEntries(8);
    ReplicaCluster c = new ReplicaCluster(opts, "n1", "n2", "n3").started();
    c.cut.add("n3");
    c.run(c.opts.leaseNanos() + 2 * c.opts.beaconNanos());
    assertFalse(c.zk.isReplica("n3"));
    List<Long> ids = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      ids.add(c.put("n1", "client", i + 1, "k" + i, "v" + i));
      c.settle();
    }
    ids.forEach(id -> assertInstanceOf(ClientReply.Written.class, c.replies.get(id)));
    c.addLearner("n3");
    c.run(10 * c.opts.beaconNanos());
    assertTrue(c.events.stream().anyMatch(e -> e.startsWith("n3 snapshot-installed")),
        c.events::toString);
    assertTrue(c.zk.backups().contains("n3"), "n3 was promoted: " + c.zk);
    assertTrue(c.events.contains("n1 catch-up-done shard=default/0 node=n3 epoch="
        + c.zk.epoch()), c.events::toString);
    for (int i = 0; i < 30; i++) {
      assertArrayEquals(("v" + i).getBytes(), c.machines.get("n3").get(("k" + i).getBytes())
          .value());
    }
    long after = c.put("n1", "client", 100, "k-after", "x");
    c.settle();
    assertInstanceOf(ClientReply.Written.class, c.replies.get(after));
    assertEquals(c.replica("n1").committedIndex(), c.replica("n3").durableIndex());
  }

  @Test
  void restartedPrimary_movesToANewEpochBeforeAssigningAnyIndex_3_10() {
    ReplicaCluster c = new ReplicaCluster("n1", "n2", "n3").started();
    c.put("n1", "client", 1, "k", "v");
    c.settle();
    long epoch = c.zk.epoch();
    List<LogEntry> durable = new ArrayList<>();
    for (long i = 1; i <= c.replica("n1").lastIndex(); i++) {
      durable.add(entry(c, "n1", i));
    }
    c.restart("n1", durable);
    c.input("n1", new Input.ConfigObserved(c.now, c.zk));
    long id = c.put("n1", "client", 2, "k", "v2");
    ClientReply.Refused r = assertInstanceOf(ClientReply.Refused.class, c.replies.get(id));
    assertEquals(ClientReply.Refusal.UNAVAILABLE, r.refusal());
    c.tick();
    c.settle();
    c.run(c.opts.beaconNanos());
    assertEquals(epoch + 1, c.zk.epoch());
    assertEquals("n1", c.primaryServing());
    assertEquals(List.of(), failovers(c), "a restart's own epoch bump is no failover");
  }

  @Test
  void readOnPrimary_seesTheLastAcknowledgedWrite_andBackupRedirects() {
    ReplicaCluster c = new ReplicaCluster("n1", "n2", "n3").started();
    c.put("n1", "client", 1, "k", "v");
    c.settle();
    long id = c.read("n1", "k");
    ClientReply.ReadValue rv = assertInstanceOf(ClientReply.ReadValue.class, c.replies.get(id));
    assertArrayEquals("v".getBytes(), rv.value().value());
    assertTrue(rv.validUntilNanos() > c.now);
    long other = c.read("n2", "k");
    ClientReply.Refused r = assertInstanceOf(ClientReply.Refused.class, c.replies.get(other));
    assertEquals(ClientReply.Refusal.NOT_PRIMARY, r.refusal());
    assertEquals("n1", r.primaryHint());
  }

  private static LogEntry entry(ReplicaCluster c, String node, long index) {
    return c.replica(node).logEntry(index);
  }

  private static long entryEpoch(ReplicaCluster c, String node, long index) {
    return entry(c, node, index).epoch();
  }
}
