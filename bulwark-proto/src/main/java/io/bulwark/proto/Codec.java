package io.bulwark.proto;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.bulwark.core.common.ShardConfig;
import io.bulwark.core.common.ShardId;
import io.bulwark.core.pb.Command;
import io.bulwark.core.pb.KeyValue;
import io.bulwark.core.pb.LogEntry;
import io.bulwark.core.pb.Message;
import io.bulwark.core.pb.Op;
import io.bulwark.core.pb.Outcome;
import io.bulwark.core.pb.ShardStateMachine.DedupRecord;
import io.bulwark.core.pb.ShardStateMachine.TxnState;
import io.bulwark.proto.v1.BeaconAckMsg;
import io.bulwark.proto.v1.BeaconMsg;
import io.bulwark.proto.v1.CasOp;
import io.bulwark.proto.v1.DedupRow;
import io.bulwark.proto.v1.DeleteOp;
import io.bulwark.proto.v1.NoopOp;
import io.bulwark.proto.v1.PeerEnvelope;
import io.bulwark.proto.v1.PutOp;
import io.bulwark.proto.v1.ReplicateAckMsg;
import io.bulwark.proto.v1.ReplicatePrepareMsg;
import io.bulwark.proto.v1.ShardConfigMsg;
import io.bulwark.proto.v1.ShardRef;
import io.bulwark.proto.v1.SnapshotChunkMsg;
import io.bulwark.proto.v1.SnapshotChunkMsgOrBuilder;
import io.bulwark.proto.v1.StoredValue;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * Converts core records to protobuf messages and back. Stateless and thread-safe. Decoding
 * refuses what the core could not represent (an entry without an op, a snapshot chunk whose
 * checksum does not match) with {@link CodecException}, so corrupt input never reaches a core.
 */
public final class Codec {
  private Codec() {}

  /** Input that cannot be decoded: corrupt bytes, a missing field or a bad checksum. */
  public static final class CodecException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public CodecException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  // ---- shards and configurations ----

  public static ShardRef toProto(ShardId id) {
    return ShardRef.newBuilder().setKeyspace(id.keyspace()).setShard(id.shard()).build();
  }

  public static ShardId fromProto(ShardRef ref) {
    return new ShardId(ref.getKeyspace(), ref.getShard());
  }

  public static ShardConfigMsg toProto(ShardConfig c) {
    return ShardConfigMsg.newBuilder()
        .setShard(toProto(c.shard()))
        .setEpoch(c.epoch())
        .setPrimary(c.primary())
        .addAllBackups(c.backups())
        .addAllLearners(c.learners())
        .build();
  }

  public static ShardConfig fromProto(ShardConfigMsg m) {
    return new ShardConfig(
        fromProto(m.getShard()), m.getEpoch(), m.getPrimary(), m.getBackupsList(),
        m.getLearnersList());
  }

  // ---- log entries ----

  public static io.bulwark.proto.v1.LogEntry toProto(LogEntry e) {
    return io.bulwark.proto.v1.LogEntry.newBuilder()
        .setEpoch(e.epoch())
        .setIndex(e.index())
        .setCommand(toProto(e.command()))
        .build();
  }

  public static LogEntry fromProto(io.bulwark.proto.v1.LogEntry m) {
    return new LogEntry(m.getEpoch(), m.getIndex(), fromProto(m.getCommand()));
  }

  public static byte[] encode(LogEntry e) {
    return toProto(e).toByteArray();
  }

  public static LogEntry decodeLogEntry(byte[] bytes) {
    try {
      return fromProto(io.bulwark.proto.v1.LogEntry.parseFrom(bytes));
    } catch (InvalidProtocolBufferException e) {
      throw new CodecException("corrupt log entry: " + e.getMessage(), e);
    }
  }

  public static io.bulwark.proto.v1.Command toProto(Command c) {
    var b = io.bulwark.proto.v1.Command.newBuilder()
        .setClientId(c.clientId())
        .setSeq(c.seq())
        .setFirstUnackedSeq(c.firstUnackedSeq());
    Op op = c.op();
    if (op instanceof Op.Put p) {
      b.setPut(PutOp.newBuilder().setKey(bytes(p.key())).setValue(bytes(p.value())));
    } else if (op instanceof Op.Delete d) {
      b.setDelete(DeleteOp.newBuilder().setKey(bytes(d.key())));
    } else if (op instanceof Op.Cas cas) {
      var cb = CasOp.newBuilder().setKey(bytes(cas.key())).setExpectedVersion(cas.expectedVersion());
      if (cas.expectedValue() != null) {
        cb.setExpectedValue(bytes(cas.expectedValue()));
      }
      if (cas.newValue() != null) {
        cb.setNewValue(bytes(cas.newValue()));
      }
      b.setCas(cb);
    } else if (op instanceof Op.Noop) {
      b.setNoop(NoopOp.getDefaultInstance());
    } else if (!TxnCodec.setOp(b, op)) {
      throw new IllegalArgumentException("unknown op " + op);
    }
    return b.build();
  }

