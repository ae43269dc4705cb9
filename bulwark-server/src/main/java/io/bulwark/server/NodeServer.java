package io.bulwark.server;

import io.bulwark.coord.CasResult;
import io.bulwark.coord.Coordinator;
import io.bulwark.coord.NodeRecord;
import io.bulwark.core.common.KeyspaceSpec;
import io.bulwark.core.common.Limits;
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
  private final ExecutorService proposals;
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
    loop = new ReplicaLoop(cfg.nodeId(), store, view::keyspace, spec -> options(cfg, spec),
        events, metrics, fatal);
    logWriter = new LogWriter(store, loop::onDurable, metrics, fatal);
    transport = new PeerTransport(cfg.nodeId(), view::peerAddress, loop::onMessage);
    proposals = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "bulwark-proposals");
      t.setDaemon(true);
      return t;
    });
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
    // Gone = no ZooKeeper session; the failure detector may refine this (DESIGN §6).
    controller = new Controller(coord, view, events, cfg.replaceAfterMs(),
        node -> view.liveNode(node) == null,
        // Nobody is degraded until the health monitor publishes health (DESIGN §6).
        node -> false);
    view.start(coord, loop::onConfig,
        keyspace -> store.shards().stream().filter(s -> s.keyspace().equals(keyspace))
            .forEach(loop::drop));
    loop.recover();
    for (var c : view.shards()) {
      loop.onConfig(c);
    }
    peerServer = NettyServerBuilder.forAddress(socket(cfg.peerAddress()))
        .maxInboundMessageSize(PeerTransport.MESSAGE_BYTES_MAX)
        .addService(transport.service()).build().start();
    ClientService api = new ClientService(cfg.nodeId(), loop, view, coord, controller, store,
        metrics, Limits.DEFAULT);
    // Room for the largest value plus its key and framing.
    int clientMessageMax = Limits.DEFAULT.valueSizeBytesMax() * 2 + (64 << 10);
    clientServer = NettyServerBuilder.forAddress(socket(cfg.clientAddress()))
        .maxInboundMessageSize(clientMessageMax)
        // Clients ping after 60 s of silence during a call; allow it rather than GOAWAY them.
        .permitKeepAliveTime(30, TimeUnit.SECONDS)
        .addService(api).build().start();
    admin = new AdminHttp(cfg.adminAddress(), cfg.nodeId(), view, events, metrics,
        () -> "HEALTHY");
    coord.register(new NodeRecord(cfg.nodeId(), cfg.clientAddress(), cfg.peerAddress(),
        cfg.adminAddress(), cfg.zone(), "HEALTHY"));
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
        .withTimes(cfg.leaseMs() * MS, cfg.graceMs() * MS, cfg.beaconMs() * MS);
  }

  private static InetSocketAddress socket(String hostPort) {
    int colon = hostPort.lastIndexOf(':');
    return new InetSocketAddress(hostPort.substring(0, colon),
        Integer.parseInt(hostPort.substring(colon + 1)));
  }

  public NodeConfig config() {
    return cfg;
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
    clientServer.shutdownNow();
    peerServer.shutdownNow();
    admin.close();
    controller.close();
    coord.close();
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
