package io.bulwark.storage;

import static io.bulwark.storage.Entries.USERS_0;
import static io.bulwark.storage.Entries.b;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bulwark.core.pb.Command;
import io.bulwark.core.pb.Intent;
import io.bulwark.core.pb.LogEntry;
import io.bulwark.core.pb.MemoryShardStateMachine;
import io.bulwark.core.pb.Op;
import io.bulwark.core.pb.Outcome;
import io.bulwark.core.pb.ShardStateMachine;
import io.bulwark.core.pb.TxnRecord;
import io.bulwark.core.pb.TxnResult.Status;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Goal: both {@link ShardStateMachine}s — the RocksDB one that ships and the memory one the
 * simulator runs (the reference) — keep the transaction rules of DESIGN §5 alike: a prepare votes
 * by {@code TxnRules.vote} and takes intents and read locks; commit writes at its own index and
 * releases; abort releases; a plain write meets the locks (LOCKED); the record is created only if
 * absent and decided by a compare-and-set; snapshots carry all of it. For RocksDB also: the state
 * survives a reopen (crash replay starts from it) and an install into another store.
 *
 * <p>Method: hand-built entries applied to each implementation (parameterised), assertions on
 * outcomes and on what intentOn / lockHolder / txnRecord / preparedTxns / get read.
 */
class TxnStateMachineContractTest {
  @TempDir Path dir;
  private final List<NodeStore> stores = new ArrayList<>();

  @AfterEach
  void closeStores() {
    stores.forEach(NodeStore::close);
  }

  /** A named way to build a fresh state machine. */
  record Impl(String name, java.util.function.Function<TxnStateMachineContractTest,
      ShardStateMachine> make) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<Impl> impls() {
    return Stream.of(new Impl("memory", t -> new MemoryShardStateMachine()),
        new Impl("rocks", t -> t.openStore("s" + t.stores.size()).stateMachine(USERS_0)));
  }

  private NodeStore openStore(String name) {
    NodeStore s = NodeStore.open(dir.resolve(name));
    stores.add(s);
    return s;
  }

  private static Outcome apply(ShardStateMachine sm, String client, long seq, Op op) {
    return sm.apply(new LogEntry(1, sm.appliedIndex() + 1, new Command(client, seq, 0, op)));
  }

  private static Outcome txn(ShardStateMachine sm, String txnId, long phase, Op op) {
    return apply(sm, Op.txnClientId(txnId), phase, op);
  }

  private static Op.TxnPrepare prepare(String txnId, List<Op.TxnRead> reads,
      List<Op.TxnWrite> writes) {
    return new Op.TxnPrepare(txnId, b("rk"), reads, writes, false);
  }

  private static Op.TxnWrite w(String k, String v) {
    return new Op.TxnWrite(b(k), v == null ? null : b(v));
  }

  @ParameterizedTest
  @MethodSource("impls")
  void prepareYes_takesIntentsAndReadLocks_commitWritesAtItsIndexAndReleases(Impl impl) {
    ShardStateMachine sm = impl.make().apply(this);
    long v1 = apply(sm, "c", 1, new Op.Put(b("a"), b("1"))).version();
    Outcome vote = txn(sm, "t1", Op.TXN_PHASE_PREPARE, prepare("t1",
        List.of(new Op.TxnRead(b("a"), v1)), List.of(w("b", "2"), w("a", null))));
    assertEquals(Status.PREPARED, vote.txn().status());
    Intent intent = sm.intentOn(b("b"));
    assertEquals("t1", intent.txnId());
    assertArrayEquals(b("2"), intent.value());
    assertArrayEquals(b("rk"), intent.recordKey());
    assertEquals("t1", sm.lockHolder(b("a"), null));
    assertNull(sm.lockHolder(b("a"), "t1"));
    assertEquals(1, sm.preparedTxns().size());
    assertArrayEquals(b("1"), sm.get(b("a")).value(), "nothing visible before the commit");
    assertNull(sm.get(b("b")));

    Outcome commit = txn(sm, "t1", Op.TXN_PHASE_RESOLVE, new Op.TxnCommit("t1"));
    assertEquals(Status.COMMITTED, commit.txn().status());
    assertEquals(commit.version(), sm.get(b("b")).version());
    assertArrayEquals(b("2"), sm.get(b("b")).value());
    assertNull(sm.get(b("a")), "the delete applied");
    assertNull(sm.intentOn(b("b")));
    assertNull(sm.lockHolder(b("a"), null));
    assertTrue(sm.preparedTxns().isEmpty());
  }

