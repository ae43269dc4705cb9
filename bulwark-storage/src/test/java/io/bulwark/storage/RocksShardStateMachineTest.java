package io.bulwark.storage;

import static io.bulwark.storage.Entries.USERS_0;
import static io.bulwark.storage.Entries.USERS_1;
import static io.bulwark.storage.Entries.b;
import static io.bulwark.storage.Entries.client;
import static io.bulwark.storage.Entries.entry;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bulwark.core.common.Invariants.InvariantViolation;
import io.bulwark.core.pb.Command;
import io.bulwark.core.pb.KeyValue;
import io.bulwark.core.pb.LogEntry;
import io.bulwark.core.pb.Op;
import io.bulwark.core.pb.Outcome;
import io.bulwark.core.pb.ShardStateMachine;
import io.bulwark.core.pb.ShardStateMachine.DedupRecord;
import io.bulwark.core.pb.ShardStateMachine.Snapshot;
import io.bulwark.core.pb.Versioned;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Goal: {@link RocksShardStateMachine} follows the {@code ShardStateMachine} contract: versions
 * are entry indexes (DESIGN §3.12); Put/Delete/Cas decide their outcomes on the stored state;
 * a {@code (clientId, seq)} applies once and its first outcome is returned on retries, with
 * rows below {@code firstUnackedSeq} forgotten (§3.4); the applied position survives a reopen;
 * a snapshot installed elsewhere reproduces the state exactly (§3.11).
 *
 * <p>Method: hand-built entries applied in index order to a real RocksDB in a
 * {@code @TempDir}; assertions on outcomes and on what get/scan/appliedOutcome/snapshot read.
 */
class RocksShardStateMachineTest {
  @TempDir Path dir;
  private NodeStore store;
  private RocksShardStateMachine sm;
  private long nextIndex;

  @BeforeEach
  void open() {
    store = NodeStore.open(dir.resolve("a"));
    sm = store.stateMachine(USERS_0);
    nextIndex = 1;
  }

  @AfterEach
  void close() {
    store.close();
  }

  /** Applies {@code command} at the next index, in epoch 1. */
  private Outcome apply(Command command) {
    return sm.apply(entry(1, nextIndex++, command));
  }

  private Outcome apply(Op op) {
    return apply(client("c1", nextIndex, 0, op));
  }

  private static void assertVersioned(String value, long version, Versioned actual) {
    assertNotNull(actual, "expected a value");
    assertArrayEquals(b(value), actual.value());
    assertEquals(version, actual.version());
  }

  private static void assertOutcome(Outcome expected, Outcome actual) {
    assertEquals(expected.applied(), actual.applied(), "applied");
    assertEquals(expected.version(), actual.version(), "version");
    assertArrayEquals(expected.current(), actual.current(), "current");
  }

  @Test
  void put_versionIsTheEntryIndex_andEachOverwriteTakesItsOwn() {
    assertOutcome(Outcome.applied(1), apply(new Op.Put(b("k"), b("v1"))));
    assertVersioned("v1", 1, sm.get(b("k")));
    apply(new Op.Put(b("other"), b("x")));
    assertOutcome(Outcome.applied(3), apply(new Op.Put(b("k"), b("v2"))));
    assertVersioned("v2", 3, sm.get(b("k")));
    assertEquals(3, sm.appliedIndex());
    assertEquals(1, sm.appliedEpoch());
  }

  @Test
  void delete_removesTheKey_andDeletingAnAbsentKeySucceeds() {
    apply(new Op.Put(b("k"), b("v")));
    assertOutcome(Outcome.applied(2), apply(new Op.Delete(b("k"))));
    assertNull(sm.get(b("k")));
    assertOutcome(Outcome.applied(3), apply(new Op.Delete(b("never"))));
  }

  @Test
  void casOnVersion_matchWritesAtTheEntryIndex_mismatchReturnsTheStoredValue() {
    apply(new Op.Put(b("k"), b("v1")));
    Outcome miss = apply(new Op.Cas(b("k"), null, 7, b("v2")));
    assertOutcome(new Outcome(false, 1, b("v1")), miss);
    assertVersioned("v1", 1, sm.get(b("k")));

    assertOutcome(Outcome.applied(3), apply(new Op.Cas(b("k"), null, 1, b("v2"))));
    assertVersioned("v2", 3, sm.get(b("k")));
  }