  public static Command fromProto(io.bulwark.proto.v1.Command m) {
    Op op;
    switch (m.getOpCase()) {
      case PUT:
        op = new Op.Put(m.getPut().getKey().toByteArray(), m.getPut().getValue().toByteArray());
        break;
      case DELETE:
        op = new Op.Delete(m.getDelete().getKey().toByteArray());
        break;
      case CAS:
        CasOp c = m.getCas();
        op = new Op.Cas(
            c.getKey().toByteArray(),
            c.hasExpectedValue() ? c.getExpectedValue().toByteArray() : null,
            c.getExpectedVersion(),
            c.hasNewValue() ? c.getNewValue().toByteArray() : null);
        break;
      case NOOP:
        op = new Op.Noop();
        break;
      default:
        op = TxnCodec.opOf(m);
        if (op == null) {
          throw new CodecException("command without an op", null);
        }
    }
    return new Command(m.getClientId(), m.getSeq(), m.getFirstUnackedSeq(), op);
  }

  // ---- outcomes and dedup rows ----

  public static DedupRow toProto(DedupRecord r) {
    var b = DedupRow.newBuilder()
        .setClientId(r.clientId())
        .setSeq(r.seq())
        .setApplied(r.outcome().applied())
        .setVersion(r.outcome().version());
    if (r.outcome().current() != null) {
      b.setCurrent(bytes(r.outcome().current()));
    }
    if (r.outcome().txn() != null) {
      b.setTxn(TxnCodec.toProto(r.outcome().txn()));
    }
    return b.build();
  }

  public static DedupRecord fromProto(DedupRow m) {
    return new DedupRecord(m.getClientId(), m.getSeq(), new Outcome(
        m.getApplied(), m.getVersion(), m.hasCurrent() ? m.getCurrent().toByteArray() : null,
        m.hasTxn() ? TxnCodec.fromProto(m.getTxn()) : null));
  }

  public static io.bulwark.proto.v1.TxnResultMsg toProto(io.bulwark.core.pb.TxnResult r) {
    return TxnCodec.toProto(r);
  }

  public static io.bulwark.core.pb.TxnResult fromProto(io.bulwark.proto.v1.TxnResultMsg m) {
    return TxnCodec.fromProto(m);
  }

  /**
   * Transaction state (prepared transactions, records) as bytes: how the RocksDB state machine
   * stores each prepared transaction and record row (peer.proto {@code TxnStateMsg}).
   */
  public static byte[] encode(TxnState s) {
    return TxnCodec.toProto(s).toByteArray();
  }

  /** The inverse of {@link #encode(TxnState)}; throws {@link CodecException} on bad bytes. */
  public static TxnState decodeTxnState(byte[] bytes) {
    try {
      return TxnCodec.fromProto(io.bulwark.proto.v1.TxnStateMsg.parseFrom(bytes));
    } catch (com.google.protobuf.InvalidProtocolBufferException e) {
      throw new CodecException("undecodable transaction state", e);
    }
  }

  public static StoredValue toProto(KeyValue kv) {
    return StoredValue.newBuilder()
        .setKey(bytes(kv.key())).setValue(bytes(kv.value())).setVersion(kv.version()).build();
  }

  public static KeyValue fromProto(StoredValue m) {
    return new KeyValue(m.getKey().toByteArray(), m.getValue().toByteArray(), m.getVersion());
  }

  // ---- peer messages ----