  @ParameterizedTest
  @MethodSource("impls")
  void conflicts_voteNo_plainWritesMeetLocks_abortReleases(Impl impl) {
    ShardStateMachine sm = impl.make().apply(this);
    long v1 = apply(sm, "c", 1, new Op.Put(b("a"), b("1"))).version();
    txn(sm, "t1", Op.TXN_PHASE_PREPARE, prepare("t1", List.of(new Op.TxnRead(b("a"), v1)),
        List.of(w("b", "2"))));
    // Another writer of a read-locked key, another reader of an intent: NO.
    Outcome no1 = txn(sm, "t2", Op.TXN_PHASE_PREPARE, prepare("t2", List.of(),
        List.of(w("a", "9"))));
    assertEquals(Status.ABORTED, no1.txn().status());
    assertFalse(no1.applied());
    Outcome no2 = txn(sm, "t3", Op.TXN_PHASE_PREPARE, prepare("t3",
        List.of(new Op.TxnRead(b("b"), 0)), List.of()));
    assertEquals(Status.ABORTED, no2.txn().status());
    // Two readers share a read lock.
    Outcome yes = txn(sm, "t4", Op.TXN_PHASE_PREPARE, prepare("t4",
        List.of(new Op.TxnRead(b("a"), v1)), List.of()));
    assertEquals(Status.PREPARED, yes.txn().status());
    // A read version that changed: NO.
    Outcome stale = txn(sm, "t5", Op.TXN_PHASE_PREPARE, prepare("t5",
        List.of(new Op.TxnRead(b("z"), 7)), List.of()));
    assertEquals(Status.ABORTED, stale.txn().status());
    assertTrue(stale.txn().reason().contains("changed"), stale.txn().reason());

    Outcome locked = apply(sm, "c", 2, new Op.Put(b("b"), b("x")));
    assertFalse(locked.applied());
    assertEquals(Status.LOCKED, locked.txn().status());
    assertNull(sm.get(b("b")));

    txn(sm, "t1", Op.TXN_PHASE_RESOLVE, new Op.TxnAbort("t1"));
    txn(sm, "t4", Op.TXN_PHASE_RESOLVE, new Op.TxnAbort("t4"));
    assertNull(sm.get(b("b")), "an abort writes nothing");
    assertNull(sm.lockHolder(b("a"), null));
    assertTrue(apply(sm, "c", 3, new Op.Put(b("b"), b("x"))).applied());
    // Resolving a transaction the shard does not hold changes nothing.
    assertEquals(Status.COMMITTED,
        txn(sm, "t9", Op.TXN_PHASE_RESOLVE, new Op.TxnCommit("t9")).txn().status());
  }

  @ParameterizedTest
  @MethodSource("impls")
  void record_createdOnlyIfAbsent_decidedByCompareAndSet(Impl impl) {
    ShardStateMachine sm = impl.make().apply(this);
    assertEquals(Status.PENDING, txn(sm, "t1", Op.TXN_PHASE_RECORD,
        new Op.TxnRecordCreate("t1", List.of(0, 3), 5_000)).txn().status());
    assertEquals(List.of("t1"), sm.pendingTxnRecords().stream().map(TxnRecord::txnId).toList());
    assertEquals(Status.COMMITTED, txn(sm, "t1", Op.TXN_PHASE_DECIDE,
        new Op.TxnRecordDecide("t1", Status.COMMITTED)).txn().status());
    assertEquals(Status.COMMITTED, sm.txnRecord("t1").status());
    assertEquals(List.of(0, 3), sm.txnRecord("t1").participants());
    assertTrue(sm.pendingTxnRecords().isEmpty());
    // A later decide (another identity) cannot change a final record.
    assertEquals(Status.COMMITTED, apply(sm, "other", 1,
        new Op.TxnRecordDecide("t1", Status.ABORTED)).txn().status());

    // Timeout abort of an absent record creates it ABORTED; a late create finds it.
    assertEquals(Status.ABORTED, txn(sm, "t2", Op.TXN_PHASE_DECIDE,
        new Op.TxnRecordDecide("t2", Status.ABORTED)).txn().status());
    assertEquals(Status.ABORTED, txn(sm, "t2", Op.TXN_PHASE_RECORD,
        new Op.TxnRecordCreate("t2", List.of(1), 5_000)).txn().status());
    // Commit of an absent record: ABSENT, nothing created.
    assertEquals(Status.ABSENT, txn(sm, "t3", Op.TXN_PHASE_DECIDE,
        new Op.TxnRecordDecide("t3", Status.COMMITTED)).txn().status());
    assertNull(sm.txnRecord("t3"));
  }