  @Test
  void casOnAbsentKey_version0OrNullValueMatches_otherwiseReportsAbsent() {
    assertOutcome(new Outcome(false, 0, null), apply(new Op.Cas(b("k"), null, 5, b("v"))));
    assertOutcome(new Outcome(false, 0, null), apply(new Op.Cas(b("k"), b("x"), -1, b("v"))));
    assertNull(sm.get(b("k")));
    assertOutcome(Outcome.applied(3), apply(new Op.Cas(b("k"), null, 0, b("v"))));
    assertVersioned("v", 3, sm.get(b("k")));
    assertOutcome(Outcome.applied(4), apply(new Op.Cas(b("k2"), null, -1, b("w"))));
  }

  @Test
  void casOnValue_comparesBytes_andANullNewValueDeletes() {
    apply(new Op.Put(b("k"), b("v1")));
    assertOutcome(new Outcome(false, 1, b("v1")), apply(new Op.Cas(b("k"), b("v0"), -1, null)));
    assertVersioned("v1", 1, sm.get(b("k")));
    assertOutcome(Outcome.applied(3), apply(new Op.Cas(b("k"), b("v1"), -1, null)));
    assertNull(sm.get(b("k")));
  }

  @Test
  void duplicateClientSeq_isAppliedOnce_andReturnsTheFirstOutcome() {
    Outcome first = apply(client("alice", 5, 0, new Op.Cas(b("k"), null, 0, b("v1"))));
    assertOutcome(Outcome.applied(1), first);
    apply(new Op.Put(b("k"), b("changed")));

    // A retry of seq 5 after the key changed: the CAS would now fail, but it is not re-run.
    Outcome retry = apply(client("alice", 5, 0, new Op.Cas(b("k"), null, 0, b("v1"))));
    assertOutcome(first, retry);
    assertVersioned("changed", 2, sm.get(b("k")));
    assertEquals(3, sm.appliedIndex(), "the duplicate still advances the applied index");
    assertOutcome(first, sm.appliedOutcome("alice", 5));
    assertNull(sm.appliedOutcome("bob", 5));
  }

  @Test
  void failedCasOutcome_isRecordedAndReturnedOnRetry() {
    apply(new Op.Put(b("k"), b("v1")));
    Outcome first = apply(client("alice", 1, 0, new Op.Cas(b("k"), null, 9, b("v2"))));
    assertOutcome(new Outcome(false, 1, b("v1")), first);
    apply(new Op.Put(b("k"), b("v3")));
    assertOutcome(first, apply(client("alice", 1, 0, new Op.Cas(b("k"), null, 9, b("v2")))));
  }

  @Test
  void firstUnackedSeq_forgetsThatClientsOlderRowsOnly_andRemembersTheForgetting() {
    int batch = ShardStateMachine.FORGET_BATCH;
    for (long seq = 1; seq <= batch + 2; seq++) {
      apply(client("alice", seq, 0, new Op.Put(b("a"), b("v" + seq))));
      apply(client("bob", seq, 0, new Op.Put(b("b"), b("v" + seq))));
    }
    // Fewer than FORGET_BATCH rows below firstUnackedSeq: kept, and a retry finds its outcome.
    long next = batch + 3;
    apply(client("alice", next, batch, new Op.Put(b("a"), b("v" + next))));
    assertNotNull(sm.appliedOutcome("alice", 1));
    assertNotEquals(ShardStateMachine.FORGOTTEN, sm.appliedOutcome("alice", 1));
    // FORGET_BATCH rows below it: all forgotten, and remembered as forgotten, so a stale
    // duplicate of seq 1..batch must not apply.
    next++;
    apply(client("alice", next, batch + 1, new Op.Put(b("a"), b("v" + next))));
    assertEquals(ShardStateMachine.FORGOTTEN, sm.appliedOutcome("alice", 1));
    assertEquals(ShardStateMachine.FORGOTTEN, sm.appliedOutcome("alice", batch));
    assertNotNull(sm.appliedOutcome("alice", batch + 1));
    assertNotNull(sm.appliedOutcome("alice", next));
    for (long seq = 1; seq <= batch + 2; seq++) {
      assertNotNull(sm.appliedOutcome("bob", seq), "bob's row " + seq);
    }
    assertEquals(List.of((long) batch, batch + 1L, batch + 2L, batch + 3L, next),
        sm.snapshot().dedup().stream()
            .filter(r -> r.clientId().equals("alice")).map(DedupRecord::seq)
            .collect(Collectors.toList()));
  }

