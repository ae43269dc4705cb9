package io.bulwark.coord;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bulwark.core.common.Invariants.InvariantViolation;
import io.bulwark.core.common.KeyspaceSpec;
import io.bulwark.core.common.KeyspaceSpec.Acks;
import io.bulwark.core.common.KeyspaceSpec.Strategy;
import io.bulwark.core.common.ShardConfig;
import io.bulwark.core.common.ShardId;
import io.bulwark.core.detect.NodeHealth;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.zookeeper.data.Stat;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Goal: the coordination contract of DESIGN §2 and §3 rules 7-9 holds against a real
 * ZooKeeper: membership with ephemeral znodes that survive session expiry, one controller at a
 * time with takeover, keyspace specs, create-if-absent shard configurations, and
 * compare-and-set where exactly one of concurrent proposals wins.
 *
 * <p>Method: one {@link EmbeddedZooKeeper} on an ephemeral loopback port for the class; each
 * test works in its own cluster name (its own {@code /bulwark/<cluster>} tree) with several
 * {@link Coordinator}s, i.e. several ZooKeeper sessions, as separate nodes would. Waits are on
 * named conditions with deadlines ({@link Eventually}); session expiry is caused by closing the
 * session on the server, as ZooKeeper's own expiry does.
 */
class CoordinatorTest {
  /** The least the embedded server allows with its default 2 s tick. */
  private static final Duration SESSION = Duration.ofSeconds(4);
  /** Below the session timeout, as Curator advises. */
  private static final Duration CONNECT = Duration.ofSeconds(3);
  private static final AtomicInteger CLUSTERS = new AtomicInteger();

  @TempDir static Path zkDir;
  private static EmbeddedZooKeeper zk;

  private final List<AutoCloseable> opened = new ArrayList<>();
  private String cluster;

  @BeforeAll
  static void startZooKeeper() {
    zk = new EmbeddedZooKeeper(zkDir, 0);
  }

  @AfterAll
  static void stopZooKeeper() {
    zk.close();
  }

  @BeforeEach
  void newCluster() {
    cluster = "c" + CLUSTERS.incrementAndGet();
  }

  @AfterEach
  void closeAll() throws Exception {
    for (AutoCloseable c : opened) {
      c.close();
    }
  }

  private Coordinator open() {
    Coordinator c = Coordinator.connect(zk.connectString(), cluster, SESSION, CONNECT);
    opened.add(c);
    return c;
  }

  private static NodeRecord node(String id) {
    return NodeRecord.healthy(id, "127.0.0.1:1", "127.0.0.1:2", "127.0.0.1:3", "");
  }

  private static KeyspaceSpec spec(String name, int shards) {
    return new KeyspaceSpec(name, Strategy.PRIMARY_BACKUP, 2, shards, 2, Acks.ALL);
  }

  private static ShardConfig config(ShardId id, long epoch, String primary, String... backups) {
    return new ShardConfig(id, epoch, primary, List.of(backups), List.of());
  }

  // ------------------------------------------------------------------ membership

  @Test
  void register_publishesTheNode_andCloseRemovesItsEphemeralZnode() {
    Coordinator a = open();
    Coordinator observer = open();
    NodeRecord n1 = node("n1");
    a.register(n1);
    assertEquals(List.of(n1), observer.liveNodes());
    a.close();
    assertEquals(List.of(), observer.liveNodes());
  }

  @Test
  void watchNodes_seesJoinHealthChangeAndLeave() throws Exception {
    Coordinator a = open();
    Coordinator observer = open();
    BlockingQueue<List<NodeRecord>> seen = new LinkedBlockingQueue<>();
    observer.watchNodes(seen::add);
    Eventually.awaitEvent("initial empty membership", seen, List::isEmpty);
    a.register(node("n1"));
    Eventually.awaitEvent("n1 joined", seen, l -> l.equals(List.of(node("n1"))));
    a.updateHealth(NodeHealth.DEGRADED, "disk-low: 1 MiB free", true);
    Eventually.awaitEvent("n1 degraded", seen, l -> l.equals(
        List.of(node("n1").withHealth(NodeHealth.DEGRADED, "disk-low: 1 MiB free", true))));
    List<ShardId> dormant = List.of(new ShardId("default", 2));
    a.updateDormant(dormant);
    Eventually.awaitEvent("n1 holds default/2 dormant, still degraded", seen, l -> l.equals(
        List.of(node("n1").withHealth(NodeHealth.DEGRADED, "disk-low: 1 MiB free", true)
            .withDormant(dormant))));
    a.close();
    Eventually.awaitEvent("n1 left", seen, List::isEmpty);
  }

