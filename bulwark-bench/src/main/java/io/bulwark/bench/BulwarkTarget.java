package io.bulwark.bench;

import io.bulwark.client.BulwarkClient;
import io.bulwark.client.ClientOptions;
import io.bulwark.client.Transaction;
import io.bulwark.client.TransactionAbortedException;
import io.bulwark.client.VersionedValue;
import io.bulwark.client.WriteResult;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * Bulwark through its Java client. Every session shares one {@link BulwarkClient}: the client is
 * built to be shared (thread-safe, one gRPC channel per node, requests multiplexed), which is how
 * an application uses it.
 *
 * <p>put is {@link BulwarkClient#put} ({@link BulwarkClient#putAsync} in the closed loop); get is
 * {@link BulwarkClient#get} ({@link BulwarkClient#getAsync}), a lease read at the shard's primary
 * (linearizable); cas is a get followed by {@link
 * BulwarkClient#compareAndSetVersion} with the version read; txn is a {@link Transaction} that
 * reads both keys and writes both (two-phase commit when they are in different shards; an abort
 * is a lost race, not retried). Durability is the keyspace's (the
 * bench uses RF 3, acks all).
 */
public final class BulwarkTarget implements Target {
  /**
   * Explicit, not the client's defaults (STYLE P8): 10 s per call including retries, 2 s per
   * attempt, backoff 10..500 ms.
   */
  static final ClientOptions OPTIONS = new ClientOptions(Duration.ofSeconds(10),
      Duration.ofSeconds(2), Duration.ofMillis(10), Duration.ofMillis(500));

  private final BulwarkClient client;
  private final String keyspace;

  public BulwarkTarget(List<String> endpoints, String keyspace) {
    this.client = BulwarkClient.connect(endpoints, OPTIONS);
    this.keyspace = keyspace;
  }

  @Override
  public String name() {
    return "bulwark";
  }

  @Override
  public Session openSession(int index) {
    return new Session() {
      @Override
      public void put(byte[] key, byte[] value) {
        client.put(keyspace, key, value);
      }

      @Override
      public byte[] get(byte[] key) {
        Optional<VersionedValue> v = client.get(keyspace, key);
        return v.map(VersionedValue::value).orElse(null);
      }

      @Override
      public CompletionStage<Void> putAsync(byte[] key, byte[] value) {
        return client.putAsync(keyspace, key, value).thenApply(r -> null);
      }

      @Override
      public CompletionStage<byte[]> getAsync(byte[] key) {
        return client.getAsync(keyspace, key)
            .thenApply(v -> v.map(VersionedValue::value).orElse(null));
      }

      @Override
      public boolean cas(byte[] key, byte[] value) {
        long version = client.get(keyspace, key).map(VersionedValue::version).orElse(0L);
        WriteResult r = client.compareAndSetVersion(keyspace, key, version, value);
        return r.applied();
      }

      @Override
      public boolean txn(byte[] first, byte[] second, byte[] value) {
        Transaction tx = client.begin(keyspace);
        tx.get(first);
        tx.get(second);
        tx.put(first, value);
        tx.put(second, value);
        try {
          tx.commit();
          return true;
        } catch (TransactionAbortedException e) {
          return false;
        }
      }
    };
  }

  @Override
  public void close() {
    client.close();
  }
}
