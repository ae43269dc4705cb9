package io.bulwark.core.pb;

import static io.bulwark.core.pb.ReplicaCluster.MS;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bulwark.core.common.KeyspaceSpec;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Graceful handover (DESIGN §3 rule 8), driven by hand through {@link ReplicaCluster}: the primary
 * stops serving, lets its in-flight entries commit, waits until the target durably holds its
 * whole log, then proposes the next epoch with the target primary. Each test checks one promise:
 * nothing acknowledged or in flight is lost or failed, writes refused meanwhile are refused before
 * append (so a client may retry them), at most one replica serves at any moment, and every way
 * the handover can fail ends with a serving primary.
 */
class HandoverTest {

  @Test
  void handover_commitsInFlightWrites_refusesNewOnesRetriably_andTheTargetServesThemAfter() {
    ReplicaCluster c = new ReplicaCluster("n1", "n2", "n3").started();
    long epoch = c.zk.epoch();
    long inFlight = c.put("n1", "client", 1, "k", "v1");
    c.input("n1", new Input.HandOver(c.now, "n2"));
    long refused = c.put("n1", "client", 2, "k", "v2");
    ClientReply.Refused r = assertInstanceOf(ClientReply.Refused.class, c.replies.get(refused));
    assertEquals(ClientReply.Refusal.NOT_PRIMARY, r.refusal(), "a retriable refusal");
    assertEquals("n2", r.primaryHint(), "pointing the client at the target");
    long lastBefore = c.replica("n1").lastIndex();

    c.settle();
    assertInstanceOf(ClientReply.Written.class, c.replies.get(inFlight),
        "the write in flight when the handover began committed");
    assertEquals(lastBefore, c.replica("n1").lastIndex(), "the refused write was not appended");
    assertEquals(epoch + 1, c.zk.epoch());
    assertEquals("n2", c.zk.primary());
    assertEquals(List.of("n1", "n3"), c.zk.backups());
    assertTrue(c.events.contains("n1 handover shard=default/0 target=n2 phase=done epoch="
        + (epoch + 1)), c.events::toString);

    c.observeZk();
    c.run(4 * c.opts.beaconNanos());
    assertEquals("n2", c.primaryServing());
    assertEquals(epoch + 2, c.zk.epoch(), "the target moved to an epoch of its own (§3.10)");
    long retried = c.put("n2", "client", 2, "k", "v2");
    c.settle();
    assertInstanceOf(ClientReply.Written.class, c.replies.get(retried));
    c.run(2 * c.opts.beaconNanos()); // backups learn the commit from the next beacon
    for (String n : List.of("n1", "n2", "n3")) {
      assertArrayEquals("v2".getBytes(), c.machines.get(n).get("k".getBytes()).value(), n);
    }
  }

  @Test
  void handover_isNotReportedAsAFailover() {
    ReplicaCluster c = new ReplicaCluster("n1", "n2", "n3").started();
    c.input("n1", new Input.HandOver(c.now, "n2"));
    c.settle();
    c.observeZk();
    c.run(4 * c.opts.beaconNanos());
    assertEquals("n2", c.primaryServing());
    assertTrue(c.events.stream().anyMatch(e -> e.startsWith("n2 became-primary")),
        c.events::toString);
    assertTrue(c.events.stream().noneMatch(e -> e.split(" ")[1].equals("failover")),
        c.events::toString);
  }

