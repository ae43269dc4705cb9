package io.bulwark.server;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bulwark.core.common.ShardConfig;
import io.bulwark.core.common.ShardId;
import io.bulwark.core.pb.Command;
import io.bulwark.core.pb.LogEntry;
import io.bulwark.core.pb.Message;
import io.bulwark.core.pb.Op;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Goal: writes are refused below the configured reserve with a message naming the free space and
 * the limit, and served again once space returns — a re-check, not a latch (DESIGN §6); the same
 * guard refuses replicated writes at a backup (entries, snapshot chunks) but never messages that
 * write nothing (beacons, empty ReplicatePrepares). Method: a scripted free-space reading and a
 * hand-driven clock.
 */
class DiskGuardTest {
  private static final long MIB = 1L << 20;
  private long free = 500 * MIB;
  private long now;
  private final List<String> events = new ArrayList<>();
  private final DiskGuard guard = new DiskGuard("n1", () -> free, 100 * MIB, () -> now,
      (kind, detail) -> events.add(kind));

  @Test
  void belowTheReserve_refusesWithFreeBytesAndLimit_thenServesAgainWhenSpaceReturns() {
    assertNull(guard.refusal());
    free = 40 * MIB;
    now += DiskGuard.CHECK_INTERVAL_NANOS;
    String refusal = guard.refusal();
    assertNotNull(refusal);
    assertTrue(refusal.contains("40.0 MiB (41943040 bytes) free")
        && refusal.contains("disk.reserve.bytes limit of 100.0 MiB (104857600 bytes)"), refusal);
    free = 300 * MIB; // an operator freed space
    assertNotNull(guard.refusal(), "the reading is reused within the check interval");
    now += DiskGuard.CHECK_INTERVAL_NANOS;
    assertNull(guard.refusal());
    assertEquals(List.of("writes-refused", "writes-resumed"), events);
  }

  @Test
  void theFirstWrite_readsTheDisk() {
    free = MIB;
    assertNotNull(guard.refusal());
  }

  @Test
  void belowTheReserve_backupDropsEntriesAndSnapshots_butStillHandlesBeaconsAndEmptyPrepares() {
    ShardConfig c = new ShardConfig(new ShardId("default", 3), 7, "n2", List.of("n1", "n3"),
        List.of());
    LogEntry entry = new LogEntry(7, 11, new Command("c1", 1, 1,
        new Op.Put("k".getBytes(UTF_8), new byte[100 << 10])));
    Message withEntries = new Message.ReplicatePrepare(c, 10, 7, List.of(entry), 9);
    Message empty = new Message.ReplicatePrepare(c, 11, 7, List.of(), 11);
    Message beacon = new Message.Beacon(c, 123, 11);
    Message chunk = new Message.SnapshotChunk(c, 11, 7, 0, true, List.of(), List.of());
    Message ack = new Message.ReplicateAck(c.shard(), 7, true, 11, 11);

    for (Message m : List.of(withEntries, empty, beacon, chunk, ack)) {
      assertFalse(guard.refusesReplication(m), "plenty of space: " + m);
    }
    free = 40 * MIB;
    now += DiskGuard.CHECK_INTERVAL_NANOS;
    assertTrue(guard.refusesReplication(withEntries), "entries would be appended");
    assertTrue(guard.refusesReplication(chunk), "a snapshot would be installed");
    assertFalse(guard.refusesReplication(empty), "an empty prepare appends nothing");
    assertFalse(guard.refusesReplication(beacon), "a beacon only asks for an ack");
    assertFalse(guard.refusesReplication(ack));
    assertNotNull(guard.refusal(), "client writes see the same reading");
    free = 300 * MIB;
    now += DiskGuard.CHECK_INTERVAL_NANOS;
    assertFalse(guard.refusesReplication(withEntries), "space returned: entries are taken again");
    assertEquals(List.of("writes-refused", "writes-resumed"), events);
  }

  /**
   * Transaction writes at a primary short of disk: new work (a record's creation, a prepare with
   * its intents) is refused with the guard's message; what ends a transaction (decide, commit,
   * abort) goes on, so prepared transactions still finish and release their locks.
   */
  @Test
  void belowTheReserve_refusesNewTransactionWork_butLetsTransactionsFinish() {
    byte[] k = "k".getBytes(UTF_8);
    Op prepare = new Op.TxnPrepare("t1", k, List.of(), List.of(new Op.TxnWrite(k, k)), false);
    Op create = new Op.TxnRecordCreate("t1", List.of(0, 1), 1_000_000_000L);
    List<Op> finishing = List.of(
        new Op.TxnRecordDecide("t1", io.bulwark.core.pb.TxnResult.Status.COMMITTED),
        new Op.TxnCommit("t1"), new Op.TxnAbort("t1"));
    assertNull(guard.refusesTxnWrite(prepare));
    assertNull(guard.refusesTxnWrite(create));

    free = 40 * MIB;
    now += DiskGuard.CHECK_INTERVAL_NANOS;

    assertEquals(guard.refusal(), guard.refusesTxnWrite(prepare));
    assertEquals(guard.refusal(), guard.refusesTxnWrite(create));
    assertNotNull(guard.refusesTxnWrite(prepare));
    for (Op op : finishing) {
      assertNull(guard.refusesTxnWrite(op), op.toString());
    }
  }
}
