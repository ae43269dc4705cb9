package io.bulwark.core.pb;

import static io.bulwark.core.pb.ReplicaCluster.MS;
import static io.bulwark.core.pb.TxnCluster.b;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bulwark.core.common.KeyspaceSpec;
import io.bulwark.core.pb.TxnResult.Status;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The replica's part in transactions (DESIGN §5), one rule per test, on a hand-driven
 * {@link ReplicaCluster}: votes leave only after their entry commits and survive failover;
 * reads meet intents; plain writes meet locks; the record primary times transactions on its own
 * clock; a participant primary reports stale intents.
 */
class TxnReplicaTest {
  private static final long TIMEOUT = 500 * MS;

  private static ReplicaCluster cluster() {
    return new ReplicaCluster(ReplicaOptions.defaults(1, KeyspaceSpec.Acks.ALL)
        .withTxnTimeout(TIMEOUT), "n1", "n2", "n3").started();
  }

  private static long write(ReplicaCluster c, String node, String txnId, long phase, Op op) {
    long id = c.nextRequestId++;
    c.input(node, new Input.ClientWrite(c.now, id, new Command(Op.txnClientId(txnId), phase,
        phase, op)));
    return id;
  }

  private static Op.TxnPrepare prepare(String txnId, String key, String value) {
    return new Op.TxnPrepare(txnId, b("r"), List.of(), List.of(new Op.TxnWrite(b(key),
        b(value))), false);
  }

  private static long resolve(ReplicaCluster c, String node, String txnId) {
    long id = c.nextRequestId++;
    c.input(node, new Input.TxnResolve(c.now, id, txnId));
    return id;
  }

  private static Status statusOf(ClientReply r) {
    if (r instanceof ClientReply.TxnStatusIs s) {
      return s.status();
    }
    return ((ClientReply.Written) r).outcome().txn().status();
  }

  @Test
  void voteIsSentOnlyAfterThePrepareEntryCommits_5() {
    ReplicaCluster c = cluster();
    c.slowDisk.add("n3");
    long id = write(c, "n1", "T1", Op.TXN_PHASE_PREPARE, prepare("T1", "k", "v"));
    c.settle();
    assertNull(c.replies.get(id), "n3 does not hold the prepare yet: no vote");
    c.slowDisk.remove("n3");
    c.settle();
    assertEquals(Status.PREPARED, statusOf(c.replies.get(id)));
  }

  @Test
  void voteAndIntentsSurviveFailover_retryGetsTheSameVote_5() {
    ReplicaCluster c = cluster();
    long first = write(c, "n1", "T1", Op.TXN_PHASE_PREPARE, prepare("T1", "k", "v"));
    c.settle();
    assertEquals(Status.PREPARED, statusOf(c.replies.get(first)));
    c.kill("n1");
    c.run(2 * c.opts.graceNanos());
    String primary = c.primaryServing();
    assertNotNull(primary);
    assertEquals("T1", c.machines.get(primary).intentOn(b("k")).txnId());
    long again = write(c, primary, "T1", Op.TXN_PHASE_PREPARE, prepare("T1", "k", "v"));
    assertEquals(Status.PREPARED, statusOf(c.replies.get(again)));
    long commit = write(c, primary, "T1", Op.TXN_PHASE_RESOLVE, new Op.TxnCommit("T1"));
    c.settle();
    assertEquals(Status.COMMITTED, statusOf(c.replies.get(commit)));
    assertArrayEquals(b("v"), c.machines.get(primary).get(b("k")).value());
  }

  @Test
  void readOfAKeyWithAnIntent_returnsTheCommittedValueAndTheIntent_5() {
    ReplicaCluster c = cluster();
    c.put("n1", "plain", 1, "k", "old");
    c.settle();
    write(c, "n1", "T1", Op.TXN_PHASE_PREPARE, prepare("T1", "k", "new"));
    c.settle();
    ClientReply r = c.replies.get(c.read("n1", "k"));
    ClientReply.IntentFound f = assertInstanceOf(ClientReply.IntentFound.class, r);
    assertArrayEquals(b("old"), f.committed().value());
    assertArrayEquals(b("new"), f.intent().value());
    assertEquals("T1", f.intent().txnId());
  }

  @Test
  void plainWriteOfALockedKey_isRefusedBeforeAppendWithARetryableError_5() {
    ReplicaCluster c = cluster();
    write(c, "n1", "T1", Op.TXN_PHASE_PREPARE, prepare("T1", "k", "new"));
    c.settle();
    long last = c.replica("n1").lastIndex();
    long id = c.put("n1", "plain", 1, "k", "x");
    ClientReply.Refused r = assertInstanceOf(ClientReply.Refused.class, c.replies.get(id));
    assertEquals(ClientReply.Refusal.LOCKED, r.refusal());
    assertEquals(last, c.replica("n1").lastIndex(), "nothing was appended");
    write(c, "n1", "T1", Op.TXN_PHASE_RESOLVE, new Op.TxnAbort("T1"));
    c.settle();
    long retry = c.put("n1", "plain", 1, "k", "x");
    c.settle();
    assertInstanceOf(ClientReply.Written.class, c.replies.get(retry), "the lock is gone");
  }