  @Test
  void oldPrimaryServesNoReadOnceStopped_andTheTargetServesNothingBeforeTheCas() {
    ReplicaCluster c = new ReplicaCluster("n1", "n2", "n3").started();
    c.put("n1", "client", 1, "k", "v1");
    c.settle();
    c.slowDisk.add("n2"); // keeps the target from catching up for a while
    c.put("n1", "client", 2, "k", "v2");
    c.input("n1", new Input.HandOver(c.now, "n2"));
    assertNull(c.primaryServing(), "n1 stopped serving; n2 is not primary yet");
    long read = c.read("n1", "k");
    ClientReply.Refused r = assertInstanceOf(ClientReply.Refused.class, c.replies.get(read));
    assertEquals(ClientReply.Refusal.NOT_PRIMARY, r.refusal());
    for (int i = 0; i < 3; i++) {
      c.run(c.opts.beaconNanos());
      assertNull(c.primaryServing(), "no one serves while the target catches up");
      assertEquals("n1", c.zk.primary(), "no CAS before the target holds the whole log");
    }
    c.slowDisk.remove("n2");
    c.settle();
    assertEquals("n2", c.zk.primary());
    assertNull(c.primaryServing(), "the target serves only after its own epoch and lease");
    c.observeZk();
    for (int i = 0; i < 6; i++) {
      c.run(c.opts.beaconNanos());
      String serving = c.primaryServing();
      assertTrue(serving == null || serving.equals("n2"), "only n2 may serve: " + serving);
    }
    assertEquals("n2", c.primaryServing());
    long after = c.read("n2", "k");
    ClientReply.ReadValue rv = assertInstanceOf(ClientReply.ReadValue.class, c.replies.get(after));
    assertArrayEquals("v2".getBytes(), rv.value().value());
  }

  @Test
  void failedCas_primaryResumesOnlyAfterWinningAFreshEpoch() {
    ReplicaCluster c = new ReplicaCluster("n1", "n2", "n3").started();
    long epoch = c.zk.epoch();
    c.nextCasUnreachable = true;
    c.input("n1", new Input.HandOver(c.now, "n2"));
    c.settle();
    assertEquals(epoch, c.zk.epoch(), "the handover CAS never reached ZooKeeper");
    assertNull(c.primaryServing(), "a failed CAS may have won: n1 does not serve on a report");
    c.run(2 * c.opts.beaconNanos());
    assertEquals(epoch + 1, c.zk.epoch());
    assertEquals("n1", c.zk.primary(), "n1 won a fresh epoch of its own");
    assertEquals("n1", c.primaryServing());
    long id = c.put("n1", "client", 1, "k", "v");
    c.settle();
    assertInstanceOf(ClientReply.Written.class, c.replies.get(id));
    assertTrue(c.events.stream().anyMatch(e -> e.contains("phase=aborted reason=cas-failed")),
        c.events::toString);
  }

  @Test
  void casWhoseAnswerWasLost_oldPrimaryNeverServesAgain_andTheTargetTakesOver() {
    ReplicaCluster c = new ReplicaCluster("n1", "n2", "n3").started();
    long epoch = c.zk.epoch();
    c.nextCasReplyLost = true;
    c.input("n1", new Input.HandOver(c.now, "n2"));
    c.settle();
    assertEquals("n2", c.zk.primary(), "the CAS won although n1 heard it failed");
    for (int i = 0; i < 4; i++) {
      c.run(c.opts.beaconNanos());
      assertNull(c.primaryServing(), "n1 must not resume: its reclaim CAS cannot win");
    }
    assertEquals(epoch + 1, c.zk.epoch(), "the reclaim lost");
    assertEquals(ShardReplica.Role.BACKUP, c.replica("n1").role(), "n1 adopted the handover");
    c.observeZk();
    c.run(4 * c.opts.beaconNanos());
    assertEquals("n2", c.primaryServing());
  }

  @Test
  void targetCrashMidHandover_primaryAbortsAndResumesService() {
    ReplicaCluster c = new ReplicaCluster("n1", "n2", "n3").started();
    long epoch = c.zk.epoch();
    long inFlight = c.put("n1", "client", 1, "k", "v1");
    c.kill("n2");
    c.input("n1", new Input.HandOver(c.now, "n2"));
    c.settle();
    assertNull(c.primaryServing());
    c.run(c.opts.leaseNanos() + 2 * c.opts.beaconNanos());
    assertTrue(c.events.stream().anyMatch(e -> e.startsWith("n1 handover")
        && e.contains("phase=aborted")), c.events::toString);
    assertEquals("n1", c.zk.primary());
    assertEquals(epoch + 1, c.zk.epoch(), "the dead target was removed as silent (§3.5)");
    assertFalse(c.zk.isReplica("n2"));
    assertEquals("n1", c.primaryServing());
    assertInstanceOf(ClientReply.Written.class, c.replies.get(inFlight));
    long id = c.put("n1", "client", 2, "k", "v2");
    c.settle();
    assertInstanceOf(ClientReply.Written.class, c.replies.get(id));
  }

