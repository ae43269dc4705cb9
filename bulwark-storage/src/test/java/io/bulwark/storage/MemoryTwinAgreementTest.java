package io.bulwark.storage;

import static io.bulwark.storage.Entries.USERS_0;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.bulwark.core.pb.Command;
import io.bulwark.core.pb.KeyValue;
import io.bulwark.core.pb.LogEntry;
import io.bulwark.core.pb.MemoryShardStateMachine;
import io.bulwark.core.pb.Op;
import io.bulwark.core.pb.Outcome;
import io.bulwark.core.pb.ShardStateMachine;
import io.bulwark.core.pb.ShardStateMachine.DedupRecord;
import io.bulwark.core.pb.Versioned;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Goal: the RocksDB state machine and the in-memory twin the simulator uses
 * ({@link MemoryShardStateMachine}) agree on every outcome and on the resulting state, so what
 * passes in simulation is what ships (STYLE §2).
 *
 * <p>Method: one seeded random history of puts, deletes, CASes (on version and on value),
 * transaction prepares (one- and two-phase), commits, aborts, record creates and decides
 * (DESIGN §5), noops, client retries and advancing {@code firstUnackedSeq}, applied to both; outcomes
 * compared after each entry, then the data, dedup table and applied position. Halfway the
 * node store is closed and reopened, so the second half runs on a state machine that read its
 * dedup rows back from disk. A failure names the seed and the index.
 */
class MemoryTwinAgreementTest {
  private static final long[] SEEDS = {1L, 42L, 20260101L};
  private static final int ENTRIES = 300;
  private static final int KEYS = 6;
  private static final int CLIENTS = 3;

  @TempDir Path dir;

  @Test
  void randomHistory_rocksAndMemoryAgreeOnEveryOutcomeAndTheFinalState() {
    for (long seed : SEEDS) {
      Path storeDir = dir.resolve("seed-" + seed);
      NodeStore[] store = {NodeStore.open(storeDir)};
      try {
        runHistory(seed, new MemoryShardStateMachine(), () -> {
          store[0].close();
          store[0] = NodeStore.open(storeDir);
          return store[0].stateMachine(USERS_0);
        }, store[0].stateMachine(USERS_0));
      } finally {
        store[0].close();
      }
    }
  }

  private static void runHistory(long seed, ShardStateMachine memory,
      java.util.function.Supplier<ShardStateMachine> reopen, ShardStateMachine rocks) {
    SplittableRandom random = new SplittableRandom(seed);
    long[] nextSeq = new long[CLIENTS];
    long[] firstUnacked = new long[CLIENTS];
    List<List<Command>> sent = new ArrayList<>();
    for (int c = 0; c < CLIENTS; c++) {
      sent.add(new ArrayList<>());
    }
    long epoch = 1;
    for (long index = 1; index <= ENTRIES; index++) {
      if (index == ENTRIES / 2) {
        rocks = reopen.get();
        assertSameState("seed " + seed + " after reopen", memory, rocks, nextSeq);
      }
      int c = random.nextInt(CLIENTS);
      Command command;
      int dice = random.nextInt(20);
      if (dice == 0) {
        epoch++;
        command = Command.noop();
      } else if (dice <= 3 && !sent.get(c).isEmpty()) {
        List<Command> history = sent.get(c);
        command = history.get(random.nextInt(history.size())); // a retry, maybe of a forgotten seq
      } else {
        if (random.nextInt(4) == 0) {
          firstUnacked[c] = nextSeq[c];
        }
        command = new Command("client-" + c, nextSeq[c]++, firstUnacked[c],
            randomOp(random, memory));
        sent.get(c).add(command);
      }
      LogEntry entry = new LogEntry(epoch, index, command);
      String where = "seed " + seed + " index " + index;
      assertSameOutcome(where, memory.apply(entry), rocks.apply(entry));
    }
    assertSameState("seed " + seed, memory, rocks, nextSeq);
  }

  private static Op randomOp(SplittableRandom random, ShardStateMachine current) {
    byte[] key = {'k', (byte) random.nextInt(KEYS)};
    byte[] value = {'v', (byte) random.nextInt(4)};
    Versioned now = current.get(key);
    if (random.nextInt(3) == 0) {
      return randomTxnOp(random, current);
    }
    switch (random.nextInt(5)) {
      case 0:
      case 1:
        return new Op.Put(key, value);
      case 2:
        return new Op.Delete(key);
      case 3: {
        long expected = random.nextBoolean() && now != null ? now.version() : random.nextInt(3);
        return new Op.Cas(key, null, expected, random.nextBoolean() ? value : null);
      }
      default: {
        byte[] expected = random.nextBoolean() ? (now == null ? null : now.value()) : value;
        return new Op.Cas(key, expected, -1, random.nextBoolean() ? value : null);
      }
    }
  }