  @Test
  void internalNoop_recordsNoDedupRow_andAdvancesIndexAndEpoch() {
    apply(new Op.Put(b("k"), b("v")));
    assertOutcome(Outcome.applied(2), sm.apply(entry(4, 2, Command.noop())));
    assertEquals(2, sm.appliedIndex());
    assertEquals(4, sm.appliedEpoch());
    assertNull(sm.appliedOutcome(Command.INTERNAL, 0));
    assertEquals(1, sm.snapshot().dedup().size());
    assertVersioned("v", 1, sm.get(b("k")));
  }

  @Test
  void applyOutOfOrder_isABugAndChangesNothing() {
    apply(new Op.Put(b("k"), b("v")));
    assertThrows(InvariantViolation.class,
        () -> sm.apply(entry(1, 3, client("c", 3, 0, new Op.Put(b("k"), b("w"))))));
    assertThrows(InvariantViolation.class,
        () -> sm.apply(entry(1, 1, client("c", 9, 0, new Op.Put(b("k"), b("w"))))));
    sm.apply(entry(3, 2, Command.noop()));
    assertThrows(InvariantViolation.class, () -> sm.apply(entry(2, 3, Command.noop())));
    assertEquals(2, sm.appliedIndex());
    assertVersioned("v", 1, sm.get(b("k")));
  }

  @Test
  void appliedStateAndPosition_surviveAReopen() {
    apply(new Op.Put(b("k"), b("v")));
    apply(client("alice", 1, 0, new Op.Delete(b("gone"))));
    sm.apply(entry(2, 3, Command.noop()));
    store.close();
    store = NodeStore.open(dir.resolve("a"));
    sm = store.stateMachine(USERS_0);
    assertEquals(3, sm.appliedIndex());
    assertEquals(2, sm.appliedEpoch());
    assertVersioned("v", 1, sm.get(b("k")));
    assertOutcome(Outcome.applied(2), sm.appliedOutcome("alice", 1));
  }

  @Test
  void scan_returnsPrefixMatchesInUnsignedByteOrder_upToTheLimit() {
    byte[][] keys = {
      {'p', (byte) 0xFF}, {'p', 0x01}, {'p', (byte) 0x80}, {'p'}, {'p', 0x7F, 0x00}, {'q'}, {'o'}};
    for (byte[] key : keys) {
      apply(new Op.Put(key, b("v")));
    }
    store.stateMachine(USERS_1)
        .apply(entry(1, 1, client("c", 1, 0, new Op.Put(b("p2"), b("x")))));

    List<String> all = hex(sm.scan(b("p"), 100));
    assertEquals(List.of("70", "7001", "707f00", "7080", "70ff"), all);
    assertEquals(List.of("70", "7001"), hex(sm.scan(b("p"), 2)));
    assertEquals(List.of(), hex(sm.scan(b("p"), 0)));
    assertEquals(7, sm.scan(new byte[0], 100).size(), "the other shard's key is not seen");
    assertEquals(List.of("70ff"), hex(sm.scan(new byte[] {'p', (byte) 0xFF}, 10)));
  }

  private static List<String> hex(List<KeyValue> kvs) {
    return kvs.stream().map(kv -> HexFormat.of().formatHex(kv.key())).collect(Collectors.toList());
  }

  @Test
  void sameKeyInTwoShards_isTwoIndependentValues() {
    apply(new Op.Put(b("k"), b("zero")));
    RocksShardStateMachine other = store.stateMachine(USERS_1);
    other.apply(entry(1, 1, client("c1", 1, 0, new Op.Put(b("k"), b("one")))));
    other.apply(entry(1, 2, client("c1", 2, 0, new Op.Delete(b("k")))));
    assertVersioned("zero", 1, sm.get(b("k")));
    assertNull(other.get(b("k")));
    assertOutcome(Outcome.applied(1), sm.appliedOutcome("c1", 1));
  }

  @Test
  void snapshotInstalledIntoAnotherStore_givesIdenticalGetScanAppliedAndDedup() {
    for (int i = 0; i < 40; i++) {
      Op put = new Op.Put(b("key-" + i % 17), b("v" + i));
      apply(client("c" + (i % 3), i, Math.max(0, i - 6), put));
    }
    apply(client("c0", 100, 0, new Op.Delete(b("key-3"))));
    apply(client("c1", 100, 0, new Op.Cas(b("key-4"), null, 1, b("nope"))));
    sm.apply(entry(3, nextIndex++, Command.noop()));
    Snapshot snapshot = sm.snapshot();
    assertEquals(43, snapshot.index());
    assertEquals(3, snapshot.epoch());

    try (NodeStore other = NodeStore.open(dir.resolve("b"))) {
      RocksShardStateMachine copy = other.stateMachine(USERS_0);
      copy.apply(entry(1, 1, client("stale", 1, 0, new Op.Put(b("stale-key"), b("x")))));
      copy.install(snapshot);
      assertSameState(sm, copy);
      assertNull(copy.get(b("stale-key")));
      assertNull(copy.appliedOutcome("stale", 1));
      assertEquals(snapshot.index(), copy.appliedIndex());
      assertEquals(snapshot.epoch(), copy.appliedEpoch());
    }
    try (NodeStore reopened = NodeStore.open(dir.resolve("b"))) {
      assertSameState(sm, reopened.stateMachine(USERS_0));
    }
  }

