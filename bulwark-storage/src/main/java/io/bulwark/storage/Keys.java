package io.bulwark.storage;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.bulwark.core.common.Invariants;
import io.bulwark.core.common.ShardId;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * The key layout of the node's database. Every per-shard key starts with the shard prefix
 * {@code UTF-8(keyspace) 0x00 BE32(shard)}, so that one shard's rows are one contiguous range
 * that a single {@code deleteRange} removes (snapshot install, shard drop). Big-endian numbers
 * make RocksDB's bytewise order the numeric order.
 *
 * <pre>
 *   log  CF : prefix BE64(index)                          -> CRC32C(4) + Codec.encode(entry)
 *   data CF : prefix 'k' userKey                          -> BE64(version) + value
 *             prefix 'd' UTF-8(clientId) 0x00 BE64(seq)   -> encoded DedupRow (the outcome)
 *             prefix 'a'                                  -> BE64(applied index) BE64(epoch)
 *             prefix 'p' UTF-8(txnId)                     -> a prepared txn (intents, read locks)
 *             prefix 'r' UTF-8(txnId)                     -> BE64(order) + a transaction record
 *   meta CF : 'n' UTF-8(key)                              -> node fact
 *             's' prefix UTF-8(key)                       -> shard fact
 * </pre>
 *
 * <p>A keyspace or client id must not contain U+0000 (it ends the name in the key); seqs are
 * non-negative. The edge refuses anything else before it reaches a log.
 */
final class Keys {
  static final byte DATA_TAG = 'k';
  static final byte DEDUP_TAG = 'd';
  static final byte APPLIED_TAG = 'a';
  static final byte PREPARED_TAG = 'p';
  static final byte RECORD_TAG = 'r';
  static final byte NODE_META_TAG = 'n';
  static final byte SHARD_META_TAG = 's';

  private Keys() {}

  /** {@code UTF-8(keyspace) 0x00 BE32(shard)}. */
  static byte[] shardPrefix(ShardId shard) {
    checkNoNul(shard.keyspace(), "keyspace");
    byte[] ks = shard.keyspace().getBytes(UTF_8);
    return ByteBuffer.allocate(ks.length + 1 + Integer.BYTES)
        .put(ks).put((byte) 0).putInt(shard.shard()).array();
  }

  /** The shard whose prefix starts {@code key} (a key of the log or data column family). */
  static ShardId shardOf(byte[] key) {
    int nul = indexOf(key, (byte) 0);
    Invariants.check(nul >= 0, "stored key without a shard prefix: %s", Arrays.toString(key));
    Invariants.check(key.length >= nul + 1 + Integer.BYTES,
        "stored key with a short shard prefix: %s", Arrays.toString(key));
    String keyspace = new String(key, 0, nul, UTF_8);
    int shard = ByteBuffer.wrap(key, nul + 1, Integer.BYTES).getInt();
    return new ShardId(keyspace, shard);
  }

  static byte[] logKey(byte[] shardPrefix, long index) {
    return ByteBuffer.allocate(shardPrefix.length + Long.BYTES)
        .put(shardPrefix).putLong(index).array();
  }

  /** The index of a log key, checking that it belongs to {@code shardPrefix}. */
  static long logIndex(byte[] shardPrefix, byte[] logKey) {
    Invariants.check(logKey.length == shardPrefix.length + Long.BYTES,
        "log key of length %s under a prefix of length %s", logKey.length, shardPrefix.length);
    return ByteBuffer.wrap(logKey, shardPrefix.length, Long.BYTES).getLong();
  }

  /** {@code prefix 'k'}: the start of the shard's user keys. */
  static byte[] dataPrefix(byte[] shardPrefix) {
    return tagged(shardPrefix, DATA_TAG);
  }

  static byte[] dataKey(byte[] shardPrefix, byte[] userKey) {
    return ByteBuffer.allocate(shardPrefix.length + 1 + userKey.length)
        .put(shardPrefix).put(DATA_TAG).put(userKey).array();
  }

