package io.bulwark.storage;

import com.google.protobuf.InvalidProtocolBufferException;
import io.bulwark.core.common.Invariants;
import io.bulwark.core.pb.LogEntry;
import io.bulwark.core.pb.PreparedTxn;
import io.bulwark.core.pb.ShardStateMachine.DedupRecord;
import io.bulwark.core.pb.ShardStateMachine.TxnState;
import io.bulwark.core.pb.TxnRecord;
import io.bulwark.core.pb.Versioned;
import io.bulwark.proto.Codec;
import io.bulwark.proto.v1.DedupRow;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32C;

/** The value layouts of the node's database (see {@link Keys} for the keys). */
final class Rows {
  static final int CRC_BYTES = Integer.BYTES;
  static final int APPLIED_BYTES = 2 * Long.BYTES;

  private Rows() {}

  /** A log value: {@code BE32(CRC32C(encoded)) encoded}, encoded = {@code Codec.encode(entry)}. */
  static byte[] logValue(LogEntry entry) {
    byte[] encoded = Codec.encode(entry);
    return ByteBuffer.allocate(CRC_BYTES + encoded.length)
        .putInt(crc32c(encoded, 0, encoded.length)).put(encoded).array();
  }

  /**
   * The CRC32C check of a log value: null if it holds, else a description of the mismatch.
   * Decoding is left to the caller, which knows the shard to name.
   */
  static String checkLogValue(byte[] value) {
    if (value.length < CRC_BYTES) {
      return "value of " + value.length + " bytes is shorter than its CRC32C";
    }
    int stored = ByteBuffer.wrap(value, 0, CRC_BYTES).getInt();
    int computed = crc32c(value, CRC_BYTES, value.length - CRC_BYTES);
    if (stored != computed) {
      return String.format("CRC32C mismatch (stored %08x, computed %08x)", stored, computed);
    }
    return null;
  }

  /** The encoded entry of a log value whose CRC32C was checked. */
  static byte[] logPayload(byte[] value) {
    return Arrays.copyOfRange(value, CRC_BYTES, value.length);
  }

  /** A data value: {@code BE64(version) value}. */
  static byte[] versioned(long version, byte[] value) {
    Invariants.check(version >= 1, "stored version must be >= 1, was %s", version);
    return ByteBuffer.allocate(Long.BYTES + value.length).putLong(version).put(value).array();
  }

  static Versioned versioned(byte[] row) {
    Invariants.check(row.length >= Long.BYTES, "data row of %s bytes has no version", row.length);
    long version = ByteBuffer.wrap(row, 0, Long.BYTES).getLong();
    Invariants.check(version >= 1, "stored version must be >= 1, was %s", version);
    return new Versioned(Arrays.copyOfRange(row, Long.BYTES, row.length), version);
  }

  /** The applied position: {@code BE64(index) BE64(epoch)}. */
  static byte[] applied(AppliedPosition position) {
    return ByteBuffer.allocate(APPLIED_BYTES)
        .putLong(position.index()).putLong(position.epoch()).array();
  }

  /** Decodes an applied-position row; a missing row means nothing was applied. */
  static AppliedPosition applied(byte[] row) {
    if (row == null) {
      return AppliedPosition.NONE;
    }
    Invariants.check(row.length == APPLIED_BYTES,
        "applied-position row of %s bytes, expected %s", row.length, APPLIED_BYTES);
    ByteBuffer b = ByteBuffer.wrap(row);
    return new AppliedPosition(b.getLong(), b.getLong());
  }

  static byte[] dedup(DedupRecord record) {
    return Codec.toProto(record).toByteArray();
  }

  /** Decodes a dedup row; null if the bytes are not a dedup row (the caller names the shard). */
  static DedupRecord dedupOrNull(byte[] row) {
    try {
      return Codec.fromProto(DedupRow.parseFrom(row));
    } catch (InvalidProtocolBufferException e) {
      return null;
    }
  }

  /** A prepared-transaction row: its intents and read locks (peer.proto TxnStateMsg). */
  static byte[] prepared(PreparedTxn t) {
    return Codec.encode(new TxnState(List.of(t), List.of()));
  }

  static PreparedTxn prepared(byte[] row) {
    TxnState s = Codec.decodeTxnState(row);
    Invariants.check(s.prepared().size() == 1 && s.records().isEmpty(),
        "prepared-txn row holds %s prepared and %s records", s.prepared().size(),
        s.records().size());
    return s.prepared().get(0);
  }

  /**
   * A record row: {@code BE64(order) TxnStateMsg}, order = the index of the entry that created it
   * (or its position in an installed snapshot), so records list in creation order.
   */
  static byte[] record(long order, TxnRecord r) {
    byte[] encoded = Codec.encode(new TxnState(List.of(), List.of(r)));
    return ByteBuffer.allocate(Long.BYTES + encoded.length).putLong(order).put(encoded).array();
  }

  static long recordOrder(byte[] row) {
    Invariants.check(row.length >= Long.BYTES, "record row of %s bytes", row.length);
    return ByteBuffer.wrap(row, 0, Long.BYTES).getLong();
  }

  static TxnRecord record(byte[] row) {
    TxnState s = Codec.decodeTxnState(Arrays.copyOfRange(row, Long.BYTES, row.length));
    Invariants.check(s.records().size() == 1 && s.prepared().isEmpty(),
        "record row holds %s records and %s prepared", s.records().size(), s.prepared().size());
    return s.records().get(0);
  }

  private static int crc32c(byte[] bytes, int offset, int length) {
    CRC32C crc = new CRC32C();
    crc.update(bytes, offset, length);
    return (int) crc.getValue();
  }

  /** Where a shard's applied state stands: the last applied entry's {@code (index, epoch)}. */
  record AppliedPosition(long index, long epoch) {
    static final AppliedPosition NONE = new AppliedPosition(0, 0);

    AppliedPosition {
      Invariants.check(index >= 0, "applied index must be >= 0, was %s", index);
      Invariants.check(epoch >= 0, "applied epoch must be >= 0, was %s", epoch);
    }
  }
}
