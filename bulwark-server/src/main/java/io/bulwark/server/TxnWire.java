package io.bulwark.server;

import com.google.protobuf.ByteString;
import io.bulwark.core.pb.ClientReply;
import io.bulwark.core.pb.Op;
import io.bulwark.core.pb.Outcome;
import io.bulwark.core.pb.TxnResult;
import io.bulwark.core.txn.TxnOutcome;
import io.bulwark.core.txn.TxnRequest;
import io.bulwark.proto.Codec;
import io.bulwark.proto.v1.CommitTxnReply;
import io.bulwark.proto.v1.CommitTxnRequest;
import io.bulwark.proto.v1.ResolveTxnReply;
import io.bulwark.proto.v1.TxnOutcomeMsg;
import io.bulwark.proto.v1.TxnReadMsg;
import io.bulwark.proto.v1.TxnStepReply;
import io.bulwark.proto.v1.TxnWriteMsg;
import java.util.ArrayList;
import java.util.List;

/** The transaction messages of api.proto to and from the core's records (DESIGN §5). */
final class TxnWire {
  private TxnWire() {}

  static TxnRequest request(CommitTxnRequest m) {
    List<Op.TxnRead> reads = new ArrayList<>();
    for (TxnReadMsg r : m.getReadsList()) {
      reads.add(new Op.TxnRead(r.getKey().toByteArray(), r.getVersion()));
    }
    List<Op.TxnWrite> writes = new ArrayList<>();
    for (TxnWriteMsg w : m.getWritesList()) {
      writes.add(new Op.TxnWrite(w.getKey().toByteArray(),
          w.hasValue() ? w.getValue().toByteArray() : null));
    }
    return new TxnRequest(m.getTxnId(), reads, writes);
  }

  static CommitTxnReply commitReply(TxnOutcome o) {
    TxnOutcomeMsg m = switch (o.status()) {
      case COMMITTED -> TxnOutcomeMsg.OUTCOME_COMMITTED;
      case ABORTED -> TxnOutcomeMsg.OUTCOME_ABORTED;
      case UNKNOWN -> TxnOutcomeMsg.OUTCOME_UNKNOWN;
    };
    return CommitTxnReply.newBuilder().setOutcome(m).setReason(o.reason()).build();
  }

  /** A replica's answer to a logged transaction command, for the wire. */
  static TxnStepReply step(Outcome o) {
    TxnStepReply.Builder b = TxnStepReply.newBuilder().setApplied(o.applied())
        .setVersion(o.version());
    if (o.txn() != null) {
      b.setTxn(Codec.toProto(o.txn()));
    }
    return b.build();
  }

  /** The inverse of {@link #step}. */
  static ClientReply written(TxnStepReply r) {
    return new ClientReply.Written(new Outcome(r.getApplied(), r.getVersion(), null,
        r.hasTxn() ? Codec.fromProto(r.getTxn()) : null));
  }

  /**
   * The record status a replica's answer to {@code TxnResolve} carries: {@code TxnStatusIs}, or
   * the outcome of the timeout abort it logged; null if the reply is a refusal or unknown.
   */
  static TxnResult.Status resolved(ClientReply r) {
    if (r instanceof ClientReply.TxnStatusIs s) {
      return s.status();
    }
    if (r instanceof ClientReply.Written w) {
      return w.outcome().txn() == null ? TxnResult.Status.PENDING : w.outcome().txn().status();
    }
    return null;
  }

  static ResolveTxnReply resolveReply(TxnResult.Status s) {
    TxnOutcomeMsg m = s == TxnResult.Status.COMMITTED ? TxnOutcomeMsg.OUTCOME_COMMITTED
        : s == TxnResult.Status.ABORTED ? TxnOutcomeMsg.OUTCOME_ABORTED
        : TxnOutcomeMsg.OUTCOME_PENDING;
    return ResolveTxnReply.newBuilder().setOutcome(m).build();
  }

  /** The inverse of {@link #resolveReply}, as the replica's reply. */
  static ClientReply statusIs(String txnId, ResolveTxnReply r) {
    TxnResult.Status s = r.getOutcome() == TxnOutcomeMsg.OUTCOME_COMMITTED
        ? TxnResult.Status.COMMITTED
        : r.getOutcome() == TxnOutcomeMsg.OUTCOME_ABORTED ? TxnResult.Status.ABORTED
        : TxnResult.Status.PENDING;
    return new ClientReply.TxnStatusIs(txnId, s);
  }

  static ByteString bytes(byte[] b) {
    return b == null ? ByteString.EMPTY : ByteString.copyFrom(b);
  }
}