  /** The user key of a data key under {@code shardPrefix}. */
  static byte[] userKey(byte[] shardPrefix, byte[] dataKey) {
    Invariants.check(dataKey.length > shardPrefix.length && dataKey[shardPrefix.length] == DATA_TAG,
        "not a data key: %s", Arrays.toString(dataKey));
    return Arrays.copyOfRange(dataKey, shardPrefix.length + 1, dataKey.length);
  }

  /** {@code prefix 'd'}: the start of the shard's dedup table. */
  static byte[] dedupPrefix(byte[] shardPrefix) {
    return tagged(shardPrefix, DEDUP_TAG);
  }

  /** {@code prefix 'd' UTF-8(clientId) 0x00}: the start of one client's dedup rows. */
  static byte[] dedupClientPrefix(byte[] shardPrefix, String clientId) {
    checkNoNul(clientId, "client id");
    byte[] client = clientId.getBytes(UTF_8);
    return ByteBuffer.allocate(shardPrefix.length + 1 + client.length + 1)
        .put(shardPrefix).put(DEDUP_TAG).put(client).put((byte) 0).array();
  }

  static byte[] dedupKey(byte[] shardPrefix, String clientId, long seq) {
    byte[] clientPrefix = dedupClientPrefix(shardPrefix, clientId);
    return ByteBuffer.allocate(clientPrefix.length + Long.BYTES)
        .put(clientPrefix).putLong(seq).array();
  }

  /** {@code prefix 'p'} (prepared transactions) or {@code prefix 'r'} (records). */
  static byte[] txnPrefix(byte[] shardPrefix, byte tag) {
    Invariants.check(tag == PREPARED_TAG || tag == RECORD_TAG, "not a txn tag: %s", tag);
    return tagged(shardPrefix, tag);
  }

  static byte[] txnKey(byte[] shardPrefix, byte tag, String txnId) {
    byte[] id = txnId.getBytes(UTF_8);
    byte[] start = txnPrefix(shardPrefix, tag);
    return ByteBuffer.allocate(start.length + id.length).put(start).put(id).array();
  }

  static byte[] appliedKey(byte[] shardPrefix) {
    return tagged(shardPrefix, APPLIED_TAG);
  }

  static byte[] nodeMetaKey(String key) {
    byte[] k = key.getBytes(UTF_8);
    return ByteBuffer.allocate(1 + k.length).put(NODE_META_TAG).put(k).array();
  }

  /** {@code 's' prefix}: the start of one shard's meta rows. */
  static byte[] shardMetaPrefix(ShardId shard) {
    byte[] prefix = shardPrefix(shard);
    return ByteBuffer.allocate(1 + prefix.length).put(SHARD_META_TAG).put(prefix).array();
  }

  static byte[] shardMetaKey(ShardId shard, String key) {
    byte[] prefix = shardMetaPrefix(shard);
    byte[] k = key.getBytes(UTF_8);
    return ByteBuffer.allocate(prefix.length + k.length).put(prefix).put(k).array();
  }

  /**
   * The smallest key greater than every key that starts with {@code prefix}: an exclusive upper
   * bound for the range of the prefix. Every prefix used here has a byte below 0xFF (the shard
   * prefix holds a 0x00), so one always exists.
   */
  static byte[] successor(byte[] prefix) {
    for (int i = prefix.length - 1; i >= 0; i--) {
      if (prefix[i] != (byte) 0xFF) {
        byte[] next = Arrays.copyOf(prefix, i + 1);
        next[i]++;
        return next;
      }
    }
    throw new Invariants.InvariantViolation(
        "prefix has no successor: " + Arrays.toString(prefix));
  }

  private static byte[] tagged(byte[] shardPrefix, byte tag) {
    byte[] key = Arrays.copyOf(shardPrefix, shardPrefix.length + 1);
    key[shardPrefix.length] = tag;
    return key;
  }

  private static int indexOf(byte[] bytes, byte b) {
    for (int i = 0; i < bytes.length; i++) {
      if (bytes[i] == b) {
        return i;
      }
    }
    return -1;
  }

  private static void checkNoNul(String s, String what) {
    if (s.indexOf('\0') >= 0) {
      throw new IllegalArgumentException(
          what + " must not contain U+0000: " + s.replace('\0', '?'));
    }
  }
}