  @Test
  void registerTwice_orUpdateHealthBeforeRegister_isMisuse() {
    Coordinator a = open();
    assertThrows(IllegalStateException.class, () -> a.updateHealth(NodeHealth.HEALTHY, "", false));
    a.register(node("n1"));
    assertThrows(IllegalStateException.class, () -> a.register(node("n2")));
  }

  @Test
  void sessionExpiry_recreatesTheEphemeralZnodeWithTheLatestHealth_andRejoinsTheElection()
      throws Exception {
    Coordinator a = open();
    Coordinator observer = open();
    BlockingQueue<String> states = new LinkedBlockingQueue<>();
    a.onConnectionChange(states::add);
    a.register(node("n1"));
    a.updateHealth(NodeHealth.DEGRADED, "gc-pauses", false);
    NodeRecord degraded = node("n1").withHealth(NodeHealth.DEGRADED, "gc-pauses", false);
    Eventually.await("health update visible", () -> observer.liveNodes().equals(List.of(degraded)));
    Eventually.await("n1 is controller", a::isController);
    long before = a.sessionId();

    zk.expireSession(before);

    Eventually.awaitEvent("session LOST", states, "LOST"::equals);
    Eventually.awaitEvent("RECONNECTED with a new session", states, "RECONNECTED"::equals);
    String path = "/bulwark/" + cluster + "/nodes/n1";
    try (CuratorFramework raw =
        CuratorFrameworkFactory.newClient(zk.connectString(), new RetryOneTime(100))) {
      raw.start();
      Eventually.await("nodes/n1 owned by the new session", () -> {
        long now = a.sessionId();
        Stat stat = exists(raw, path);
        return now != before && stat != null && stat.getEphemeralOwner() == now;
      });
    }
    assertEquals(List.of(degraded), observer.liveNodes());
    Eventually.await("n1 is controller again", a::isController);
    assertEquals(Optional.of("n1"), observer.controllerId());
  }

  private static Stat exists(CuratorFramework raw, String path) {
    try {
      return raw.checkExists().forPath(path);
    } catch (Exception e) {
      throw new CoordinationException("test read of " + path + " failed", e);
    }
  }

  // ------------------------------------------------------------------ controller

  @Test
  void exactlyOneOfTwoIsController_andTheOtherTakesOverWhenItCloses() throws Exception {
    Coordinator a = open();
    Coordinator b = open();
    Coordinator observer = open();
    assertEquals(Optional.empty(), observer.controllerId());
    BlockingQueue<Boolean> aEvents = new LinkedBlockingQueue<>();
    BlockingQueue<Boolean> bEvents = new LinkedBlockingQueue<>();
    a.onControllerChange(aEvents::add);
    b.onControllerChange(bEvents::add);
    a.register(node("n1"));
    b.register(node("n2"));
    Eventually.await("exactly one controller", () -> a.isController() ^ b.isController());
    Coordinator leader = a.isController() ? a : b;
    Coordinator follower = leader == a ? b : a;
    BlockingQueue<Boolean> leaderEvents = leader == a ? aEvents : bEvents;
    String leaderId = leader == a ? "n1" : "n2";
    String followerId = leader == a ? "n2" : "n1";
    assertEquals(Optional.of(leaderId), observer.controllerId());
    assertFalse(follower.isController());
    Eventually.awaitEvent("leader told it leads", leaderEvents, Boolean::booleanValue);

    leader.close();

    Eventually.await("follower takes over", follower::isController);
    assertEquals(Optional.of(followerId), observer.controllerId());
    Eventually.awaitEvent("old leader told it stopped", leaderEvents, e -> !e);
    assertFalse(observer.isController(), "an unregistered coordinator never leads");
  }

  // ------------------------------------------------------------------ keyspaces

  @Test
  void keyspaces_createDuplicateListAndDrop() {
    Coordinator a = open();
    Coordinator b = open();
    KeyspaceSpec orders = spec("orders", 4);
    KeyspaceSpec users = new KeyspaceSpec("users", Strategy.MULTI_PRIMARY, 3, 8, 2, Acks.PRIMARY);
    assertTrue(a.createKeyspace(orders));
    assertFalse(a.createKeyspace(orders), "duplicate");
    assertFalse(b.createKeyspace(spec("orders", 16)), "same name, other spec");
    assertTrue(b.createKeyspace(users));
    assertEquals(List.of(orders, users), a.keyspaces());
    assertEquals(Optional.of(orders), b.keyspace("orders"));
    assertEquals(Optional.empty(), b.keyspace("missing"));

    for (ShardConfig c : Placement.initialConfigs(List.of("n1", "n2", "n3"), orders)) {
      assertTrue(a.createShardConfig(c));
    }
    assertEquals(4, b.shardConfigs("orders").size());

    assertTrue(b.dropKeyspace("orders"));
    assertEquals(Optional.empty(), a.keyspace("orders"));
    assertEquals(List.of(), a.shardConfigs("orders"), "drop removes shard configs too");
    assertFalse(a.dropKeyspace("orders"), "already dropped");
    assertEquals(List.of(users), a.keyspaces());

    assertTrue(a.createKeyspace(orders), "a dropped name can be created again");
    assertEquals(List.of(), a.shardConfigs("orders"), "and starts without configurations");
  }