  @ParameterizedTest
  @MethodSource("impls")
  void onePhase_appliesAtOnceWithoutLocks(Impl impl) {
    ShardStateMachine sm = impl.make().apply(this);
    Outcome o = txn(sm, "t1", Op.TXN_PHASE_PREPARE, new Op.TxnPrepare("t1", b("x"),
        List.of(new Op.TxnRead(b("y"), 0)), List.of(w("x", "1")), true));
    assertEquals(Status.COMMITTED, o.txn().status());
    assertEquals(o.version(), sm.get(b("x")).version());
    assertTrue(sm.preparedTxns().isEmpty());
    assertNull(sm.lockHolder(b("y"), null));
  }

  @ParameterizedTest
  @MethodSource("impls")
  void snapshot_carriesTxnState_andInstallReproducesIt(Impl impl) {
    ShardStateMachine sm = impl.make().apply(this);
    fillTxnState(sm);
    ShardStateMachine.Snapshot s = sm.snapshot();
    assertEquals(List.of("t1", "t2"), s.txn().prepared().stream().map(t -> t.txnId()).toList());
    assertEquals(List.of("r1", "r2"), s.txn().records().stream().map(r -> r.txnId()).toList());
    for (Impl target : impls().toList()) {
      ShardStateMachine copy = target.make().apply(this);
      copy.install(s);
      assertSameTxnState(target + " from " + impl, sm, copy);
    }
  }

  @Test
  void rocks_txnStateSurvivesReopen_andReplayContinuesFromIt() {
    Path where = dir.resolve("reopen");
    NodeStore store = NodeStore.open(where);
    ShardStateMachine sm = store.stateMachine(USERS_0);
    fillTxnState(sm);
    MemoryShardStateMachine twin = new MemoryShardStateMachine();
    fillTxnState(twin);
    store.close();
    store = NodeStore.open(where);
    stores.add(store);
    ShardStateMachine reopened = store.stateMachine(USERS_0);
    assertSameTxnState("after reopen", twin, reopened);
    // The locks still hold after the reopen, and resolve as before.
    assertEquals(Status.LOCKED, apply(reopened, "c", 9, new Op.Put(b("w1"), b("x"))).txn()
        .status());
    txn(reopened, "t1", Op.TXN_PHASE_RESOLVE, new Op.TxnCommit("t1"));
    assertArrayEquals(b("v1"), reopened.get(b("w1")).value());
    assertEquals(Status.COMMITTED, txn(reopened, "r1", Op.TXN_PHASE_DECIDE,
        new Op.TxnRecordDecide("r1", Status.COMMITTED)).txn().status());
  }

  /** Two prepared txns (t1 writes w1 reads r; t2 reads r), a pending and a final record. */
  private static void fillTxnState(ShardStateMachine sm) {
    apply(sm, "c", 1, new Op.Put(b("r"), b("0")));
    long v = sm.get(b("r")).version();
    txn(sm, "t1", Op.TXN_PHASE_PREPARE, prepare("t1", List.of(new Op.TxnRead(b("r"), v)),
        List.of(w("w1", "v1"))));
    txn(sm, "t2", Op.TXN_PHASE_PREPARE, prepare("t2", List.of(new Op.TxnRead(b("r"), v)),
        List.of()));
    txn(sm, "r1", Op.TXN_PHASE_RECORD, new Op.TxnRecordCreate("r1", List.of(0, 1), 7));
    txn(sm, "r2", Op.TXN_PHASE_DECIDE, new Op.TxnRecordDecide("r2", Status.ABORTED));
  }

  private static void assertSameTxnState(String where, ShardStateMachine expected,
      ShardStateMachine actual) {
    Supplier<String> w = () -> where;
    assertEquals(expected.appliedIndex(), actual.appliedIndex(), w);
    assertEquals(ids(expected), ids(actual), w);
    assertEquals(expected.pendingTxnRecords(), actual.pendingTxnRecords(), w);
    for (String id : List.of("r1", "r2", "t1")) {
      assertEquals(expected.txnRecord(id), actual.txnRecord(id), where + " record " + id);
    }
    for (String k : List.of("r", "w1", "zz")) {
      assertEquals(expected.lockHolder(b(k), null), actual.lockHolder(b(k), null), where + k);
      Intent ei = expected.intentOn(b(k));
      Intent ai = actual.intentOn(b(k));
      assertEquals(ei == null, ai == null, where + " intent on " + k);
      if (ei != null) {
        assertEquals(ei.txnId(), ai.txnId());
        assertArrayEquals(ei.value(), ai.value());
      }
    }
    assertNotNull(actual.get(b("r")));
  }

  private static List<String> ids(ShardStateMachine sm) {
    return sm.preparedTxns().stream().map(t -> t.txnId() + "@" + t.preparedIndex()).toList();
  }
}
