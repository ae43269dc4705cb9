package io.bulwark.core.pb;

import static io.bulwark.core.pb.TxnCluster.b;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bulwark.core.pb.TxnResult.Status;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The participant and record rules of DESIGN §5 as the state machine applies them, one rule per
 * test: entries are applied by hand to a {@link MemoryShardStateMachine} (the reference the
 * RocksDB one follows), and each test asserts the outcome and the state left behind.
 */
class TxnParticipantTest {
  private final MemoryShardStateMachine sm = new MemoryShardStateMachine();
  private long index;

  private Outcome apply(String client, long seq, Op op) {
    index++;
    return sm.apply(new LogEntry(1, index, new Command(client, seq, seq, op)));
  }

  private Outcome applyTxn(String txnId, long phase, Op op) {
    return apply(Op.txnClientId(txnId), phase, op);
  }

  private long put(String key, String value) {
    return apply("plain", index + 1, new Op.Put(b(key), b(value))).version();
  }

  private static Op.TxnPrepare prepare(String txnId, List<Op.TxnRead> reads,
      List<Op.TxnWrite> writes) {
    return new Op.TxnPrepare(txnId, b("a-record"), reads, writes, false);
  }

  private static Op.TxnWrite w(String key, String value) {
    return new Op.TxnWrite(b(key), value == null ? null : b(value));
  }

  private static Op.TxnRead r(String key, long version) {
    return new Op.TxnRead(b(key), version);
  }

  @Test
  void prepareWithoutConflict_votesYesAndTakesIntentsAndReadLocks() {
    long v = put("x", "1");
    Outcome o = applyTxn("T1", 2, prepare("T1", List.of(r("x", v)), List.of(w("y", "2"))));
    assertEquals(Status.PREPARED, o.txn().status());
    assertTrue(o.applied());
    assertEquals("T1", sm.intentOn(b("y")).txnId());
    assertEquals("T1", sm.lockHolder(b("x"), null), "read lock");
    assertNull(sm.get(b("y")), "an intent is not a committed value");
  }

  @Test
  void prepareMeetingAnotherTxnsIntent_votesNo() {
    applyTxn("T1", 2, prepare("T1", List.of(), List.of(w("y", "1"))));
    Outcome o = applyTxn("T2", 2, prepare("T2", List.of(r("y", 0)), List.of()));
    assertEquals(Status.ABORTED, o.txn().status());
    assertFalse(o.applied());
    assertTrue(o.txn().reason().contains("T1"), o.txn().reason());
    assertEquals(1, sm.preparedTxns().size(), "a NO vote takes no lock");
  }

  @Test
  void readLocksAreShared_butAWriteOfAReadLockedKeyVotesNo() {
    applyTxn("T1", 2, prepare("T1", List.of(r("x", 0)), List.of()));
    assertEquals(Status.PREPARED,
        applyTxn("T2", 2, prepare("T2", List.of(r("x", 0)), List.of())).txn().status());
    Outcome o = applyTxn("T3", 2, prepare("T3", List.of(), List.of(w("x", "3"))));
    assertEquals(Status.ABORTED, o.txn().status());
  }

  @Test
  void prepareWhoseReadVersionChanged_votesNo() {
    long v1 = put("x", "1");
    put("x", "2");
    Outcome o = applyTxn("T1", 2, prepare("T1", List.of(r("x", v1)), List.of(w("y", "9"))));
    assertEquals(Status.ABORTED, o.txn().status());
    assertTrue(o.txn().reason().contains("changed"), o.txn().reason());
    assertNull(sm.intentOn(b("y")));
  }

  @Test
  void commit_writesTheIntentsAtItsOwnIndexAndReleasesEveryLock() {
    applyTxn("T1", 2, prepare("T1", List.of(r("x", 0)), List.of(w("y", "2"), w("z", null))));
    put("z", "old-but-after"); // refused: z is locked
    Outcome c = applyTxn("T1", 4, new Op.TxnCommit("T1"));
    assertEquals(Status.COMMITTED, c.txn().status());
    assertArrayEquals(b("2"), sm.get(b("y")).value());
    assertEquals(index, sm.get(b("y")).version(), "version = the TxnCommit entry's index");
    assertNull(sm.get(b("z")));
    assertNull(sm.lockHolder(b("x"), null));
    assertNull(sm.lockHolder(b("y"), null));
    assertTrue(sm.preparedTxns().isEmpty());
  }

  @Test
  void abort_dropsIntentsAndLeavesValues() {
    put("y", "1");
    applyTxn("T1", 2, prepare("T1", List.of(), List.of(w("y", "2"))));
    assertEquals(Status.ABORTED, applyTxn("T1", 4, new Op.TxnAbort("T1")).txn().status());
    assertArrayEquals(b("1"), sm.get(b("y")).value());
    assertNull(sm.intentOn(b("y")));
  }

  @Test
  void onePhase_yesWritesAtOnceAndLeavesNoLock() {
    long v = put("x", "1");
    Outcome o = applyTxn("T1", 2, new Op.TxnPrepare("T1", b("x"), List.of(r("x", v)),
        List.of(w("x", "2")), true));
    assertEquals(Status.COMMITTED, o.txn().status());
    assertArrayEquals(b("2"), sm.get(b("x")).value());
    assertEquals(index, sm.get(b("x")).version());
    assertTrue(sm.preparedTxns().isEmpty());
  }