  @Test
  void invalidKeyspaceSpec_isRefusedWithTheLimitInTheMessage() {
    Coordinator a = open();
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> a.createKeyspace(spec("ks", 0)));
    assertTrue(e.getMessage().contains("shards"), e.getMessage());
    assertEquals(List.of(), a.keyspaces());
  }

  @Test
  void watchKeyspaces_seesCreateAndDrop() throws Exception {
    Coordinator a = open();
    Coordinator observer = open();
    BlockingQueue<List<KeyspaceSpec>> seen = new LinkedBlockingQueue<>();
    observer.watchKeyspaces(seen::add);
    Eventually.awaitEvent("initially none", seen, List::isEmpty);
    a.createKeyspace(spec("ks", 2));
    Eventually.awaitEvent("ks created", seen, l -> l.equals(List.of(spec("ks", 2))));
    a.dropKeyspace("ks");
    Eventually.awaitEvent("ks dropped", seen, List::isEmpty);
  }

  // ------------------------------------------------------------------ shard configurations

  @Test
  void createShardConfig_onlyIfAbsent() {
    Coordinator a = open();
    Coordinator b = open();
    a.createKeyspace(spec("ks", 2));
    ShardId id = new ShardId("ks", 0);
    assertEquals(Optional.empty(), b.readShardConfig(id, true));
    ShardConfig first = config(id, 1, "n1", "n2");
    assertTrue(a.createShardConfig(first));
    assertFalse(b.createShardConfig(config(id, 1, "n2", "n1")), "a second first config loses");
    assertEquals(Optional.of(first), b.readShardConfig(id, true));
    assertEquals(Optional.of(first), b.readShardConfig(id, false));
    assertEquals(List.of(first), b.shardConfigs("ks"));
  }

  @Test
  void createShardConfig_needsTheKeyspace_andAShardInRange() {
    Coordinator a = open();
    ShardId missing = new ShardId("nope", 0);
    assertThrows(IllegalStateException.class, () -> a.createShardConfig(config(missing, 1, "n1")));
    a.createKeyspace(spec("ks", 2));
    ShardId outOfRange = new ShardId("ks", 2);
    assertThrows(
        IllegalArgumentException.class, () -> a.createShardConfig(config(outOfRange, 1, "n1")));
  }

  @Test
  void cas_succeedsOnTheExpectedEpoch_andAStaleOneFailsWithTheCurrentConfig() {
    Coordinator a = open();
    Coordinator b = open();
    a.createKeyspace(spec("ks", 1));
    ShardId id = new ShardId("ks", 0);
    a.createShardConfig(config(id, 1, "n1", "n2"));

    ShardConfig second = config(id, 2, "n2");
    CasResult won = a.casShardConfig(1, second);
    assertTrue(won.succeeded());
    assertEquals(second, won.current());

    CasResult stale = b.casShardConfig(1, config(id, 2, "n1"));
    assertFalse(stale.succeeded());
    assertEquals(second, stale.current(), "the loser learns the configuration that won");

    CasResult ahead = b.casShardConfig(5, config(id, 6, "n1"));
    assertFalse(ahead.succeeded());
    assertEquals(second, ahead.current());
    assertEquals(Optional.of(second), b.readShardConfig(id, true));
  }

  @Test
  void cas_mustProposeTheNextEpoch_andNeedsAConfigToReplace() {
    Coordinator a = open();
    ShardId id = new ShardId("ks", 0);
    assertThrows(InvariantViolation.class, () -> a.casShardConfig(1, config(id, 3, "n1")));
    CasResult absent = a.casShardConfig(1, config(id, 2, "n1"));
    assertFalse(absent.succeeded());
    assertNull(absent.current());
  }

  @Test
  void concurrentCasOnTheSameEpochFromTwoSessions_exactlyOneWinsEveryRound() throws Exception {
    Coordinator a = open();
    Coordinator b = open();
    a.createKeyspace(spec("ks", 1));
    ShardId id = new ShardId("ks", 0);
    a.createShardConfig(config(id, 1, "n1", "n2"));
    int rounds = 100;
    int aWins = 0;
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      for (int round = 0; round < rounds; round++) {
        long epoch = 1 + round;
        ShardConfig fromA = config(id, epoch + 1, "n1", "n2");
        ShardConfig fromB = config(id, epoch + 1, "n2", "n1");
        CyclicBarrier start = new CyclicBarrier(2);
        Future<CasResult> ra = pool.submit(() -> {
          start.await();
          return a.casShardConfig(epoch, fromA);
        });
        Future<CasResult> rb = pool.submit(() -> {
          start.await();
          return b.casShardConfig(epoch, fromB);
        });
        CasResult resultA = ra.get(CONNECT.toSeconds(), TimeUnit.SECONDS);
        CasResult resultB = rb.get(CONNECT.toSeconds(), TimeUnit.SECONDS);
        assertTrue(
            resultA.succeeded() ^ resultB.succeeded(),
            "round " + round + ": a=" + resultA + " b=" + resultB);
        ShardConfig winner = resultA.succeeded() ? fromA : fromB;
        assertEquals(winner, resultA.current(), "round " + round);
        assertEquals(winner, resultB.current(), "round " + round);
        aWins += resultA.succeeded() ? 1 : 0;
      }
    } finally {
      pool.shutdownNow();
    }
    assertEquals(1 + rounds, a.readShardConfig(id, true).orElseThrow().epoch());
    // Informational: which side wins is up to the scheduler.
    System.out.println("concurrent CAS: a won " + aWins + " of " + rounds);
  }

  @Test
  void watchShardConfigs_seesExistingConfigsCreatesAndCas() throws Exception {
    Coordinator a = open();
    Coordinator observer = open();
    a.createKeyspace(spec("ks", 2));
    ShardId s0 = new ShardId("ks", 0);
    ShardId s1 = new ShardId("ks", 1);
    a.createShardConfig(config(s0, 1, "n1", "n2"));
    BlockingQueue<ShardConfig> seen = new LinkedBlockingQueue<>();
    observer.watchShardConfigs(seen::add);
    Eventually.awaitEvent("existing s0", seen, c -> c.equals(config(s0, 1, "n1", "n2")));
    a.createShardConfig(config(s1, 1, "n2", "n1"));
    Eventually.awaitEvent("created s1", seen, c -> c.equals(config(s1, 1, "n2", "n1")));
    assertTrue(a.casShardConfig(1, config(s0, 2, "n2")).succeeded());
    Eventually.awaitEvent("s0 epoch 2", seen, c -> c.equals(config(s0, 2, "n2")));
  }

  @Test
  void aListenerMayCallBackIntoTheCoordinator_evenForSyncedReads() throws Exception {
    // sync() must not need Curator's event thread, on which this listener runs; otherwise this
    // read would wait for itself until its timeout.
    Coordinator a = open();
    Coordinator observer = open();
    a.createKeyspace(spec("ks", 1));
    ShardId s0 = new ShardId("ks", 0);
    BlockingQueue<Optional<ShardConfig>> reads = new LinkedBlockingQueue<>();
    observer.watchShardConfigs(c -> reads.add(observer.readShardConfig(c.shard(), true)));
    a.createShardConfig(config(s0, 1, "n1"));
    Eventually.awaitEvent(
        "synced read from the listener", reads, r -> r.equals(Optional.of(config(s0, 1, "n1"))));
  }

  // ------------------------------------------------------------------ connection

  @Test
  void unreachableZooKeeper_isAClearError() throws IOException {
    String address = "127.0.0.1:" + freePort();
    CoordinationException e =
        assertThrows(
            CoordinationException.class,
            () -> Coordinator.connect(address, cluster, SESSION, Duration.ofSeconds(1)));
    assertEquals("cannot reach ZooKeeper at " + address + " within 1 s", e.getMessage());

    try (Coordinator c = new Coordinator(address, cluster, SESSION, Duration.ofMillis(300))) {
      assertFalse(c.blockUntilConnected(Duration.ofMillis(100)));
      CoordinationException read = assertThrows(CoordinationException.class, c::keyspaces);
      assertTrue(
          read.getMessage().startsWith("cannot reach ZooKeeper at " + address), read.getMessage());
    }
  }

  @Test
  void callsAfterClose_areMisuse() {
    Coordinator a = open();
    a.close();
    a.close();
    assertThrows(IllegalStateException.class, a::keyspaces);
    assertNotEquals(null, a.cluster());
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
