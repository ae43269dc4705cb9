package io.bulwark.proto;

import com.google.protobuf.ByteString;
import io.bulwark.core.pb.Op;
import io.bulwark.core.pb.PreparedTxn;
import io.bulwark.core.pb.ShardStateMachine.TxnState;
import io.bulwark.core.pb.TxnRecord;
import io.bulwark.core.pb.TxnResult;
import io.bulwark.proto.v1.PreparedTxnMsg;
import io.bulwark.proto.v1.TxnAbortOp;
import io.bulwark.proto.v1.TxnCommitOp;
import io.bulwark.proto.v1.TxnPrepareOp;
import io.bulwark.proto.v1.TxnReadItem;
import io.bulwark.proto.v1.TxnRecordCreateOp;
import io.bulwark.proto.v1.TxnRecordDecideOp;
import io.bulwark.proto.v1.TxnRecordMsg;
import io.bulwark.proto.v1.TxnResultMsg;
import io.bulwark.proto.v1.TxnStateMsg;
import io.bulwark.proto.v1.TxnStatusMsg;
import io.bulwark.proto.v1.TxnWriteItem;
import java.util.ArrayList;
import java.util.List;

/** The transaction part of {@link Codec} (DESIGN §5): ops, results and snapshot state. */
final class TxnCodec {
  private TxnCodec() {}

  /** Sets the op of {@code b} if {@code op} is a transaction op; false otherwise. */
  static boolean setOp(io.bulwark.proto.v1.Command.Builder b, Op op) {
    if (op instanceof Op.TxnPrepare p) {
      var pb = TxnPrepareOp.newBuilder().setTxnId(p.txnId())
          .setRecordKey(Codec.bytes(p.recordKey())).setOnePhase(p.onePhase());
      for (Op.TxnRead r : p.reads()) {
        pb.addReads(TxnReadItem.newBuilder().setKey(Codec.bytes(r.key())).setVersion(r.version()));
      }
      p.writes().forEach(w -> pb.addWrites(toProto(w)));
      b.setTxnPrepare(pb);
    } else if (op instanceof Op.TxnCommit c) {
      b.setTxnCommit(TxnCommitOp.newBuilder().setTxnId(c.txnId()));
    } else if (op instanceof Op.TxnAbort a) {
      b.setTxnAbort(TxnAbortOp.newBuilder().setTxnId(a.txnId()));
    } else if (op instanceof Op.TxnRecordCreate rc) {
      b.setTxnRecordCreate(TxnRecordCreateOp.newBuilder().setTxnId(rc.txnId())
          .addAllParticipants(rc.participants()).setTimeoutNanos(rc.timeoutNanos()));
    } else if (op instanceof Op.TxnRecordDecide d) {
      b.setTxnRecordDecide(TxnRecordDecideOp.newBuilder().setTxnId(d.txnId())
          .setTarget(toProto(d.target())));
    } else {
      return false;
    }
    return true;
  }

  /** The transaction op of {@code m}, or null if it holds another kind. */
  static Op opOf(io.bulwark.proto.v1.Command m) {
    switch (m.getOpCase()) {
      case TXN_PREPARE: {
        TxnPrepareOp p = m.getTxnPrepare();
        List<Op.TxnRead> reads = new ArrayList<>();
        for (TxnReadItem r : p.getReadsList()) {
          reads.add(new Op.TxnRead(r.getKey().toByteArray(), r.getVersion()));
        }
        return new Op.TxnPrepare(p.getTxnId(), p.getRecordKey().toByteArray(), reads,
            writesOf(p.getWritesList()), p.getOnePhase());
      }
      case TXN_COMMIT:
        return new Op.TxnCommit(m.getTxnCommit().getTxnId());
      case TXN_ABORT:
        return new Op.TxnAbort(m.getTxnAbort().getTxnId());
      case TXN_RECORD_CREATE: {
        TxnRecordCreateOp rc = m.getTxnRecordCreate();
        return new Op.TxnRecordCreate(rc.getTxnId(), rc.getParticipantsList(),
            rc.getTimeoutNanos());
      }
      case TXN_RECORD_DECIDE:
        return new Op.TxnRecordDecide(m.getTxnRecordDecide().getTxnId(),
            fromProto(m.getTxnRecordDecide().getTarget()));
      default:
        return null;
    }
  }