  @Test
  void onePhase_changedReadAbortsAndWritesNothing() {
    put("x", "1");
    Outcome o = applyTxn("T1", 2, new Op.TxnPrepare("T1", b("x"), List.of(r("x", 0)),
        List.of(w("x", "2")), true));
    assertEquals(Status.ABORTED, o.txn().status());
    assertArrayEquals(b("1"), sm.get(b("x")).value());
  }

  @Test
  void plainWriteOfALockedKey_isNotAppliedAndSaysLocked() {
    put("y", "1");
    applyTxn("T1", 2, prepare("T1", List.of(), List.of(w("y", "2"))));
    Outcome o = apply("plain", 99, new Op.Put(b("y"), b("3")));
    assertFalse(o.applied());
    assertEquals(Status.LOCKED, o.txn().status());
    assertArrayEquals(b("1"), sm.get(b("y")).value());
  }

  @Test
  void recordIsCreatedPendingOnlyIfAbsent_andDecideIsACompareAndSet() {
    assertEquals(Status.PENDING, applyTxn("T1", 1,
        new Op.TxnRecordCreate("T1", List.of(0, 1), 5)).txn().status());
    assertEquals(List.of(0, 1), sm.txnRecord("T1").participants());
    assertEquals(1, sm.pendingTxnRecords().size());
    assertEquals(Status.COMMITTED, applyTxn("T1", 3,
        new Op.TxnRecordDecide("T1", Status.COMMITTED)).txn().status());
    // A timeout abort that applies later (another identity) finds it final.
    assertEquals(Status.COMMITTED, apply("other", 1,
        new Op.TxnRecordDecide("T1", Status.ABORTED)).txn().status());
    assertTrue(sm.pendingTxnRecords().isEmpty());
  }

  @Test
  void abortOfAnAbsentRecord_createsItAborted_soALateCreateFails() {
    assertEquals(Status.ABORTED, apply("timeout", 1,
        new Op.TxnRecordDecide("T1", Status.ABORTED)).txn().status());
    assertEquals(Status.ABORTED, apply("late", 1,
        new Op.TxnRecordCreate("T1", List.of(0, 1), 5)).txn().status());
    assertEquals(Status.ABSENT, apply("late", 2,
        new Op.TxnRecordDecide("T2", Status.COMMITTED)).txn().status(),
        "a commit of an absent record cannot create it");
    assertNull(sm.txnRecord("T2"));
  }

  @Test
  void retriedPrepare_returnsTheFirstVoteEvenAfterTheStateChanged() {
    Outcome first = applyTxn("T1", 2, prepare("T1", List.of(r("x", 0)), List.of()));
    applyTxn("T1", 4, new Op.TxnAbort("T1"));
    put("x", "1");
    Outcome again = applyTxn("T1", 2, prepare("T1", List.of(r("x", 0)), List.of()));
    assertEquals(ShardStateMachine.FORGOTTEN, again,
        "a prepare delayed past its transaction's resolution never applies (§3.4)");
    assertEquals(Status.PREPARED, first.txn().status());
    assertNull(sm.lockHolder(b("x"), null), "it took no lock back");
  }

  /**
   * Txn seed 9's fence (docs/transactions.md): once a participant's recovery (phase 5) applied,
   * every older phase of the transaction is stale there, even one that never applied there.
   * Transaction identities therefore forget at once, not in batches of FORGET_BATCH: a batch
   * would leave no marker, the late prepare would take locks, and the recovery that could
   * release them is already recorded, so they would be held for ever.
   */
  @Test
  void prepareDelayedPastRecovery_neverApplies_evenWithoutAnEarlierRowOfItsTxn() {
    applyTxn("T1", Op.TXN_PHASE_RESOLVE, new Op.TxnAbort("T1"));
    applyTxn("T1", Op.TXN_PHASE_RECOVER, new Op.TxnAbort("T1"));
    Outcome late = applyTxn("T1", Op.TXN_PHASE_PREPARE,
        prepare("T1", List.of(r("x", 0)), List.of()));
    assertEquals(ShardStateMachine.FORGOTTEN, late);
    assertNull(sm.lockHolder(b("x"), null), "the late prepare took no lock");
  }

  @Test
  void snapshotCarriesIntentsReadLocksAndRecords() {
    applyTxn("T1", 1, new Op.TxnRecordCreate("T1", List.of(0), 5));
    applyTxn("T1", 2, prepare("T1", List.of(r("x", 0)), List.of(w("y", "2"))));
    MemoryShardStateMachine other = new MemoryShardStateMachine();
    other.install(sm.snapshot());
    assertEquals("T1", other.intentOn(b("y")).txnId());
    assertEquals("T1", other.lockHolder(b("x"), null));
    assertEquals(Status.PENDING, other.txnRecord("T1").status());
    assertEquals(Status.PREPARED, other.appliedOutcome(Op.txnClientId("T1"), 2).txn().status(),
        "the vote survives in the dedup table");
    other.apply(new LogEntry(1, index + 1, new Command(Op.txnClientId("T1"), 4, 4,
        new Op.TxnCommit("T1"))));
    assertArrayEquals(b("2"), other.get(b("y")).value());
  }
}
