package io.bulwark.server;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bulwark.core.common.ShardId;
import io.bulwark.core.pb.ClientReply;
import io.bulwark.core.pb.Command;
import io.bulwark.core.pb.Op;
import io.bulwark.core.txn.TxnEffect;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Goal: a transaction's new work (here a prepare) for a primary on a node short of disk is
 * refused before it reaches the replica, with the disk guard's message, as a plain client write
 * is (DESIGN §6); the coordinator hears a refusal, which it resends, never a halt on ENOSPC.
 * Method: a guard whose free-space reading is below the reserve; the replica loop is absent, so
 * a call that got past the guard would fail the test with a NullPointerException.
 */
class ShardCallerTest {
  @Test
  void prepareForALocalPrimaryShortOfDisk_isRefusedWithTheGuardsMessage() {
    DiskGuard disk = new DiskGuard("n1", () -> 1L << 20, 100L << 20, () -> 0L, (k, d) -> { });
    ShardCaller caller = new ShardCaller("n1", null, null, disk);
    byte[] key = "k".getBytes(UTF_8);
    Command prepare = new Command(Op.txnClientId("t1"), Op.TXN_PHASE_PREPARE,
        Op.TXN_PHASE_PREPARE,
        new Op.TxnPrepare("t1", key, List.of(), List.of(new Op.TxnWrite(key, key)), false));
    List<ClientReply> replies = new ArrayList<>();

    caller.local(new ShardId("default", 0), new TxnEffect.Write(prepare), replies::add);

    assertEquals(1, replies.size());
    ClientReply.Refused refused = (ClientReply.Refused) replies.get(0);
    assertEquals(ClientReply.Refusal.UNAVAILABLE, refused.refusal());
    assertTrue(refused.message().contains("disk.reserve.bytes limit"), refused.message());
  }
}