  /** A transaction op over few txn ids and keys, so that conflicts and locks are frequent. */
  private static Op randomTxnOp(SplittableRandom random, ShardStateMachine current) {
    String txnId = "t" + random.nextInt(8);
    switch (random.nextInt(5)) {
      case 0:
      case 1: {
        List<Op.TxnRead> reads = new ArrayList<>();
        List<Op.TxnWrite> writes = new ArrayList<>();
        for (int k = 0; k < KEYS; k++) {
          byte[] key = {'k', (byte) k};
          int use = random.nextInt(5);
          if (use == 0) {
            Versioned v = current.get(key);
            long version = v == null ? 0 : v.version();
            reads.add(new Op.TxnRead(key, random.nextInt(4) == 0 ? version + 1 : version));
          } else if (use == 1) {
            writes.add(new Op.TxnWrite(key, random.nextBoolean() ? null : new byte[] {'x'}));
          }
        }
        return new Op.TxnPrepare(txnId, new byte[] {'k', 0}, reads, writes,
            random.nextInt(4) == 0);
      }
      case 2:
        return random.nextBoolean() ? new Op.TxnCommit(txnId) : new Op.TxnAbort(txnId);
      case 3:
        return new Op.TxnRecordCreate(txnId, List.of(0, 1), 1_000);
      default:
        return new Op.TxnRecordDecide(txnId, random.nextBoolean()
            ? io.bulwark.core.pb.TxnResult.Status.COMMITTED
            : io.bulwark.core.pb.TxnResult.Status.ABORTED);
    }
  }

  private static void assertSameOutcome(String where, Outcome expected, Outcome actual) {
    assertEquals(expected.applied(), actual.applied(), where + ": applied");
    assertEquals(expected.version(), actual.version(), where + ": version");
    assertArrayEquals(expected.current(), actual.current(), where + ": current");
    assertEquals(expected.txn(), actual.txn(), where + ": txn result");
  }

  private static void assertSameState(String where, ShardStateMachine memory,
      ShardStateMachine rocks, long[] nextSeq) {
    assertEquals(memory.appliedIndex(), rocks.appliedIndex(), where + ": applied index");
    assertEquals(memory.appliedEpoch(), rocks.appliedEpoch(), where + ": applied epoch");
    List<KeyValue> m = memory.scan(new byte[0], 1000);
    List<KeyValue> r = rocks.scan(new byte[0], 1000);
    assertEquals(m.size(), r.size(), where + ": key count");
    for (int i = 0; i < m.size(); i++) {
      assertArrayEquals(m.get(i).key(), r.get(i).key(), where + ": key " + i);
      assertArrayEquals(m.get(i).value(), r.get(i).value(), where + ": value " + i);
      assertEquals(m.get(i).version(), r.get(i).version(), where + ": version " + i);
    }
    for (int c = 0; c < CLIENTS; c++) {
      for (long seq = 0; seq < nextSeq[c]; seq++) {
        Outcome mo = memory.appliedOutcome("client-" + c, seq);
        Outcome ro = rocks.appliedOutcome("client-" + c, seq);
        String row = where + ": dedup row client-" + c + "/" + seq;
        assertEquals(mo == null, ro == null, row + " present");
        if (mo != null) {
          assertSameOutcome(row, mo, ro);
        }
      }
    }
    assertEquals(memory.preparedTxns().stream().map(t -> t.txnId() + "@" + t.preparedIndex())
        .toList(), rocks.preparedTxns().stream().map(t -> t.txnId() + "@" + t.preparedIndex())
        .toList(), where + ": prepared txns");
    assertEquals(memory.pendingTxnRecords(), rocks.pendingTxnRecords(), where + ": pending");
    assertEquals(memory.snapshot().txn().records(), rocks.snapshot().txn().records(),
        where + ": records");
    for (int t = 0; t < 8; t++) {
      assertEquals(memory.txnRecord("t" + t), rocks.txnRecord("t" + t), where + ": record t" + t);
    }
    for (int k = 0; k < KEYS; k++) {
      byte[] key = {'k', (byte) k};
      assertEquals(memory.lockHolder(key, null), rocks.lockHolder(key, null), where + ": lock");
    }
    Comparator<DedupRecord> order =
        Comparator.comparing(DedupRecord::clientId).thenComparingLong(DedupRecord::seq);
    List<DedupRecord> md = new ArrayList<>(memory.snapshot().dedup());
    md.sort(order);
    List<DedupRecord> rd = rocks.snapshot().dedup();
    assertEquals(md.size(), rd.size(), where + ": dedup rows");
    for (int i = 0; i < md.size(); i++) {
      assertEquals(md.get(i).clientId() + "/" + md.get(i).seq(),
          rd.get(i).clientId() + "/" + rd.get(i).seq(), where + ": dedup row " + i);
    }
  }
}