  public static PeerEnvelope toProto(Message msg) {
    var b = PeerEnvelope.newBuilder();
    if (msg instanceof Message.ReplicatePrepare p) {
      var pb = ReplicatePrepareMsg.newBuilder()
          .setConfig(toProto(p.config()))
          .setPrevIndex(p.prevIndex())
          .setPrevEpoch(p.prevEpoch())
          .setCommittedIndex(p.committedIndex());
      for (LogEntry e : p.entries()) {
        pb.addEntries(toProto(e));
      }
      b.setReplicatePrepare(pb);
    } else if (msg instanceof Message.ReplicateAck a) {
      b.setReplicateAck(ReplicateAckMsg.newBuilder()
          .setShard(toProto(a.shard())).setEpoch(a.epoch()).setMatched(a.matched())
          .setDurableIndex(a.durableIndex()).setLastIndex(a.lastIndex()));
    } else if (msg instanceof Message.Beacon bc) {
      b.setBeacon(BeaconMsg.newBuilder()
          .setConfig(toProto(bc.config())).setSentNanos(bc.sentNanos())
          .setCommittedIndex(bc.committedIndex()));
    } else if (msg instanceof Message.BeaconAck ba) {
      b.setBeaconAck(BeaconAckMsg.newBuilder()
          .setShard(toProto(ba.shard())).setEpoch(ba.epoch()).setSentNanos(ba.sentNanos()));
    } else if (msg instanceof Message.SnapshotChunk s) {
      var sb = SnapshotChunkMsg.newBuilder()
          .setConfig(toProto(s.config())).setSnapshotIndex(s.snapshotIndex())
          .setSnapshotEpoch(s.snapshotEpoch()).setChunk(s.chunk()).setLast(s.last());
      for (KeyValue kv : s.entries()) {
        sb.addEntries(toProto(kv));
      }
      for (DedupRecord r : s.dedup()) {
        sb.addDedup(toProto(r));
      }
      if (!s.txn().isEmpty()) {
        sb.setTxn(TxnCodec.toProto(s.txn()));
      }
      sb.setCrc32C(chunkChecksum(sb));
      b.setSnapshotChunk(sb);
    } else {
      throw new IllegalArgumentException("unknown message " + msg);
    }
    return b.build();
  }

  public static Message fromProto(PeerEnvelope env) {
    switch (env.getMessageCase()) {
      case REPLICATE_PREPARE: {
        ReplicatePrepareMsg p = env.getReplicatePrepare();
        List<LogEntry> entries = new ArrayList<>(p.getEntriesCount());
        for (var e : p.getEntriesList()) {
          entries.add(fromProto(e));
        }
        return new Message.ReplicatePrepare(fromProto(p.getConfig()), p.getPrevIndex(),
            p.getPrevEpoch(), entries, p.getCommittedIndex());
      }
      case REPLICATE_ACK: {
        ReplicateAckMsg a = env.getReplicateAck();
        return new Message.ReplicateAck(fromProto(a.getShard()), a.getEpoch(), a.getMatched(),
            a.getDurableIndex(), a.getLastIndex());
      }
      case BEACON: {
        BeaconMsg bc = env.getBeacon();
        return new Message.Beacon(fromProto(bc.getConfig()), bc.getSentNanos(),
            bc.getCommittedIndex());
      }
      case BEACON_ACK: {
        BeaconAckMsg ba = env.getBeaconAck();
        return new Message.BeaconAck(fromProto(ba.getShard()), ba.getEpoch(), ba.getSentNanos());
      }
      case SNAPSHOT_CHUNK: {
        SnapshotChunkMsg s = env.getSnapshotChunk();
        if (chunkChecksum(s.toBuilder()) != s.getCrc32C()) {
          throw new CodecException("snapshot chunk " + s.getChunk() + " of "
              + fromProto(s.getConfig().getShard()) + " fails its CRC32C check", null);
        }
        List<KeyValue> kvs = new ArrayList<>(s.getEntriesCount());
        for (var kv : s.getEntriesList()) {
          kvs.add(fromProto(kv));
        }
        List<DedupRecord> dedup = new ArrayList<>(s.getDedupCount());
        for (var r : s.getDedupList()) {
          dedup.add(fromProto(r));
        }
        return new Message.SnapshotChunk(fromProto(s.getConfig()), s.getSnapshotIndex(),
            s.getSnapshotEpoch(), s.getChunk(), s.getLast(), kvs, dedup,
            s.hasTxn() ? TxnCodec.fromProto(s.getTxn()) : TxnState.EMPTY);
      }
      default:
        throw new CodecException("peer envelope without a message", null);
    }
  }

  private static int chunkChecksum(SnapshotChunkMsgOrBuilder chunk) {
    CRC32C crc = new CRC32C();
    for (StoredValue v : chunk.getEntriesList()) {
      crc.update(v.toByteArray());
    }
    for (DedupRow r : chunk.getDedupList()) {
      crc.update(r.toByteArray());
    }
    if (chunk.hasTxn()) {
      crc.update(chunk.getTxn().toByteArray());
    }
    return (int) crc.getValue();
  }

  public static ByteString bytes(byte[] b) {
    return b == null ? ByteString.EMPTY : ByteString.copyFrom(b);
  }
}
