package io.bulwark.bench;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.PutOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * etcd through jetcd. Sessions share jetcd {@link Client}s, one per {@value
 * #SESSIONS_PER_CLIENT} sessions (each a gRPC channel balancing over every member), as etcd's
 * own benchmark tool shares connections among its clients; a client per session would spend the
 * 2 cores on client threads.
 *
 * <p>put is a Put; get is a Range with {@code serializable = false} (etcd's default, set
 * explicitly here): a linearizable read through the leader's read index; cas is a get followed by
 * a Txn {@code if mod_revision == read then put}; txn is two such gets, then one Txn comparing
 * both mod_revisions and putting both keys.
 */
public final class EtcdTarget implements Target {
  static final int SESSIONS_PER_CLIENT = 16;
  /** Each call's bound; jetcd's own retries happen inside it. */
  static final long CALL_TIMEOUT_MS = 10_000;
  static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
  private static final GetOption LINEARIZABLE = GetOption.builder().withSerializable(false).build();

  private final List<String> endpoints;
  private final List<Client> clients = new ArrayList<>();

  /** @param endpoints client URLs, {@code http://127.0.0.1:P} */
  public EtcdTarget(List<String> endpoints) {
    this.endpoints = List.copyOf(endpoints);
  }

  @Override
  public String name() {
    return "etcd";
  }

  @Override
  public synchronized Session openSession(int index) {
    int slot = index / SESSIONS_PER_CLIENT;
    while (clients.size() <= slot) {
      clients.add(Client.builder().endpoints(endpoints.toArray(new String[0]))
          .connectTimeout(CONNECT_TIMEOUT).build());
    }
    KV kv = clients.get(slot).getKVClient();
    return new Session() {
      @Override
      public void put(byte[] key, byte[] value) throws Exception {
        await(kv.put(ByteSequence.from(key), ByteSequence.from(value), PutOption.DEFAULT));
      }

      @Override
      public byte[] get(byte[] key) throws Exception {
        GetResponse r = await(kv.get(ByteSequence.from(key), LINEARIZABLE));
        return r.getKvs().isEmpty() ? null : r.getKvs().get(0).getValue().getBytes();
      }

      @Override
      public CompletionStage<Void> putAsync(byte[] key, byte[] value) {
        return bounded(kv.put(ByteSequence.from(key), ByteSequence.from(value),
            PutOption.DEFAULT)).thenApply(r -> null);
      }

      @Override
      public CompletionStage<byte[]> getAsync(byte[] key) {
        return bounded(kv.get(ByteSequence.from(key), LINEARIZABLE)).thenApply(
            r -> r.getKvs().isEmpty() ? null : r.getKvs().get(0).getValue().getBytes());
      }

      @Override
      public boolean cas(byte[] key, byte[] value) throws Exception {
        ByteSequence k = ByteSequence.from(key);
        GetResponse r = await(kv.get(k, LINEARIZABLE));
        long modRevision = modRevision(r);
        return await(kv.txn()
            .If(new Cmp(k, Cmp.Op.EQUAL, CmpTarget.modRevision(modRevision)))
            .Then(Op.put(k, ByteSequence.from(value), PutOption.DEFAULT))
            .commit()).isSucceeded();
      }

      @Override
      public boolean txn(byte[] first, byte[] second, byte[] value) throws Exception {
        ByteSequence a = ByteSequence.from(first);
        ByteSequence b = ByteSequence.from(second);
        long revA = modRevision(await(kv.get(a, LINEARIZABLE)));
        long revB = modRevision(await(kv.get(b, LINEARIZABLE)));
        ByteSequence v = ByteSequence.from(value);
        return await(kv.txn()
            .If(new Cmp(a, Cmp.Op.EQUAL, CmpTarget.modRevision(revA)),
                new Cmp(b, Cmp.Op.EQUAL, CmpTarget.modRevision(revB)))
            .Then(Op.put(a, v, PutOption.DEFAULT), Op.put(b, v, PutOption.DEFAULT))
            .commit()).isSucceeded();
      }
    };
  }

  /** The key's mod_revision, 0 if absent (what a Cmp on an absent key compares with). */
  private static long modRevision(GetResponse r) {
    return r.getKvs().isEmpty() ? 0 : r.getKvs().get(0).getModRevision();
  }

  /** {@code f}, failed with a TimeoutException if unanswered after {@link #CALL_TIMEOUT_MS}. */
  private static <T> CompletableFuture<T> bounded(CompletableFuture<T> f) {
    return f.orTimeout(CALL_TIMEOUT_MS, TimeUnit.MILLISECONDS);
  }

  private static <T> T await(CompletableFuture<T> f) throws Exception {
    try {
      return f.get(CALL_TIMEOUT_MS, TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof Exception c ? c : e;
    } finally {
      f.cancel(false); // After a timeout: do not leave the call running.
    }
  }

  @Override
  public synchronized void close() {
    clients.forEach(Client::close);
    clients.clear();
  }
}
