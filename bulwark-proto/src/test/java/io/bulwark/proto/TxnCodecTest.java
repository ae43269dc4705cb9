package io.bulwark.proto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.bulwark.core.common.ShardConfig;
import io.bulwark.core.common.ShardId;
import io.bulwark.core.pb.Command;
import io.bulwark.core.pb.LogEntry;
import io.bulwark.core.pb.Message;
import io.bulwark.core.pb.Op;
import io.bulwark.core.pb.Outcome;
import io.bulwark.core.pb.PreparedTxn;
import io.bulwark.core.pb.ShardStateMachine.DedupRecord;
import io.bulwark.core.pb.ShardStateMachine.TxnState;
import io.bulwark.core.pb.TxnRecord;
import io.bulwark.core.pb.TxnResult;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Transaction ops, outcomes and snapshot state survive the encoding the log, the dedup table
 * and the peer protocol use (DESIGN §5): a prepare's vote recorded in a dedup row or a snapshot
 * chunk must decode to the same vote, or a retried prepare after failover would hear another.
 */
class TxnCodecTest {
  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static Op roundTrip(Op op) {
    LogEntry e = new LogEntry(3, 7, new Command("txn/T1", 2, 2, op));
    LogEntry back = Codec.decodeLogEntry(Codec.encode(e));
    assertEquals(e.command().clientId(), back.command().clientId());
    return back.command().op();
  }

  @Test
  void prepareRoundTrips_withDeletesAndOnePhase() {
    Op.TxnPrepare p = (Op.TxnPrepare) roundTrip(new Op.TxnPrepare("T1", b("rk"),
        List.of(new Op.TxnRead(b("x"), 0), new Op.TxnRead(b("y"), 42)),
        List.of(new Op.TxnWrite(b("z"), b("v")), new Op.TxnWrite(b("d"), null)), true));
    assertEquals("T1", p.txnId());
    assertArrayEquals(b("rk"), p.recordKey());
    assertEquals(42, p.reads().get(1).version());
    assertArrayEquals(b("v"), p.writes().get(0).value());
    assertNull(p.writes().get(1).value(), "a delete stays a delete");
    assertEquals(true, p.onePhase());
  }

  @Test
  void recordAndResolutionOpsRoundTrip() {
    Op.TxnRecordCreate rc = (Op.TxnRecordCreate) roundTrip(
        new Op.TxnRecordCreate("T1", List.of(0, 5), 123));
    assertEquals(List.of(0, 5), rc.participants());
    assertEquals(123, rc.timeoutNanos());
    Op.TxnRecordDecide d = (Op.TxnRecordDecide) roundTrip(
        new Op.TxnRecordDecide("T1", TxnResult.Status.COMMITTED));
    assertEquals(TxnResult.Status.COMMITTED, d.target());
    assertEquals("T1", ((Op.TxnCommit) roundTrip(new Op.TxnCommit("T1"))).txnId());
    assertEquals("T1", ((Op.TxnAbort) roundTrip(new Op.TxnAbort("T1"))).txnId());
  }

  @Test
  void dedupRowKeepsTheVote() {
    DedupRecord r = new DedupRecord("txn/T1", 2, Outcome.txn(9,
        new TxnResult(TxnResult.Status.ABORTED, "read key x changed")));
    DedupRecord back = Codec.fromProto(Codec.toProto(r));
    assertEquals(r.outcome().txn(), back.outcome().txn());
    assertEquals(false, back.outcome().applied());
    assertNull(Codec.fromProto(Codec.toProto(new DedupRecord("c", 1, Outcome.applied(3))))
        .outcome().txn(), "a plain outcome has no txn part");
  }

  @Test
  void snapshotChunkCarriesTheTxnState() {
    TxnState state = new TxnState(
        List.of(new PreparedTxn("T1", b("rk"), List.of(new Op.TxnWrite(b("z"), b("v"))),
            List.of(b("x")), 11)),
        List.of(new TxnRecord("T1", TxnResult.Status.PENDING, List.of(0, 1), 500)));
    ShardConfig config = new ShardConfig(new ShardId("default", 0), 4, "n1", List.of("n2"),
        List.of());
    Message.SnapshotChunk c = new Message.SnapshotChunk(config, 20, 4, 0, true, List.of(),
        List.of(), state);
    Message.SnapshotChunk back = (Message.SnapshotChunk) Codec.fromProto(Codec.toProto(c));
    PreparedTxn t = back.txn().prepared().get(0);
    assertEquals("T1", t.txnId());
    assertEquals(11, t.preparedIndex());
    assertArrayEquals(b("x"), t.readKeys().get(0));
    assertArrayEquals(b("v"), t.writes().get(0).value());
    assertEquals(state.records(), back.txn().records());
  }
}
