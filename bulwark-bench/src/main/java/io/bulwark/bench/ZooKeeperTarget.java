package io.bulwark.bench;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.zookeeper.AsyncCallback;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Op;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.Stat;

/**
 * ZooKeeper through its Java client, one ZooKeeper session per bench client: a session's
 * requests are handled strictly in order, so sharing one would serialise the clients, which no
 * application does. Keys are znodes {@code /bench/KEY}, created by the preload.
 *
 * <p>put is {@code setData(path, value, -1)} on an existing znode (its asynchronous form in the
 * closed loop, as get's); get is the usual
 * "linearizable" recipe, {@code sync(path)} then {@code getData} (ZooKeeper does not strictly
 * promise linearizable reads even so). The sync is sent asynchronously and the read right behind
 * it: the session's order makes the read wait for the sync on the server, so the pair costs one
 * round trip, which is the best a ZooKeeper client can do. cas is getData then {@code setData}
 * with the version read; txn is two such getDatas, then one {@code multi} of the two versioned
 * {@code setData}s (atomic: both or neither).
 */
public final class ZooKeeperTarget implements Target {
  static final String ROOT = "/bench";
  /**
   * Explicit (STYLE P8): long enough that a session survives a leader's death while its client
   * reconnects to another server, which is what the failover bench measures.
   */
  static final int SESSION_TIMEOUT_MS = 10_000;
  static final long CONNECT_WAIT_MS = 30_000;

  private final String connectString;
  private final List<ZooKeeper> handles = new ArrayList<>();

  /** @param connectString {@code 127.0.0.1:P1,127.0.0.1:P2,...} */
  public ZooKeeperTarget(String connectString) {
    this.connectString = connectString;
  }

  @Override
  public String name() {
    return "zookeeper";
  }

  @Override
  public Session openSession(int index) throws Exception {
    ZooKeeper zk = connect();
    synchronized (this) {
      handles.add(zk);
    }
    if (index == 0) {
      try {
        zk.create(ROOT, new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
      } catch (KeeperException.NodeExistsException e) {
        // An earlier round made it.
      }
    }
    return new Session() {
      @Override
      public void load(byte[] key, byte[] value) throws Exception {
        try {
          zk.create(path(key), value, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        } catch (KeeperException.NodeExistsException e) {
          zk.setData(path(key), value, -1);
        }
      }

      @Override
      public void put(byte[] key, byte[] value) throws Exception {
        zk.setData(path(key), value, -1);
      }

      @Override
      public byte[] get(byte[] key) throws Exception {
        String p = path(key);
        SyncResult sync = new SyncResult();
        zk.sync(p, sync, null);
        byte[] data = zk.getData(p, false, null);
        sync.check();
        return data;
      }

      @Override
      public CompletionStage<Void> putAsync(byte[] key, byte[] value) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        zk.setData(path(key), value, -1, (rc, p, ctx, stat) -> complete(done, rc, p, null), null);
        return done;
      }

      @Override
      public CompletionStage<byte[]> getAsync(byte[] key) {
        String p = path(key);
        CompletableFuture<byte[]> done = new CompletableFuture<>();
        // The session answers in order: a failed sync's callback runs before the read's, and
        // fails the read (whose own completion is then ignored).
        zk.sync(p, (rc, path, ctx) -> {
          if (rc != KeeperException.Code.OK.intValue()) {
            complete(done, rc, path, null);
          }
        }, null);
        zk.getData(p, false, (rc, path, ctx, data, stat) -> complete(done, rc, path, data), null);
        return done;
      }

      @Override
      public boolean cas(byte[] key, byte[] value) throws Exception {
        String p = path(key);
        Stat stat = new Stat();
        zk.getData(p, false, stat);
        try {
          zk.setData(p, value, stat.getVersion());
          return true;
        } catch (KeeperException.BadVersionException e) {
          return false;
        }
      }

      @Override
      public boolean txn(byte[] first, byte[] second, byte[] value) throws Exception {
        String a = path(first);
        String b = path(second);
        Stat statA = new Stat();
        Stat statB = new Stat();
        zk.getData(a, false, statA);
        zk.getData(b, false, statB);
        try {
          zk.multi(List.of(Op.setData(a, value, statA.getVersion()),
              Op.setData(b, value, statB.getVersion())));
          return true;
        } catch (KeeperException.BadVersionException e) {
          return false;
        }
      }
    };
  }

  /**
   * The outcome of an asynchronous sync. Its reply arrives before the reply of the getData sent
   * after it (a session's replies come in order), but its callback runs on the client's event
   * thread, possibly just after getData returned; {@link #check} waits for it.
   */
  private static final class SyncResult implements AsyncCallback.VoidCallback {
    private final CountDownLatch done = new CountDownLatch(1);
    private volatile int rc;
    private volatile String path;

    @Override
    public void processResult(int rc, String path, Object ctx) {
      this.rc = rc;
      this.path = path;
      done.countDown();
    }

    void check() throws KeeperException, InterruptedException {
      if (!done.await(SESSION_TIMEOUT_MS, TimeUnit.MILLISECONDS)) {
        throw new BenchException("zookeeper: no reply to sync(" + path + ") within "
            + SESSION_TIMEOUT_MS + " ms after the read behind it was answered");
      }
      if (rc != KeeperException.Code.OK.intValue()) {
        throw KeeperException.create(KeeperException.Code.get(rc), path);
      }
    }
  }

  /** Completes {@code f} with {@code value}, or fails it with the KeeperException of rc. */
  private static <T> void complete(CompletableFuture<T> f, int rc, String path, T value) {
    if (rc == KeeperException.Code.OK.intValue()) {
      f.complete(value);
    } else {
      f.completeExceptionally(KeeperException.create(KeeperException.Code.get(rc), path));
    }
  }

  private ZooKeeper connect() throws Exception {
    CountDownLatch connected = new CountDownLatch(1);
    ZooKeeper zk = new ZooKeeper(connectString, SESSION_TIMEOUT_MS, event -> {
      if (event.getState() == Watcher.Event.KeeperState.SyncConnected) {
        connected.countDown();
      }
    });
    if (!connected.await(CONNECT_WAIT_MS, TimeUnit.MILLISECONDS)) {
      zk.close();
      throw new BenchException("zookeeper: no session with " + connectString + " within "
          + CONNECT_WAIT_MS + " ms");
    }
    return zk;
  }

  static String path(byte[] key) {
    return ROOT + "/" + new String(key, StandardCharsets.US_ASCII);
  }

  @Override
  public synchronized void close() {
    for (ZooKeeper zk : handles) {
      try {
        zk.close();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
    handles.clear();
  }
}