  static TxnResultMsg toProto(TxnResult r) {
    return TxnResultMsg.newBuilder().setStatus(toProto(r.status())).setReason(r.reason()).build();
  }

  static TxnResult fromProto(TxnResultMsg m) {
    return new TxnResult(fromProto(m.getStatus()), m.getReason());
  }

  static TxnStateMsg toProto(TxnState s) {
    var b = TxnStateMsg.newBuilder();
    for (PreparedTxn t : s.prepared()) {
      var pb = PreparedTxnMsg.newBuilder().setTxnId(t.txnId())
          .setRecordKey(Codec.bytes(t.recordKey())).setPreparedIndex(t.preparedIndex());
      t.writes().forEach(w -> pb.addWrites(toProto(w)));
      t.readKeys().forEach(k -> pb.addReadKeys(Codec.bytes(k)));
      b.addPrepared(pb);
    }
    for (TxnRecord r : s.records()) {
      b.addRecords(TxnRecordMsg.newBuilder().setTxnId(r.txnId()).setStatus(toProto(r.status()))
          .addAllParticipants(r.participants()).setTimeoutNanos(r.timeoutNanos()));
    }
    return b.build();
  }

  static TxnState fromProto(TxnStateMsg m) {
    List<PreparedTxn> prepared = new ArrayList<>();
    for (PreparedTxnMsg t : m.getPreparedList()) {
      List<byte[]> readKeys = new ArrayList<>();
      for (ByteString k : t.getReadKeysList()) {
        readKeys.add(k.toByteArray());
      }
      prepared.add(new PreparedTxn(t.getTxnId(), t.getRecordKey().toByteArray(),
          writesOf(t.getWritesList()), readKeys, t.getPreparedIndex()));
    }
    List<TxnRecord> records = new ArrayList<>();
    for (TxnRecordMsg r : m.getRecordsList()) {
      records.add(new TxnRecord(r.getTxnId(), fromProto(r.getStatus()), r.getParticipantsList(),
          r.getTimeoutNanos()));
    }
    return new TxnState(prepared, records);
  }

  private static TxnWriteItem toProto(Op.TxnWrite w) {
    var b = TxnWriteItem.newBuilder().setKey(Codec.bytes(w.key()));
    if (w.value() != null) {
      b.setValue(Codec.bytes(w.value()));
    }
    return b.build();
  }

  private static List<Op.TxnWrite> writesOf(List<TxnWriteItem> items) {
    List<Op.TxnWrite> out = new ArrayList<>();
    for (TxnWriteItem w : items) {
      out.add(new Op.TxnWrite(w.getKey().toByteArray(),
          w.hasValue() ? w.getValue().toByteArray() : null));
    }
    return out;
  }

  private static TxnStatusMsg toProto(TxnResult.Status s) {
    return switch (s) {
      case PENDING -> TxnStatusMsg.TXN_PENDING;
      case PREPARED -> TxnStatusMsg.TXN_PREPARED;
      case COMMITTED -> TxnStatusMsg.TXN_COMMITTED;
      case ABORTED -> TxnStatusMsg.TXN_ABORTED;
      case ABSENT -> TxnStatusMsg.TXN_ABSENT;
      case LOCKED -> TxnStatusMsg.TXN_LOCKED;
    };
  }

  private static TxnResult.Status fromProto(TxnStatusMsg s) {
    return switch (s) {
      case TXN_PENDING -> TxnResult.Status.PENDING;
      case TXN_PREPARED -> TxnResult.Status.PREPARED;
      case TXN_COMMITTED -> TxnResult.Status.COMMITTED;
      case TXN_ABORTED -> TxnResult.Status.ABORTED;
      case TXN_ABSENT -> TxnResult.Status.ABSENT;
      case TXN_LOCKED -> TxnResult.Status.LOCKED;
      default -> throw new Codec.CodecException("unknown transaction status " + s, null);
    };
  }
}
