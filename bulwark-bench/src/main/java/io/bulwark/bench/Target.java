package io.bulwark.bench;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * One system under test, as a client sees it: Bulwark, etcd or ZooKeeper. A target hands out
 * {@link Session}s, one per client thread of the load; how sessions share connections is the
 * target's choice and is documented on each implementation, because it changes what the peer is
 * asked to do (ZooKeeper orders every request of one session, for example).
 *
 * <p>Threading: {@link #openSession} and {@link #close} may be called from any thread; a session
 * is used by one thread at a time.
 */
public interface Target extends AutoCloseable {
  /** The system's name in reports: {@code bulwark}, {@code etcd}, {@code zookeeper}. */
  String name();

  /**
   * A session for one client thread.
   *
   * @param index the client's number, 0-based (targets may use it to spread connections)
   * @throws Exception if the session cannot be set up; the run fails
   */
  Session openSession(int index) throws Exception;

  /** Closes every connection this target opened. Idempotent. */
  @Override
  void close();

  /**
   * The operations of one client. Every method but the {@code ...Async} ones blocks until the
   * system acknowledges it, and throws if it did not succeed (the runner counts the throw as an
   * error); none retries beyond what the system's own client does.
   */
  interface Session extends AutoCloseable {
    /** Makes {@code key} exist with {@code value}; used to preload keys before a run. */
    default void load(byte[] key, byte[] value) throws Exception {
      put(key, value);
    }

    /** Writes {@code value} under an existing key, durably and replicated (acknowledged). */
    void put(byte[] key, byte[] value) throws Exception;

    /**
     * A linearizable read (or the system's closest recipe, documented by the target).
     *
     * @return the value, or null if absent
     */
    byte[] get(byte[] key) throws Exception;

    /**
     * {@link #put} without blocking the caller: the stage completes when the system acknowledges
     * the write, or fails with what put would throw. The default runs put on the calling thread;
     * targets override it with their client's asynchronous call, so that a closed loop of many
     * clients needs no thread parked per request.
     */
    default CompletionStage<Void> putAsync(byte[] key, byte[] value) {
      try {
        put(key, value);
        return CompletableFuture.completedFuture(null);
      } catch (Exception e) {
        return CompletableFuture.failedFuture(e);
      }
    }

    /** {@link #get} without blocking the caller; see {@link #putAsync}. */
    default CompletionStage<byte[]> getAsync(byte[] key) {
      try {
        return CompletableFuture.completedFuture(get(key));
      } catch (Exception e) {
        return CompletableFuture.failedFuture(e);
      }
    }

    /**
     * Reads the key's version, then writes {@code value} only if that version is still current.
     *
     * @return true if the write was applied, false if another write came in between
     */
    boolean cas(byte[] key, byte[] value) throws Exception;

    /**
     * Reads {@code first} and {@code second} (distinct keys), then writes {@code value} to both
     * atomically, only if neither changed since it was read.
     *
     * @return true if both writes were applied, false if the transaction lost a race
     */
    boolean txn(byte[] first, byte[] second, byte[] value) throws Exception;

    @Override
    default void close() throws Exception {}
  }
}
