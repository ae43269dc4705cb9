package io.bulwark.sim;

import io.bulwark.check.history.OpValue;
import io.bulwark.core.common.KeyspaceSpec;
import io.bulwark.core.common.ShardId;
import io.bulwark.core.pb.Op;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The run's keyspace: its keys ({@code k0, k1, ...}), which shard each lives on (the real
 * routing, {@code murmur3_32(key) mod shards}, DESIGN §2), and the translation of a history
 * operation into the core's {@link Op}.
 */
final class SimKeys {
  static final String KEYSPACE = "sim";

  private final KeyspaceSpec spec;
  private final List<String> names = new ArrayList<>();
  private final List<String> accounts = new ArrayList<>();
  private final List<String> txnKeys = new ArrayList<>();

  SimKeys(SimKnobs knobs) {
    this.spec = new KeyspaceSpec(KEYSPACE, KeyspaceSpec.Strategy.PRIMARY_BACKUP,
        knobs.replicationFactor, knobs.shards, knobs.replica.minInsync(), knobs.replica.acks());
    for (int i = 0; i < knobs.keys; i++) {
      names.add("k" + i);
    }
    for (int i = 0; i < knobs.accounts; i++) {
      accounts.add("a" + i);
    }
    for (int i = 0; i < knobs.txnKeys; i++) {
      txnKeys.add("t" + i);
    }
  }

  /** The bank's accounts (txn workload). */
  List<String> accounts() {
    return accounts;
  }

  /** The random transactions' keys (txn workload). */
  List<String> txnKeys() {
    return txnKeys;
  }

  List<String> names() {
    return names;
  }

  List<ShardId> shards() {
    List<ShardId> out = new ArrayList<>();
    for (int i = 0; i < spec.shards(); i++) {
      out.add(new ShardId(KEYSPACE, i));
    }
    return out;
  }

  ShardId shardOf(String key) {
    return new ShardId(KEYSPACE, spec.shardOf(bytes(key)));
  }

  byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** The core operation for a write or cas request. */
  Op op(SimClient.Request r) {
    byte[] key = bytes(r.key());
    if (r.value() instanceof OpValue.Cas cas) {
      return new Op.Cas(key, cas.expected() == null ? null : bytes(cas.expected()), -1,
          cas.newValue() == null ? null : bytes(cas.newValue()));
    }
    String v = ((OpValue.Scalar) r.value()).value();
    return v == null ? new Op.Delete(key) : new Op.Put(key, bytes(v));
  }
}
