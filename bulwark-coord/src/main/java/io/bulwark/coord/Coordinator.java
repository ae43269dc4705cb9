package io.bulwark.coord;

import io.bulwark.core.common.Invariants;
import io.bulwark.core.common.KeyspaceSpec;
import io.bulwark.core.common.ShardConfig;
import io.bulwark.core.common.ShardId;
import io.bulwark.core.detect.NodeHealth;
import java.io.Closeable;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.curator.RetryLoop;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.api.transaction.CuratorOp;
import org.apache.curator.framework.recipes.cache.ChildData;
import org.apache.curator.framework.recipes.cache.CuratorCache;
import org.apache.curator.framework.recipes.cache.CuratorCacheListener;
import org.apache.curator.framework.recipes.leader.LeaderLatch;
import org.apache.curator.framework.recipes.leader.LeaderLatchListener;
import org.apache.curator.framework.recipes.nodes.PersistentNode;
import org.apache.curator.framework.state.StandardConnectionStateErrorPolicy;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One process's handle on the cluster's coordination state in ZooKeeper (DESIGN §2, §3 rules
 * 7-9, §6), through Apache Curator. Everything lives under {@code /bulwark/<cluster>}:
 * <ul>
 *   <li>{@code nodes/<id>} — membership: an ephemeral JSON {@link NodeRecord} per live node,
 *       re-created by Curator's {@link PersistentNode} after a session expiry;</li>
 *   <li>{@code controller} — a Curator {@link LeaderLatch}; registered nodes are candidates;</li>
 *   <li>{@code keyspaces/<name>} — a JSON {@link KeyspaceSpec};</li>
 *   <li>{@code shards/<keyspace>/<n>} — a JSON {@link ShardConfig}
 *       {@code {epoch, primary, backups[], learners[]}}, changed only by
 *       {@link #casShardConfig compare-and-set} on the znode version.</li>
 * </ul>
 *
 * <p><b>Threading.</b> Thread-safe. Listeners passed to {@code watch*} and {@code on*} methods
 * run on Curator's threads (the ZooKeeper event thread, or Curator's connection-state thread),
 * one event at a time per listener. They may call back into this object (no call here depends
 * on the event thread to complete), but every millisecond they block delays all other
 * notifications of this Coordinator: hand long work to your own executor. A listener that
 * throws is logged ({@code event=listener-failed}) and keeps receiving later events.
 *
 * <p><b>Blocking.</b> Every method except the {@code watch*}/{@code on*} registrations,
 * {@link #isController()} and {@link #updateHealth} performs ZooKeeper round trips and blocks
 * the caller. While ZooKeeper is unreachable a call gives up after about
 * {@code (RETRIES_MAX + 1) × (connectionTimeout + 1 s)} plus the back-offs (each at most
 * {@link #RETRY_SLEEP_MAX}); the extra second per attempt is the ZooKeeper client's random
 * pause before reconnecting. Tools that must answer quickly pass a short connection timeout.
 *
 * <p><b>Reads decide.</b> Every one-shot read ({@link #liveNodes}, {@link #keyspace},
 * {@link #keyspaces}, {@link #shardConfigs}, {@link #controllerId}) first calls ZooKeeper
 * {@code sync()}, so it sees every write completed before the call (DESIGN §3 rule 8);
 * {@link #readShardConfig} lets the caller choose.
 *
 * <p><b>Errors.</b> Expected outcomes are return values: {@code false}, {@link Optional#empty()},
 * a failed {@link CasResult}. {@link CoordinationException} means ZooKeeper was unreachable
 * (the message names the address), the call was interrupted (the interrupt flag is restored),
 * or a znode held malformed data. {@link IllegalArgumentException} and
 * {@link IllegalStateException} report misuse; {@link Invariants.InvariantViolation} reports a
 * broken contract (a bug).
 *
 * <p><b>Done.</b> A method that writes returns only after ZooKeeper has durably committed the
 * write (ZooKeeper acknowledges after a quorum has fsynced it), except
 * {@link #updateHealth} and {@link #updateDormant}, which are queued.
 */
public final class Coordinator implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Coordinator.class);

  /** Retries per ZooKeeper operation after a connection loss (Curator's retry loop). */
  public static final int RETRIES_MAX = 3;
  /** First back-off between retries; doubles (with jitter) up to {@link #RETRY_SLEEP_MAX}. */
  public static final Duration RETRY_BASE_SLEEP = Duration.ofMillis(100);
  public static final Duration RETRY_SLEEP_MAX = Duration.ofSeconds(1);
  /** Attempts to drop a keyspace while its shard configurations are being created. */
  public static final int DROP_ATTEMPTS_MAX = 5;

  private final String connectString;
  private final String cluster;
  private final ClusterPaths paths;
  private final Duration connectionTimeout;
  private final CuratorFramework client;
  private final List<Consumer<Boolean>> controllerListeners = new CopyOnWriteArrayList<>();

  private final Object lock = new Object();
  // Guarded by lock.
  private final List<CuratorCache> caches = new ArrayList<>();
  private NodeRecord self;
  private PersistentNode selfNode;
  /** Read by listeners without the lock, so Curator's threads never wait for a caller's. */
  private volatile String selfId;
  private volatile LeaderLatch latch;
  private volatile boolean closed;

  /**
   * Starts a Curator client for {@code cluster} and returns without waiting for the
   * connection; see {@link #blockUntilConnected} or use {@link #connect}.
   *
   * @param connectString ZooKeeper ensemble, {@code host:port,...}
   * @param cluster cluster name; paths are under {@code /bulwark/<cluster>}
   * @param sessionTimeout asked of ZooKeeper, which bounds it (by default to 2-20 ticks)
   * @param connectionTimeout how long one operation waits for a connection before it fails
   *     (and is retried up to {@link #RETRIES_MAX} times); keep it below the session timeout,
   *     as Curator advises, so an operation fails before the session it ran in is given up
   */
  public Coordinator(
      String connectString, String cluster, Duration sessionTimeout, Duration connectionTimeout) {
    this.connectString = Objects.requireNonNull(connectString, "connectString");
    this.cluster = Objects.requireNonNull(cluster, "cluster");
    this.paths = new ClusterPaths(cluster);
    this.connectionTimeout = Objects.requireNonNull(connectionTimeout, "connectionTimeout");
    this.client =
        CuratorFrameworkFactory.builder()
            .connectString(connectString)
            .sessionTimeoutMs(positiveMillis("sessionTimeout", sessionTimeout))
            .connectionTimeoutMs(positiveMillis("connectionTimeout", connectionTimeout))
            .retryPolicy(
                new ExponentialBackoffRetry(
                    (int) RETRY_BASE_SLEEP.toMillis(),
                    RETRIES_MAX,
                    (int) RETRY_SLEEP_MAX.toMillis()))
            // The operator's connect string is authoritative; we use no dynamic reconfig.
            .ensembleTracker(false)
            // SUSPENDED counts as lost for recipes: a controller stops leading as soon as its
            // connection is in doubt rather than when its session is known to be gone.
            .connectionStateErrorPolicy(new StandardConnectionStateErrorPolicy())
            .build();
    client
        .getConnectionStateListenable()
        .addListener(
            (c, state) ->
                LOG.info(
                    "event=zookeeper-connection state={} cluster={} zookeeper={}",
                    state,
                    cluster,
                    connectString));
    client.start();
  }

  /**
   * Starts a client and waits until it is connected.
   *
   * @throws CoordinationException "cannot reach ZooKeeper at ... within ..." on timeout (the
   *     client is closed)
   */
  public static Coordinator connect(
      String connectString, String cluster, Duration sessionTimeout, Duration connectTimeout) {
    Coordinator c = new Coordinator(connectString, cluster, sessionTimeout, connectTimeout);
    boolean connected = false;
    try {
      connected = c.blockUntilConnected(connectTimeout);
    } finally {
      if (!connected) {
        c.close();
      }
    }
    if (!connected) {
      throw new CoordinationException(
          "cannot reach ZooKeeper at "
              + connectString
              + " within "
              + CoordinationException.describe(connectTimeout));
    }
    return c;
  }

  public String cluster() {
    return cluster;
  }

  public String connectString() {
    return connectString;
  }

  // ---------------------------------------------------------------- connection

  /**
   * Waits until the client is connected to ZooKeeper.
   *
   * @return false if not connected within {@code timeout}
   * @throws CoordinationException if interrupted (the interrupt flag is restored)
   */
  public boolean blockUntilConnected(Duration timeout) {
    try {
      return client.blockUntilConnected(
          positiveMillis("timeout", timeout), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CoordinationException("interrupted while connecting to " + connectString, e);
    }
  }

  /**
   * Calls {@code listener} with {@code CONNECTED}, {@code SUSPENDED}, {@code RECONNECTED} or
   * {@code LOST} on every change of the connection state, on Curator's connection-state
   * thread. {@code LOST} means the session expired or is presumed expired; Curator then keeps
   * trying with a new session and reports {@code RECONNECTED}. Nodes keep serving through
   * these (DESIGN §3 rule 9): leases, not sessions, decide who serves.
   */
  public void onConnectionChange(Consumer<String> listener) {
    Objects.requireNonNull(listener, "listener");
    client
        .getConnectionStateListenable()
        .addListener((c, state) -> deliver("connection", listener, state.name()));
  }

  // ---------------------------------------------------------------- membership

  /**
   * Publishes this node as live at {@code nodes/<id>} (ephemeral) and enters the controller
   * election. The znode is re-created, with the latest {@link #updateHealth health}, whenever
   * it disappears while this Coordinator is open (e.g. after a session expiry); it is deleted
   * by {@link #close()}. If the znode exists from another session (typically this node's
   * previous process, whose session has not expired yet), it is overwritten and taken over
   * once that session ends; two live processes must never share an id.
   *
   * <p>Done: the znode exists (or was overwritten) and the latch node is being created.
   *
   * @throws IllegalStateException if this Coordinator already registered a node
   * @throws CoordinationException if the znode could not be written within the connection
   *     timeout; nothing stays registered
   */
  public void register(NodeRecord node) {
    Objects.requireNonNull(node, "node");
    synchronized (lock) {
      checkOpen();
      if (selfNode != null) {
        throw new IllegalStateException("already registered as node " + self.id());
      }
      String path = paths.node(node.id());
      warnIfOwnedElsewhere(path);
      PersistentNode created =
          new PersistentNode(client, CreateMode.EPHEMERAL, false, path, CoordJson.encodeNode(node));
      created.start();
      if (!awaitCreated(created)) {
        closeQuietly("membership node", created);
        throw new CoordinationException(
            "cannot register node "
                + node.id()
                + " at ZooKeeper "
                + connectString
                + " within "
                + CoordinationException.describe(connectionTimeout));
      }
      self = node;
      selfNode = created;
      selfId = node.id();
      latch = startLatch(node.id());
      LOG.info("event=node-registered node={} cluster={}", node.id(), cluster);
    }
  }

  private boolean awaitCreated(PersistentNode node) {
    try {
      return node.waitForInitialCreate(connectionTimeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      closeQuietly("membership node", node);
      throw new CoordinationException("interrupted while registering", e);
    }
  }

  private void warnIfOwnedElsewhere(String path) {
    Stat stat = call("checking " + path, () -> client.checkExists().forPath(path));
    if (stat != null) {
      LOG.warn(
          "event=node-id-in-use path={} owner_session=0x{} action=take-over-when-it-expires",
          path,
          Long.toHexString(stat.getEphemeralOwner()));
    }
  }

  private LeaderLatch startLatch(String id) {
    // NOTIFY_LEADER: closing tells our listeners "no longer controller".
    LeaderLatch l =
        new LeaderLatch(client, paths.controller(), id, LeaderLatch.CloseMode.NOTIFY_LEADER);
    l.addListener(
        new LeaderLatchListener() {
          @Override
          public void isLeader() {
            fireControllerChange(true);
          }

          @Override
          public void notLeader() {
            fireControllerChange(false);
          }
        });
    call("joining the controller election", () -> {
      l.start();
      return null;
    });
    return l;
  }

  private void fireControllerChange(boolean controller) {
    LOG.info("event=controller-change node={} controller={}", selfId, controller);
    for (Consumer<Boolean> l : controllerListeners) {
      deliver("controller", l, controller);
    }
  }

  /**
   * Replaces the health verdict published in this node's znode (a Curator {@code setData} on
   * its own ephemeral path). Done: queued; Curator writes it in the background when connected,
   * and re-creations after an expiry carry it.
   *
   * @param reason why, for people ("" when HEALTHY)
   * @param diskLow whether the controller must give this node no new replicas
   * @throws IllegalStateException if {@link #register} has not succeeded
   */
  public void updateHealth(NodeHealth health, String reason, boolean diskLow) {
    Objects.requireNonNull(health, "health");
    Objects.requireNonNull(reason, "reason");
    rewriteSelf("health", r -> r.withHealth(health, reason, diskLow));
  }

  /**
   * Replaces the list of shards this node holds dormant (data on disk, not a replica) in its
   * znode, which the controller reads to re-add it to them first. Done: queued, as
   * {@link #updateHealth}.
   *
   * @throws IllegalStateException if {@link #register} has not succeeded
   */
  public void updateDormant(List<ShardId> dormant) {
    Objects.requireNonNull(dormant, "dormant");
    rewriteSelf("dormant replicas", r -> r.withDormant(dormant));
  }

  private void rewriteSelf(String what, java.util.function.UnaryOperator<NodeRecord> change) {
    synchronized (lock) {
      checkOpen();
      if (selfNode == null) {
        throw new IllegalStateException("register the node before updating its " + what);
      }
      NodeRecord next = change.apply(self);
      byte[] data = CoordJson.encodeNode(next);
      call("updating " + what + " of " + next.id(), () -> {
        selfNode.setData(data);
        return null;
      });
      self = next;
    }
  }

  /** Live nodes (those with a {@code nodes/<id>} znode), sorted by id, after a sync. */
  public List<NodeRecord> liveNodes() {
    String parent = paths.nodes();
    sync(parent);
    List<NodeRecord> out = new ArrayList<>();
    for (String id : children(parent)) {
      String path = paths.node(id);
      read(path, null).ifPresent(data -> out.add(CoordJson.decodeNode(path, data)));
    }
    out.sort(Comparator.comparing(NodeRecord::id));
    return out;
  }

  /**
   * Calls {@code listener} with the full sorted list of live nodes once the current state is
   * loaded, then after every change (join, leave, health update). Runs on Curator's event
   * thread; malformed entries are logged and left out.
   */
  public void watchNodes(Consumer<List<NodeRecord>> listener) {
    Objects.requireNonNull(listener, "listener");
    String parent = paths.nodes();
    watchSnapshots(
        parent,
        "nodes",
        listener,
        cache -> decodeChildren(cache, parent, CoordJson::decodeNode, NodeRecord::id));
  }

  // ---------------------------------------------------------------- controller

  /** True while this node holds the controller latch. Non-blocking; false if not registered. */
  public boolean isController() {
    LeaderLatch l = latch;
    return l != null && l.hasLeadership();
  }

  /**
   * The id of the current controller (the latch participant with the lowest sequence), after a
   * sync; empty if no node is a candidate. Works without {@link #register} (e.g. for tools).
   */
  public Optional<String> controllerId() {
    String parent = paths.controller();
    sync(parent);
    List<String> candidates = new ArrayList<>(children(parent));
    candidates.sort(Comparator.comparingLong(Coordinator::sequenceOf));
    for (String child : candidates) {
      Optional<byte[]> id = read(parent + "/" + child, null);
      if (id.isPresent()) {
        return Optional.of(new String(id.get(), StandardCharsets.UTF_8));
      }
    }
    return Optional.empty();
  }

  /** The ZooKeeper sequence suffix of a latch node ({@code ..latch-0000000007}). */
  private static long sequenceOf(String child) {
    int dash = child.lastIndexOf('-');
    try {
      return Long.parseLong(child.substring(dash + 1));
    } catch (NumberFormatException e) {
      return Long.MAX_VALUE; // not a latch node: never the leader
    }
  }

  /**
   * Calls {@code listener} with true when this node becomes controller and false when it stops
   * being controller (including when the connection is suspended and on {@link #close()}).
   * Register listeners before {@link #register}, or read {@link #isController()} after adding
   * one: past changes are not replayed.
   */
  public void onControllerChange(Consumer<Boolean> listener) {
    controllerListeners.add(Objects.requireNonNull(listener, "listener"));
  }

  // ---------------------------------------------------------------- keyspaces

  /**
   * Stores {@code spec} at {@code keyspaces/<name>} unless a keyspace of that name exists.
   *
   * @return true if this call created it; false if it already existed (whatever its spec)
   * @throws IllegalArgumentException if {@link KeyspaceSpec#validate()} rejects the spec
   */
  public boolean createKeyspace(KeyspaceSpec spec) {
    Objects.requireNonNull(spec, "spec");
    String invalid = spec.validate();
    if (invalid != null) {
      throw new IllegalArgumentException(invalid);
    }
    String path = paths.keyspace(spec.name());
    String proposal = newProposal();
    byte[] data = CoordJson.encodeKeyspace(spec, proposal);
    boolean created =
        call("creating keyspace " + spec.name(), () -> {
          try {
            client.create().creatingParentsIfNeeded().withMode(CreateMode.PERSISTENT)
                .forPath(path, data);
            return true;
          } catch (KeeperException.NodeExistsException e) {
            return false;
          }
        });
    if (!created) {
      // A retried create whose first attempt succeeded also lands here: ours if it has our id.
      sync(path);
      created = readKeyspace(path).map(s -> s.proposal().equals(proposal)).orElse(false);
    }
    if (created) {
      LOG.info(
          "event=keyspace-created keyspace={} strategy={} replicas={} shards={}",
          spec.name(),
          CoordJson.strategyName(spec.strategy()),
          spec.replicas(),
          spec.shards());
    }
    return created;
  }

  /** The spec of keyspace {@code name}, after a sync; empty if there is none. */
  public Optional<KeyspaceSpec> keyspace(String name) {
    String path = paths.keyspace(checkName("keyspace", name));
    sync(path);
    return readKeyspace(path).map(CoordJson.Stored::value);
  }

  /** All keyspaces, sorted by name, after a sync. */
  public List<KeyspaceSpec> keyspaces() {
    String parent = paths.keyspaces();
    sync(parent);
    List<KeyspaceSpec> out = new ArrayList<>();
    for (String name : children(parent)) {
      readKeyspace(paths.keyspace(name)).ifPresent(s -> out.add(s.value()));
    }
    out.sort(Comparator.comparing(KeyspaceSpec::name));
    return out;
  }

  /**
   * Removes keyspace {@code name}'s spec and all its shard configurations in one ZooKeeper
   * transaction, so no reader sees a spec without configurations or the reverse. Retries, up
   * to {@link #DROP_ATTEMPTS_MAX} attempts, if configurations are created meanwhile.
   *
   * @return true if the spec existed when the call began (it is gone when the call returns)
   */
  public boolean dropKeyspace(String name) {
    String specPath = paths.keyspace(checkName("keyspace", name));
    String shardsPath = paths.shardsOf(name);
    Boolean existedAtStart = null;
    for (int attempt = 1; attempt <= DROP_ATTEMPTS_MAX; attempt++) {
      sync(paths.keyspaces());
      boolean specExists = exists(specPath);
      boolean shardsExist = exists(shardsPath);
      if (existedAtStart == null) {
        existedAtStart = specExists;
      }
      if (!specExists && !shardsExist) {
        return existedAtStart;
      }
      List<CuratorOp> ops = new ArrayList<>();
      if (shardsExist) {
        for (String child : children(shardsPath)) {
          ops.add(deleteOp(shardsPath + "/" + child));
        }
        ops.add(deleteOp(shardsPath));
      }
      if (specExists) {
        ops.add(deleteOp(specPath));
      }
      boolean dropped =
          call("dropping keyspace " + name, () -> {
            try {
              client.transaction().forOperations(ops);
              return true;
            } catch (KeeperException.NotEmptyException | KeeperException.NoNodeException e) {
              return false; // a configuration appeared or vanished meanwhile: look again
            }
          });
      if (dropped) {
        LOG.info("event=keyspace-dropped keyspace={} znodes={}", name, ops.size());
        return existedAtStart;
      }
    }
    throw new CoordinationException(
        "cannot drop keyspace "
            + name
            + ": its shard configurations kept changing over "
            + DROP_ATTEMPTS_MAX
            + " attempts");
  }

  private CuratorOp deleteOp(String path) {
    return call("preparing delete of " + path, () -> client.transactionOp().delete().forPath(path));
  }

  /**
   * Calls {@code listener} with all keyspaces, sorted by name, once loaded and after every
   * create or drop. Runs on Curator's event thread.
   */
  public void watchKeyspaces(Consumer<List<KeyspaceSpec>> listener) {
    Objects.requireNonNull(listener, "listener");
    String parent = paths.keyspaces();
    watchSnapshots(
        parent,
        "keyspaces",
        listener,
        cache ->
            decodeChildren(
                cache,
                parent,
                (path, data) -> CoordJson.decodeKeyspace(path, data).value(),
                KeyspaceSpec::name));
  }

  private Optional<CoordJson.Stored<KeyspaceSpec>> readKeyspace(String path) {
    return read(path, null).map(data -> CoordJson.decodeKeyspace(path, data));
  }

  // ---------------------------------------------------------------- shard configurations

  /**
   * Stores a shard's first configuration (normally epoch 1, chosen by the controller's
   * placement) at {@code shards/<keyspace>/<n>}, only if the shard has none. The write is
   * conditional on the keyspace's spec still existing.
   *
   * @return true if this call created it; false if a configuration already existed
   * @throws IllegalStateException if the keyspace does not exist (or was dropped meanwhile)
   * @throws IllegalArgumentException if the shard number is not below the keyspace's shards
   */
  public boolean createShardConfig(ShardConfig config) {
    Objects.requireNonNull(config, "config");
    ShardId id = config.shard();
    String keyspace = id.keyspace();
    KeyspaceSpec spec = keyspace(keyspace).orElseThrow(() -> noSuchKeyspace(keyspace));
    if (id.shard() >= spec.shards()) {
      throw new IllegalArgumentException(
          "shard " + id + " is out of range: keyspace " + keyspace + " has " + spec.shards()
              + " shards");
    }
    String parent = paths.shardsOf(keyspace);
    call("creating " + parent, () -> {
      try {
        client.create().creatingParentsIfNeeded().withMode(CreateMode.PERSISTENT).forPath(parent);
      } catch (KeeperException.NodeExistsException e) {
        // Expected after the first shard of a keyspace.
      }
      return null;
    });
    String path = paths.shard(id);
    String proposal = newProposal();
    byte[] data = CoordJson.encodeShardConfig(config, proposal);
    CuratorOp checkSpec =
        call("preparing check", () ->
            client.transactionOp().check().forPath(paths.keyspace(keyspace)));
    CuratorOp create =
        call("preparing create", () ->
            client.transactionOp().create().withMode(CreateMode.PERSISTENT).forPath(path, data));
    Boolean created =
        call("creating shard config " + id, () -> {
          try {
            client.transaction().forOperations(checkSpec, create);
            return true;
          } catch (KeeperException.NodeExistsException e) {
            return false;
          } catch (KeeperException.NoNodeException e) {
            return null;
          }
        });
    if (created == null) {
      throw noSuchKeyspace(keyspace);
    }
    if (!created) {
      // A retried create whose first attempt succeeded also lands here: ours if it has our id.
      sync(path);
      created =
          readShardConfigStored(id, path).map(s -> s.proposal().equals(proposal)).orElse(false);
    }
    if (created) {
      LOG.info(
          "event=shard-config-created shard={} epoch={} primary={} backups={} learners={}",
          id, config.epoch(), config.primary(), config.backups(), config.learners());
    }
    return created;
  }

  /**
   * The shard's current configuration; empty if it has none. With {@code syncFirst} the read
   * follows a ZooKeeper {@code sync()} and so reflects every write completed before the call:
   * use it for any read that decides something (DESIGN §3 rule 8). Without it, the read may
   * lag behind the ensemble's leader (never behind this session's own writes).
   */
  public Optional<ShardConfig> readShardConfig(ShardId shard, boolean syncFirst) {
    Objects.requireNonNull(shard, "shard");
    String path = paths.shard(shard);
    if (syncFirst) {
      sync(path);
    }
    return readShardConfigStored(shard, path).map(CoordJson.Stored::value);
  }

  /**
   * Replaces the shard's configuration of epoch {@code expectedEpoch} by {@code next}
   * (DESIGN §3 rules 5, 7, 8). Syncs, reads the configuration with its znode version, and
   * writes only if the stored epoch is {@code expectedEpoch}, conditionally on that version:
   * of several concurrent proposals for the same epoch, from any processes, exactly one
   * succeeds. A loser gets the configuration that won, read after a sync.
   *
   * <p>A write whose reply was lost is resolved, not guessed: the stored proposal id tells
   * whether the configuration now stored is ours. If even that cannot be learnt, the call
   * throws a {@link CoordinationException} with {@link CoordinationException#outcomeUnknown()}.
   *
   * @throws Invariants.InvariantViolation unless {@code next.epoch() == expectedEpoch + 1}
   */
  public CasResult casShardConfig(long expectedEpoch, ShardConfig next) {
    Objects.requireNonNull(next, "next");
    Invariants.check(
        next.epoch() == expectedEpoch + 1,
        "compare-and-set of %s must propose epoch %s, proposed %s",
        next.shard(), expectedEpoch + 1, next.epoch());
    return compareAndWrite(next, stored -> stored.epoch() == expectedEpoch);
  }

  /**
   * Replaces the learners of exactly {@code expected} — same epoch, primary, backups and
   * learners — keeping the epoch (DESIGN §3 rule 8: the controller edits learners only). Fails,
   * returning the current configuration, if anything changed since {@code expected} was read.
   * Same concurrency and lost-reply guarantees as {@link #casShardConfig}.
   */
  public CasResult setLearners(ShardConfig expected, List<String> learners) {
    Objects.requireNonNull(expected, "expected");
    ShardConfig next = new ShardConfig(expected.shard(), expected.epoch(), expected.primary(),
        expected.backups(), learners);
    return compareAndWrite(next, expected::equals);
  }

  /**
   * Writes {@code next} if the stored configuration satisfies {@code expected}, conditionally
   * on the znode version read after a sync, so concurrent writers cannot both win.
   */
  private CasResult compareAndWrite(ShardConfig next, Predicate<ShardConfig> expected) {
    ShardId id = next.shard();
    String path = paths.shard(id);
    sync(path);
    Stat stat = new Stat();
    Optional<CoordJson.Stored<ShardConfig>> current = readShardConfigStored(id, path, stat);
    if (current.isEmpty()) {
      return new CasResult(false, null);
    }
    if (!expected.test(current.get().value())) {
      LOG.debug("event=cas-stale shard={} proposed-epoch={} current-epoch={}",
          id, next.epoch(), current.get().value().epoch());
      return new CasResult(false, current.get().value());
    }
    String proposal = newProposal();
    byte[] data = CoordJson.encodeShardConfig(next, proposal);
    int version = stat.getVersion();
    boolean written;
    try {
      written =
          call("writing shard config " + id + " epoch " + next.epoch(), () -> {
            try {
              client.setData().withVersion(version).forPath(path, data);
              return true;
            } catch (KeeperException.BadVersionException | KeeperException.NoNodeException e) {
              return false;
            }
          });
    } catch (CoordinationException e) {
      return resolveUnknownCas(id, path, proposal, e);
    }
    if (written) {
      logCasWon(next);
      return new CasResult(true, next);
    }
    // Lost to a concurrent write, or our own retried write found its first attempt applied.
    sync(path);
    Optional<CoordJson.Stored<ShardConfig>> after = readShardConfigStored(id, path);
    if (after.isPresent() && after.get().proposal().equals(proposal)) {
      logCasWon(next);
      return new CasResult(true, after.get().value());
    }
    return new CasResult(false, after.map(CoordJson.Stored::value).orElse(null));
  }

  private CasResult resolveUnknownCas(
      ShardId id, String path, String proposal, CoordinationException cause) {
    if (Thread.currentThread().isInterrupted()) {
      throw new CoordinationException(
          "interrupted while writing shard config " + id + ": outcome unknown", cause, true);
    }
    try {
      sync(path);
      Optional<CoordJson.Stored<ShardConfig>> after = readShardConfigStored(id, path);
      boolean ours = after.isPresent() && after.get().proposal().equals(proposal);
      return new CasResult(ours, after.map(CoordJson.Stored::value).orElse(null));
    } catch (CoordinationException e) {
      e.addSuppressed(cause);
      throw new CoordinationException(
          "outcome unknown for compare-and-set of " + id + ": " + e.getMessage(), e, true);
    }
  }

  private static void logCasWon(ShardConfig c) {
    LOG.info(
        "event=shard-config-changed shard={} epoch={} primary={} backups={} learners={}",
        c.shard(), c.epoch(), c.primary(), c.backups(), c.learners());
  }

  /** Every configuration of {@code keyspace}, sorted by shard number, after a sync. */
  public List<ShardConfig> shardConfigs(String keyspace) {
    String parent = paths.shardsOf(checkName("keyspace", keyspace));
    sync(parent);
    List<ShardConfig> out = new ArrayList<>();
    for (String child : children(parent)) {
      ShardId id = paths.shardOf(parent + "/" + child);
      if (id != null) {
        readShardConfig(id, false).ifPresent(out::add);
      }
    }
    out.sort(Comparator.comparing(ShardConfig::shard));
    return out;
  }

  /**
   * Calls {@code listener} for every shard configuration that exists when the watch starts and
   * for every one created or changed afterwards, in every keyspace, on Curator's event thread.
   * Intermediate versions may be skipped if several writes land between two notifications;
   * each call carries the configuration as stored at that moment, and epochs of one shard only
   * grow. Dropped configurations are not reported (watch keyspaces for drops).
   */
  public void watchShardConfigs(Consumer<ShardConfig> listener) {
    Objects.requireNonNull(listener, "listener");
    CuratorCache cache = CuratorCache.build(client, paths.shards());
    cache
        .listenable()
        .addListener(
            CuratorCacheListener.builder()
                .forCreatesAndChanges((old, node) -> publishShardConfig(node, listener))
                .build());
    startCache(cache);
  }

  private void publishShardConfig(ChildData node, Consumer<ShardConfig> listener) {
    ShardId id = paths.shardOf(node.getPath());
    if (id == null) {
      return; // shards/ itself or a keyspace's parent znode
    }
    ShardConfig config;
    try {
      config = CoordJson.decodeShardConfig(id, node.getPath(), node.getData()).value();
    } catch (CoordinationException e) {
      LOG.error("event=malformed-znode path={} error={}", node.getPath(), e.getMessage());
      return;
    }
    deliver("shard-configs", listener, config);
  }

  private Optional<CoordJson.Stored<ShardConfig>> readShardConfigStored(ShardId id, String path) {
    return readShardConfigStored(id, path, null);
  }

  private Optional<CoordJson.Stored<ShardConfig>> readShardConfigStored(
      ShardId id, String path, Stat stat) {
    return read(path, stat).map(data -> CoordJson.decodeShardConfig(id, path, data));
  }

  private static IllegalStateException noSuchKeyspace(String keyspace) {
    return new IllegalStateException(
        "keyspace " + keyspace + " does not exist; create it before its shard configurations");
  }

  // ---------------------------------------------------------------- handover requests

  /**
   * Stores (or replaces) the handover request of {@code r.shard()} (DESIGN §3 rule 8). The
   * primary of exactly {@code r.epoch()} acts on it; see {@link HandoverRequest}.
   */
  public void requestHandover(HandoverRequest r) {
    Objects.requireNonNull(r, "request");
    String path = paths.handover(r.shard());
    byte[] data = CoordJson.encodeHandover(r);
    call("writing handover request " + path, () -> {
      try {
        client.create().creatingParentsIfNeeded().withMode(CreateMode.PERSISTENT)
            .forPath(path, data);
      } catch (KeeperException.NodeExistsException e) {
        client.setData().forPath(path, data);
      }
      return null;
    });
    LOG.info("event=handover-requested shard={} epoch={} target={} reason={}", r.shard(),
        r.epoch(), r.target(), r.reason());
  }

  /** Every stored handover request (after a sync). */
  public List<HandoverRequest> handoverRequests() {
    List<HandoverRequest> out = new ArrayList<>();
    String root = paths.handovers();
    sync(root);
    for (String keyspace : children(root)) {
      for (String n : children(root + "/" + keyspace)) {
        String path = root + "/" + keyspace + "/" + n;
        ShardId id = paths.handoverShardOf(path);
        if (id != null) {
          read(path, null).ifPresent(d -> out.add(CoordJson.decodeHandover(id, path, d)));
        }
      }
    }
    return out;
  }

  /** Deletes the handover request of {@code shard} if it is still {@code r} (else keeps it). */
  public void clearHandover(HandoverRequest r) {
    String path = paths.handover(r.shard());
    call("deleting handover request " + path, () -> {
      Stat stat = new Stat();
      try {
        byte[] data = client.getData().storingStatIn(stat).forPath(path);
        if (CoordJson.decodeHandover(r.shard(), path, data).equals(r)) {
          client.delete().withVersion(stat.getVersion()).forPath(path);
        }
      } catch (KeeperException.NoNodeException | KeeperException.BadVersionException e) {
        // Gone already, or replaced by a newer request: nothing to do.
      }
      return null;
    });
  }

  /**
   * Calls {@code listener} with every handover request that exists when the watch starts and
   * every one created or changed afterwards, on Curator's event thread.
   */
  public void watchHandoverRequests(Consumer<HandoverRequest> listener) {
    Objects.requireNonNull(listener, "listener");
    CuratorCache cache = CuratorCache.build(client, paths.handovers());
    cache.listenable().addListener(CuratorCacheListener.builder()
        .forCreatesAndChanges((old, node) -> {
          ShardId id = paths.handoverShardOf(node.getPath());
          if (id == null) {
            return;
          }
          try {
            deliver("handovers", listener,
                CoordJson.decodeHandover(id, node.getPath(), node.getData()));
          } catch (CoordinationException e) {
            LOG.error("event=malformed-znode path={} error={}", node.getPath(), e.getMessage());
          }
        })
        .build());
    startCache(cache);
  }

  // ---------------------------------------------------------------- watches

  /**
   * Runs a cache on {@code parent} and publishes {@code snapshot(cache)} once loaded and then
   * after every change that alters it (identical consecutive snapshots are published once).
   */
  private <T> void watchSnapshots(
      String parent,
      String what,
      Consumer<List<T>> listener,
      Function<CuratorCache, List<T>> snapshot) {
    CuratorCache cache = CuratorCache.build(client, parent);
    AtomicBoolean loaded = new AtomicBoolean();
    AtomicReference<List<T>> last = new AtomicReference<>();
    Runnable publish = () -> {
      List<T> now = snapshot.apply(cache);
      if (!now.equals(last.getAndSet(now))) {
        deliver(what, listener, now);
      }
    };
    cache
        .listenable()
        .addListener(
            CuratorCacheListener.builder()
                .forAll((type, old, node) -> {
                  if (loaded.get()) {
                    publish.run();
                  }
                })
                .forInitialized(() -> {
                  loaded.set(true);
                  publish.run();
                })
                .build());
    startCache(cache);
  }

  private static <T> List<T> decodeChildren(
      CuratorCache cache,
      String parent,
      BiFunction<String, byte[], T> decode,
      Function<T, String> sortKey) {
    Stream<ChildData> children =
        cache.stream().filter(d -> ClusterPaths.childName(parent, d.getPath()) != null);
    List<T> out = new ArrayList<>();
    for (ChildData d : children.collect(Collectors.toList())) {
      try {
        out.add(decode.apply(d.getPath(), d.getData()));
      } catch (CoordinationException | IllegalArgumentException e) {
        LOG.error("event=malformed-znode path={} error={}", d.getPath(), e.getMessage());
      }
    }
    out.sort(Comparator.comparing(sortKey));
    return List.copyOf(out);
  }

  private void startCache(CuratorCache cache) {
    synchronized (lock) {
      checkOpen();
      caches.add(cache);
      cache.start();
    }
  }

  private static <T> void deliver(String what, Consumer<T> listener, T value) {
    try {
      listener.accept(value);
    } catch (RuntimeException e) {
      LOG.error("event=listener-failed listener={}", what, e);
    }
  }

  // ---------------------------------------------------------------- ZooKeeper access

  @FunctionalInterface
  private interface ZkCall<T> {
    T call() throws Exception;
  }

  /**
   * Runs one ZooKeeper operation (which Curator retries on connection loss) and turns
   * unexpected failures into {@link CoordinationException}s naming {@code what}.
   */
  private <T> T call(String what, ZkCall<T> op) {
    checkOpen();
    try {
      return op.call();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CoordinationException("interrupted while " + what, e);
    } catch (KeeperException.ConnectionLossException
        | KeeperException.SessionExpiredException
        | KeeperException.OperationTimeoutException e) {
      throw new CoordinationException(
          "cannot reach ZooKeeper at "
              + connectString
              + " within "
              + CoordinationException.describe(connectionTimeout)
              + " (after "
              + RETRIES_MAX
              + " retries) while "
              + what,
          e);
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new CoordinationException(
          "ZooKeeper at " + connectString + " failed while " + what + ": " + e, e);
    }
  }

  /**
   * ZooKeeper {@code sync()}: after it, this session's reads see every write the ensemble's
   * leader had committed when the sync was issued. Uses the synchronous client call (not
   * Curator's background one) so that it also works from a listener on the event thread.
   */
  private void sync(String path) {
    call("syncing " + path, () ->
        RetryLoop.callWithRetry(client.getZookeeperClient(), () -> {
          client.getZookeeperClient().getZooKeeper().sync(path);
          return null;
        }));
  }

  /** The data at {@code path} (filling {@code stat} if given), or empty if there is none. */
  private Optional<byte[]> read(String path, Stat stat) {
    return Optional.ofNullable(
        call("reading " + path, () -> {
          try {
            return stat == null
                ? client.getData().forPath(path)
                : client.getData().storingStatIn(stat).forPath(path);
          } catch (KeeperException.NoNodeException e) {
            return null;
          }
        }));
  }

  private boolean exists(String path) {
    return call("checking " + path, () -> client.checkExists().forPath(path)) != null;
  }

  private List<String> children(String path) {
    return call("listing " + path, () -> {
      try {
        return client.getChildren().forPath(path);
      } catch (KeeperException.NoNodeException e) {
        return List.<String>of();
      }
    });
  }

  private static String newProposal() {
    return UUID.randomUUID().toString();
  }

  private static String checkName(String what, String name) {
    Objects.requireNonNull(name, what);
    if (name.isEmpty() || name.contains("/") || name.equals(".") || name.equals("..")) {
      throw new IllegalArgumentException(what + " name '" + name + "' is not a valid znode name");
    }
    return name;
  }

  private static int positiveMillis(String what, Duration d) {
    Objects.requireNonNull(d, what);
    long ms = d.toMillis();
    if (ms <= 0 || ms > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(what + " must be between 1 ms and ~24 days, was " + d);
    }
    return (int) ms;
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("coordinator for cluster " + cluster + " is closed");
    }
  }

  /** The current ZooKeeper session id, for tests of session expiry. */
  long sessionId() {
    return call("reading the session id", () ->
        client.getZookeeperClient().getZooKeeper().getSessionId());
  }

  // ---------------------------------------------------------------- close

  /**
   * Leaves the controller election (listeners hear {@code false} if this node was
   * controller), deletes this node's membership znode, stops every watch and closes the
   * session. Idempotent. Blocks while the deletes are attempted; if ZooKeeper is unreachable
   * the session's end removes the ephemeral znodes anyway, once ZooKeeper expires it.
   */
  @Override
  public void close() {
    List<CuratorCache> toClose;
    LeaderLatch l;
    PersistentNode node;
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
      toClose = new ArrayList<>(caches);
      caches.clear();
      l = latch;
      latch = null;
      node = selfNode;
      selfNode = null;
    }
    toClose.forEach(CuratorCache::close);
    if (l != null) {
      closeQuietly("controller latch", l);
    }
    if (node != null) {
      closeQuietly("membership node", node);
    }
    client.close();
    LOG.info("event=coordinator-closed cluster={}", cluster);
  }

  private static void closeQuietly(String what, Closeable c) {
    try {
      c.close();
    } catch (IOException | RuntimeException e) {
      // Not swallowed: logged, and harmless because closing the session removes what this
      // Coordinator created (its znodes are ephemeral).
      LOG.warn("event=close-failed what={} error={}", what, e.toString());
    }
  }
}