  @Test
  void recordPrimaryAbortsAPendingRecordOnlyAfterTxnTimeoutOnItsOwnClock_5() {
    ReplicaCluster c = cluster();
    write(c, "n1", "T1", Op.TXN_PHASE_RECORD, new Op.TxnRecordCreate("T1", List.of(0, 1),
        TIMEOUT));
    c.settle();
    c.run(TIMEOUT / 2);
    assertEquals(Status.PENDING, statusOf(c.replies.get(resolve(c, "n1", "T1"))));
    c.run(TIMEOUT / 2 + 10 * MS);
    long id = resolve(c, "n1", "T1");
    c.settle();
    assertEquals(Status.ABORTED, statusOf(c.replies.get(id)));
    c.run(c.opts.beaconNanos()); // Backups apply what the next beacon says is committed.
    for (MemoryShardStateMachine sm : c.machines.values()) {
      assertEquals(Status.ABORTED, sm.txnRecord("T1").status(), "replicated");
    }
    long decide = write(c, "n1", "T1", Op.TXN_PHASE_DECIDE,
        new Op.TxnRecordDecide("T1", Status.COMMITTED));
    assertEquals(Status.ABORTED, statusOf(c.replies.get(decide)),
        "the coordinator's late decide hears the timeout's outcome (same dedup row)");
  }

  @Test
  void absentRecordIsTimedFromTheFirstQuestion_thenCreatedAborted_5() {
    ReplicaCluster c = cluster();
    assertEquals(Status.PENDING, statusOf(c.replies.get(resolve(c, "n1", "T9"))));
    c.run(TIMEOUT + 10 * MS);
    long id = resolve(c, "n1", "T9");
    c.settle();
    assertEquals(Status.ABORTED, statusOf(c.replies.get(id)));
    long create = write(c, "n1", "T9", Op.TXN_PHASE_RECORD,
        new Op.TxnRecordCreate("T9", List.of(0, 1), TIMEOUT));
    c.settle();
    assertEquals(Status.ABORTED, statusOf(c.replies.get(create)),
        "a late coordinator's create finds the record aborted");
    assertEquals(Status.ABORTED, c.machines.get("n1").txnRecord("T9").status());
  }

  @Test
  void aNewPrimaryTimesPendingRecordsAfresh_neverEarlier_5() {
    ReplicaCluster c = cluster();
    write(c, "n1", "T1", Op.TXN_PHASE_RECORD, new Op.TxnRecordCreate("T1", List.of(0, 1),
        TIMEOUT));
    c.settle();
    c.run(TIMEOUT - 50 * MS);
    c.kill("n1");
    for (int i = 0; i < 100 && !isNewPrimary(c.primaryServing()); i++) {
      c.run(c.opts.beaconNanos());
    }
    String primary = c.primaryServing();
    assertNotNull(primary);
    assertEquals(Status.PENDING, statusOf(c.replies.get(resolve(c, primary, "T1"))),
        "n1's timer died with it; " + primary + " has not seen T1 for txn-timeout");
    c.run(TIMEOUT);
    long id = resolve(c, primary, "T1");
    c.settle();
    assertEquals(Status.ABORTED, statusOf(c.replies.get(id)));
  }

  private static boolean isNewPrimary(String serving) {
    return serving != null && !serving.equals("n1");
  }

  @Test
  void participantPrimaryReportsAStalePreparedTxnEveryTxnTimeout_5() {
    ReplicaCluster c = cluster();
    write(c, "n1", "T1", Op.TXN_PHASE_PREPARE, prepare("T1", "k", "v"));
    c.settle();
    c.run(TIMEOUT - 20 * MS);
    assertTrue(c.staleTxns.isEmpty(), c.staleTxns.toString());
    c.run(40 * MS);
    assertEquals(List.of("n1 T1"), c.staleTxns);
    c.run(TIMEOUT);
    assertEquals(List.of("n1 T1", "n1 T1"), c.staleTxns, "reported again while unresolved");
    write(c, "n1", "T1", Op.TXN_PHASE_RESOLVE, new Op.TxnAbort("T1"));
    c.settle();
    c.run(2 * TIMEOUT);
    assertEquals(2, c.staleTxns.size(), "resolved: no more reports");
  }
}