  @Test
  void acksPrimary_commitDoesNotWaitForTheTarget_butTheHandoverDoes() {
    ReplicaCluster c = new ReplicaCluster(KeyspaceSpec.Acks.PRIMARY, "n1", "n2", "n3").started();
    c.slowDisk.add("n2");
    long id = c.put("n1", "client", 1, "k", "v1");
    c.input("n1", new Input.HandOver(c.now, "n2"));
    c.settle();
    assertInstanceOf(ClientReply.Written.class, c.replies.get(id), "acks=primary committed");
    assertEquals("n1", c.zk.primary(), "n2 does not hold the entry durably yet");
    c.slowDisk.remove("n2");
    c.settle();
    assertEquals("n2", c.zk.primary());
    assertEquals(c.replica("n1").lastIndex(), c.replica("n2").durableIndex(),
        "the target held the whole log when the CAS was issued");
  }

  /**
   * acks=primary lets a backup fall far behind; draining toward it would stall the shard's
   * writes for up to a lease and then give up, so a target more than a batch behind is refused
   * at once, and the same ask succeeds once it has caught up.
   */
  @Test
  void acksPrimary_targetMoreThanABatchBehind_isRefusedAndThePrimaryKeepsServing() {
    ReplicaCluster c = new ReplicaCluster(KeyspaceSpec.Acks.PRIMARY, "n1", "n2", "n3").started();
    c.slowDisk.add("n2");
    int writes = c.opts.batchEntriesMax() + 10;
    for (int i = 1; i <= writes; i++) {
      c.put("n1", "client", i, "k" + i, "v");
    }
    c.settle();
    c.input("n1", new Input.HandOver(c.now, "n2"));
    assertEquals("n1", c.primaryServing(), "no drain began");
    assertTrue(c.events.stream().anyMatch(e -> e.startsWith(
        "n1 handover shard=default/0 target=n2 phase=aborted reason=target-behind entries=")),
        c.events::toString);
    c.slowDisk.remove("n2");
    c.settle();
    c.input("n1", new Input.HandOver(c.now, "n2"));
    c.settle();
    assertEquals("n2", c.zk.primary(), c.events::toString);
  }

  @Test
  void targetThatIsNotABackup_isRefusedAndThePrimaryKeepsServing() {
    ReplicaCluster c = new ReplicaCluster("n1", "n2", "n3").started();
    c.input("n1", new Input.HandOver(c.now, "n9"));
    assertEquals("n1", c.primaryServing());
    assertTrue(c.events.contains(
        "n1 handover shard=default/0 target=n9 phase=aborted reason=target-not-a-backup"),
        c.events::toString);
    c.input("n2", new Input.HandOver(c.now, "n3"));
    assertTrue(c.events.contains(
        "n2 handover shard=default/0 target=n3 phase=aborted reason=not-a-serving-primary"),
        c.events::toString);
  }

  @Test
  void slowTarget_drainIsBoundedByALease_thenThePrimaryServesAgain() {
    ReplicaCluster c = new ReplicaCluster("n1", "n2", "n3").started();
    c.slowDisk.add("n2");
    long id = c.put("n1", "client", 1, "k", "v1");
    c.input("n1", new Input.HandOver(c.now, "n2"));
    long started = c.now;
    while (c.primaryServing() == null && c.now - started < 10 * c.opts.leaseNanos()) {
      c.now += 10 * MS;
      c.tick();
      c.settle();
    }
    assertTrue(c.now - started <= c.opts.leaseNanos() + 20 * MS,
        "aborted after " + (c.now - started) / MS + " ms");
    assertEquals("n1", c.primaryServing());
    assertTrue(c.events.stream().anyMatch(e -> e.contains("reason=")
        && e.contains("phase=aborted")), c.events::toString);
    c.slowDisk.remove("n2");
    c.settle();
    assertInstanceOf(ClientReply.Written.class, c.replies.get(id));
  }
}
