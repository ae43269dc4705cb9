package io.bulwark.server;

import io.bulwark.coord.CasResult;
import io.bulwark.coord.Coordinator;
import io.bulwark.coord.NodeRecord;
import io.bulwark.core.common.KeyspaceSpec;
import io.bulwark.core.common.Limits;
import io.bulwark.core.detect.NodeHealth;
import io.bulwark.core.detect.HealthPolicy;
import io.bulwark.core.detect.HealthVerdict;
import io.bulwark.core.detect.Liveness;
import io.bulwark.core.pb.ReplicaOptions;
import io.bulwark.storage.NodeStore;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Bulwark node: storage, coordination, the replica loop, gRPC servers and the admin HTTP
 * server, wired together and started in dependency order (DESIGN §1). Start-up order matters:
 * replicas are recovered from the local log before the node watches shard configurations or
 * registers as live, so nothing is served from a half-recovered state.
 */
public final class NodeServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(NodeServer.class);
  private static final long MS = 1_000_000L;
  /**
   * How long a peer this node has never heard from may stay silent before it is suspected: the
   * order of the ZooKeeper session timeout, which bounds how soon such a node could be gone
   * anyway (DESIGN §6 needs both signals).
   */
  static final long FIRST_CONTACT_GRACE_MS = 10_000;

  private final NodeConfig cfg;
  private final NodeStore store;
  private final Coordinator coord;
  private final ReplicaLoop loop;
  private final LogWriter logWriter;
  private final PeerTransport transport;
  private final Controller controller;
  private final Server peerServer;
  private final Server clientServer;
  private final AdminHttp admin;
  private final FailureDetector detector;
  private final LivenessTracker liveness;
  private final HealthMonitor health;
  private final ExecutorService proposals;
  private final ShardCaller shardCaller;
  private final TxnRuntime txns;
  private final CountDownLatch closed = new CountDownLatch(1);

  private NodeServer(NodeConfig cfg) throws IOException {
    this.cfg = cfg;
    ReplicaOptions probe = options(cfg, new KeyspaceSpec(KeyspaceSpec.DEFAULT,
        KeyspaceSpec.Strategy.PRIMARY_BACKUP, 3, 16, 2, KeyspaceSpec.Acks.ALL));
    String unsafe = probe.validate();
    if (unsafe != null) {
      throw new NodeConfig.ConfigException("unsafe timing configuration: " + unsafe);
    }
    Files.createDirectories(cfg.dataDir());
    Metrics metrics = new Metrics();
    EventLog events = new EventLog(cfg.nodeId(), metrics);
    FatalHandler fatal = FatalHandler.exitProcess();
    store = NodeStore.open(cfg.dataDir().resolve("db"));
    coord = Coordinator.connect(cfg.zookeeper(), cfg.clusterName(),
        Duration.ofMillis(cfg.zookeeperSessionMs()), Duration.ofSeconds(15));
    ClusterView view = new ClusterView();
    // One guard, one reading of free space, for every way a write reaches this node's disk:
    // client writes at a primary (ClientService), transaction writes at a primary (ShardCaller)
    // and replicated entries at a backup (ReplicaLoop).
    DiskGuard disk = new DiskGuard(cfg.nodeId(), store::diskFreeBytes,
        cfg.health().thresholds().diskReserveBytes(), System::nanoTime, events::emit);
    loop = new ReplicaLoop(cfg.nodeId(), store, view::keyspace, spec -> options(cfg, spec),
        events, metrics, fatal, disk);
    logWriter = new LogWriter(store, loop::onDurable, metrics, fatal, cfg.testFsyncDelayMs());
    transport = new PeerTransport(cfg.nodeId(), view::peerAddress, loop::onMessage,
        loop::onPeerUnreachable);
    HealthSettings hs = cfg.health();
    detector = new FailureDetector(cfg.nodeId(), hs.phi(),
        () -> view.liveNodes().stream().map(NodeRecord::id).collect(Collectors.toList()),
        view::knownNodes, transport::heartbeat, FIRST_CONTACT_GRACE_MS * MS, events, metrics);
    transport.onArrival(detector::onArrival);
    liveness = new LivenessTracker(id -> view.liveNode(id) != null, detector::isSuspected,
        events::emit);
    health = new HealthMonitor(new HealthPolicy(hs.thresholds()),
        new ResourceSampler(store::diskFreeBytes, metrics.fsyncWindow()), coord::updateHealth,
        events, metrics);
    proposals = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "bulwark-proposals");
      t.setDaemon(true);
      return t;
    });
    loop.onDormant(new DormantPublisher(coord::updateDormant, proposals)::offer);
    loop.start(transport, logWriter, (shard, expected, next) -> proposals.execute(() -> {
      try {
        CasResult r = coord.casShardConfig(expected, next);
        loop.onProposalResult(shard, next, r.succeeded());
        if (r.succeeded()) {
          view.learn(next);
        } else if (r.current() != null) {
          loop.onConfig(r.current());
        }
      } catch (RuntimeException e) {
        LOG.warn("event=proposal-failed shard={} epoch={} reason=\"{}\"", shard, next.epoch(),
            e.getMessage());
        loop.onProposalResult(shard, next, false);
      }
    }));
    // Gone = no ZooKeeper session and suspected by phi accrual; degraded = what the node itself
    // publishes in its ZooKeeper record (DESIGN §6).
    controller = new Controller(coord, view, events, cfg.replaceAfterMs(), cfg.balanceAfterMs(),
        liveness, node -> {
          NodeRecord r = view.liveNode(node);
          return r != null && r.health() != NodeHealth.HEALTHY;
        });
    shardCaller = new ShardCaller(cfg.nodeId(), loop, view, disk);
    txns = new TxnRuntime(cfg.nodeId(), view::keyspace, shardCaller, events, metrics, cfg.txn(),
        fatal);
    loop.onTxnStale((shard, stale) -> txns.recover(shard, stale.txnId(), stale.recordKey()));
    view.start(coord, loop::onConfig,
        keyspace -> store.shards().stream().filter(s -> s.keyspace().equals(keyspace))
            .forEach(loop::drop));
    loop.recover();
    for (var c : view.shards()) {
      loop.onConfig(c);
    }
    peerServer = NettyServerBuilder.forAddress(socket(cfg.peerAddress()))
        .maxInboundMessageSize(PeerTransport.MESSAGE_BYTES_MAX)
        // Handlers only queue messages for the replica loop: run them on the network thread.
        .directExecutor()
        // Peers ping their streams every 10 s, also when idle, to notice a vanished peer.
        .permitKeepAliveTime(5, TimeUnit.SECONDS)
        .permitKeepAliveWithoutCalls(true)
        .addService(transport.service()).build().start();
    ClientService api = new ClientService(cfg.nodeId(), loop, view, coord, controller, disk,
        metrics, Limits.DEFAULT, txns, shardCaller);
    txns.start();
    // Room for the largest value plus its key and framing.
    int clientMessageMax = Limits.DEFAULT.valueSizeBytesMax() * 2 + (64 << 10);
    clientServer = NettyServerBuilder.forAddress(socket(cfg.clientAddress()))
        .maxInboundMessageSize(clientMessageMax)
        // Clients ping after 60 s of silence during a call; allow it rather than GOAWAY them.
        .permitKeepAliveTime(30, TimeUnit.SECONDS)
        // Handlers run on the network thread; admin calls hand their work to their own pool.
        .directExecutor()
        .addService(api).build().start();
    admin = new AdminHttp(cfg.adminAddress(), cfg.nodeId(), view, events, metrics,
        health::current, detector);
    coord.register(NodeRecord.healthy(cfg.nodeId(), cfg.clientAddress(), cfg.peerAddress(),
        cfg.adminAddress(), cfg.zone()));
    // After register: the monitor publishes by rewriting this node's znode.
    health.start(HealthSettings.SAMPLE_MS);
    detector.start(hs.heartbeatMs(), now -> liveness.update(
        view.knownNodes().stream().filter(id -> !id.equals(cfg.nodeId()))
            .collect(Collectors.toList()), now));
    coord.watchHandoverRequests(
        r -> loop.onHandoverRequest(r.shard(), r.epoch(), r.target()));
    coord.onControllerChange(controller::leading);
    events.emit("node-started", "client=" + cfg.clientAddress() + " peer=" + cfg.peerAddress()
        + " admin=" + cfg.adminAddress() + " data=" + cfg.dataDir());
  }

  /** Starts a node; throws with a clear message if its disk, ports or ZooKeeper are unusable. */
  public static NodeServer start(NodeConfig cfg) throws IOException {
    return new NodeServer(cfg);
  }

  static ReplicaOptions options(NodeConfig cfg, KeyspaceSpec spec) {
    return ReplicaOptions.defaults(spec.minInsync(), spec.acks())
        .withTimes(cfg.leaseMs() * MS, cfg.graceMs() * MS, cfg.beaconMs() * MS)
        .withTxnTimeout(cfg.txn().timeoutMs() * MS);
  }

  private static InetSocketAddress socket(String hostPort) {
    int colon = hostPort.lastIndexOf(':');
    return new InetSocketAddress(hostPort.substring(0, colon),
        Integer.parseInt(hostPort.substring(colon + 1)));
  }

  public NodeConfig config() {
    return cfg;
  }

  /** This node's resource-health verdict (DESIGN §6); HEALTHY before the first sample. */
  public HealthVerdict health() {
    return health.current();
  }

  /** Whether this node's phi-accrual failure detector suspects {@code nodeId}. */
  public boolean suspects(String nodeId) {
    return detector.isSuspected(nodeId);
  }

  /** Whether {@code nodeId} is gone: no membership znode and suspected (DESIGN §6). */
  public Liveness liveness(String nodeId) {
    return liveness.liveness(nodeId);
  }

  /** Blocks until {@link #close} has run. */
  public void awaitTermination() throws InterruptedException {
    closed.await();
  }

  @Override
  public void close() {
    if (closed.getCount() == 0) {
      return;
    }
    LOG.info("event=node-stopping node={}", cfg.nodeId());
    detector.close();
    health.close();
    clientServer.shutdownNow();
    peerServer.shutdownNow();
    admin.close();
    controller.close();
    coord.close();
    txns.close();
    shardCaller.close();
    loop.close();
    logWriter.close();
    transport.close();
    proposals.shutdownNow();
    try {
      clientServer.awaitTermination(2, TimeUnit.SECONDS);
      peerServer.awaitTermination(2, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    store.close();
    closed.countDown();
  }
}