  private static void assertSameState(RocksShardStateMachine expected,
      RocksShardStateMachine actual) {
    assertEquals(expected.appliedIndex(), actual.appliedIndex());
    assertEquals(expected.appliedEpoch(), actual.appliedEpoch());
    List<KeyValue> e = expected.scan(new byte[0], 1000);
    List<KeyValue> a = actual.scan(new byte[0], 1000);
    assertEquals(e.size(), a.size());
    for (int i = 0; i < e.size(); i++) {
      assertArrayEquals(e.get(i).key(), a.get(i).key());
      assertArrayEquals(e.get(i).value(), a.get(i).value());
      assertEquals(e.get(i).version(), a.get(i).version());
      assertVersioned(new String(e.get(i).value(), java.nio.charset.StandardCharsets.UTF_8),
          e.get(i).version(), actual.get(e.get(i).key()));
    }
    List<DedupRecord> ed = expected.snapshot().dedup();
    List<DedupRecord> ad = actual.snapshot().dedup();
    assertEquals(ed.size(), ad.size());
    for (int i = 0; i < ed.size(); i++) {
      assertEquals(ed.get(i).clientId(), ad.get(i).clientId());
      assertEquals(ed.get(i).seq(), ad.get(i).seq());
      assertOutcome(ed.get(i).outcome(), ad.get(i).outcome());
      assertOutcome(ed.get(i).outcome(),
          actual.appliedOutcome(ed.get(i).clientId(), ed.get(i).seq()));
    }
  }

  @Test
  void installOfAnImpossibleSnapshot_isRefusedBeforeWriting() {
    apply(new Op.Put(b("k"), b("v")));
    Snapshot bad = new Snapshot(5, 1, List.of(new KeyValue(b("x"), b("y"), 9)), List.of());
    assertThrows(IllegalArgumentException.class, () -> sm.install(bad));
    assertEquals(1, sm.appliedIndex());
    assertVersioned("v", 1, sm.get(b("k")));
  }

  @Test
  void installThenApply_continuesFromTheSnapshotIndex() {
    Snapshot snapshot = new Snapshot(10, 2, List.of(new KeyValue(b("k"), b("v"), 7)),
        List.of(new DedupRecord("alice", 3, Outcome.applied(7))));
    sm.install(snapshot);
    assertOutcome(Outcome.applied(7),
        sm.apply(entry(2, 11, client("alice", 3, 0, new Op.Put(b("k"), b("again"))))));
    assertVersioned("v", 7, sm.get(b("k")));
    assertOutcome(Outcome.applied(12),
        sm.apply(entry(2, 12, client("alice", 4, 0, new Op.Put(b("k"), b("new"))))));
    assertVersioned("new", 12, sm.get(b("k")));
    assertFalse(sm.snapshot().dedup().isEmpty());
    assertTrue(sm.scan(b("k"), 10).size() == 1);
  }

  @Test
  void entriesReadBackFromTheLog_applyLikeTheOriginals() {
    List<LogEntry> entries = new ArrayList<>();
    entries.add(entry(1, 1, client("a", 1, 0, new Op.Put(b("k"), b("v")))));
    entries.add(entry(1, 2, client("a", 2, 0, new Op.Cas(b("k"), b("v"), -1, null))));
    entries.add(entry(2, 3, Command.noop()));
    List<LogAppend> appends = entries.stream().map(e -> new LogAppend(USERS_1, e))
        .collect(Collectors.toList());
    store.append(appends);
    RocksShardStateMachine replayed = store.stateMachine(USERS_1);
    for (LogEntry e : store.readLog(USERS_1, 1, 10)) {
      replayed.apply(e);
    }
    assertNull(replayed.get(b("k")));
    assertEquals(3, replayed.appliedIndex());
    assertOutcome(Outcome.applied(2), replayed.appliedOutcome("a", 2));
  }
}
