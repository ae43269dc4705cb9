package io.bulwark.cli.verify;

import io.bulwark.bench.ZooKeeperPeer;
import io.bulwark.cli.local.ClusterFile;
import io.bulwark.cli.local.ClusterProcesses;
import io.bulwark.cli.local.LocalDirs;
import io.bulwark.cli.local.Ports;
import io.bulwark.server.NodeConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The processes of one verify run: ZooKeeper server processes (one, or an ensemble: the
 * production shape) and one process per node, each node in its own network namespace when the
 * run has a {@link NamespaceNetwork}, else on 127.0.0.1. The verify process is their supervisor:
 * nodes get its pid ({@code --supervisor-pid}) and exit by themselves if it dies, and a node that
 * exits on its own is not restarted behind the run's back ({@link #crashed}, {@link #revive}).
 *
 * <p>Everything started is recorded in {@link Cleanup} (stopped at the end) and in {@code
 * processes.jsonl}. Thread-safe: nemeses and the run's main thread call in concurrently.
 */
final class VerifyCluster {
  static final String CLUSTER_NAME = "verify";
  /** Node ports inside a namespace: each node has an address of its own, so fixed ports do. */
  static final int NAMESPACE_CLIENT_PORT = 7000;

  private final RunDirectory run;
  private final int nodeCount;
  private final int zookeeperServers;
  private final Map<String, String> nodeSettings;
  private final NamespaceNetwork network;
  private final Cleanup cleanup;
  private final ProcessLog processLog;
  private final Map<String, NodeProcess> nodes = new LinkedHashMap<>();
  private final List<ClusterFile.Node> entries = new ArrayList<>();
  private ZooKeeperPeer zookeeper;

  /**
   * @param network null to run every node on 127.0.0.1
   * @param nodeSettings node configuration properties set on every node
   */
  VerifyCluster(RunDirectory run, int nodeCount, int zookeeperServers,
      Map<String, String> nodeSettings, NamespaceNetwork network, Cleanup cleanup,
      ProcessLog processLog) {
    this.run = run;
    this.nodeCount = nodeCount;
    this.zookeeperServers = zookeeperServers;
    this.nodeSettings = new TreeMap<>(nodeSettings);
    this.network = network;
    this.cleanup = cleanup;
    this.processLog = processLog;
  }

  static List<String> nodeIds(int count) {
    List<String> ids = new ArrayList<>();
    for (int k = 1; k <= count; k++) {
      ids.add(LocalDirs.nodeId(k));
    }
    return ids;
  }

  /** Starts ZooKeeper (waiting for a leader), then every node; writes cluster.json. */
  synchronized void start() throws Exception {
    String host = network == null ? "127.0.0.1" : network.bridgeAddress();
    zookeeper = new ZooKeeperPeer(run.zookeeper(), true, System.getProperty("java.class.path"),
        zookeeperServers, host);
    ZooKeeperPeer zk = zookeeper;
    cleanup.add("ZooKeeper servers (" + zookeeperServers + ")", zk::close);
    zk.start();
    for (int i = 0; i < zookeeperServers; i++) {
      processLog.started(zookeeperName(i), zk.pid(i));
    }
    Ports ports = new Ports(null);
    List<String> ids = nodeIds(nodeCount);
    for (int k = 1; k <= nodeCount; k++) {
      String id = ids.get(k - 1);
      NodeConfig config = writeConfig(id, k, ports, zk.connectString());
      List<String> prefix = network == null ? List.of() : network.launchPrefix(id);
      NodeProcess node = new NodeProcess(id, ClusterProcesses.nodeConfig(run.dir(), id), prefix,
          processLog);
      nodes.put(id, node);
      cleanup.add("node " + id, () -> stopNode(node));
      node.start();
      entries.add(new ClusterFile.Node(id, node.pid(), ClusterFile.State.RUNNING,
          config.clientAddress(), config.peerAddress(), config.adminAddress(),
          config.dataDir().toString(), ClusterProcesses.nodeConfig(run.dir(), id).toString()));
    }
    writeClusterFile();
  }

  private NodeConfig writeConfig(String id, int k, Ports ports, String zookeeperConnect)
      throws IOException {
    Path nodeDir = run.node(id);
    Files.createDirectories(nodeDir.resolve("data"));
    Map<String, String> m = new TreeMap<>();
    m.put("node.id", id);
    m.put("cluster.name", CLUSTER_NAME);
    if (network == null) {
      m.put("client.address", "127.0.0.1:" + ports.client(k));
      m.put("peer.address", "127.0.0.1:" + ports.peer(k));
      m.put("admin.address", "127.0.0.1:" + ports.admin(k));
    } else {
      String a = network.address(id);
      m.put("client.address", a + ":" + NAMESPACE_CLIENT_PORT);
      m.put("peer.address", a + ":" + (NAMESPACE_CLIENT_PORT + Ports.RANGE_STRIDE));
      m.put("admin.address", a + ":" + (NAMESPACE_CLIENT_PORT + 2 * Ports.RANGE_STRIDE));
    }
    m.put("data.dir", nodeDir.resolve("data").toString());
    m.put("zookeeper", zookeeperConnect);
    m.putAll(nodeSettings);
    Path file = ClusterProcesses.nodeConfig(run.dir(), id);
    NodeConfig config = NodeConfig.fromMap(m, file.toString());
    config.write(file);
    return config;
  }

  private synchronized void stopNode(NodeProcess node) throws InterruptedException {
    node.stop();
  }

  private synchronized void writeClusterFile() throws IOException {
    List<ClusterFile.Node> now = new ArrayList<>();
    for (ClusterFile.Node e : entries) {
      NodeProcess p = nodes.get(e.id());
      now.add(e.withProcess(p.pid(), p.down() ? ClusterFile.State.DOWN
          : ClusterFile.State.RUNNING));
    }
    new ClusterFile(zookeeper.connectString(), ProcessHandle.current().pid(), run.dir()
        .getFileName().toString(), now).write(run.dir());
  }

  List<String> nodeIds() {
    return List.copyOf(nodes.keySet());
  }

  /** The client addresses of every node. */
  synchronized List<String> clientEndpoints() {
    return entries.stream().map(ClusterFile.Node::client).toList();
  }

  Path dataDir(String id) {
    return run.node(id).resolve("data");
  }

  ZooKeeperPeer zookeeper() {
    return zookeeper;
  }

  static String zookeeperName(int index) {
    return "zk" + (index + 1);
  }

  /** The ZooKeeper client ports (for cutting a node off from ZooKeeper). */
  List<Integer> zookeeperPorts() {
    List<Integer> ports = new ArrayList<>();
    for (String hostPort : zookeeper.connectString().split(",")) {
      ports.add(Integer.parseInt(hostPort.substring(hostPort.lastIndexOf(':') + 1)));
    }
    return ports;
  }

  synchronized void kill(String id) throws Exception {
    node(id).kill();
    writeClusterFile();
  }

  /**
   * SIGKILL to every node but {@code last} at the same moment, then to {@code last} {@code
   * delayMs} later (a power loss that one machine outlives briefly). Returns when the first
   * signals went (monotonic), once every process is gone.
   */
  long killAll(String last, long delayMs) throws Exception {
    long at = System.nanoTime();
    synchronized (this) {
      for (NodeProcess n : nodes.values()) {
        if (!n.id().equals(last)) {
          n.signalKill();
        }
      }
    }
    Thread.sleep(delayMs);
    synchronized (this) {
      for (NodeProcess n : nodes.values()) {
        n.kill();
      }
      writeClusterFile();
    }
    return at;
  }

  synchronized void revive(String id) throws Exception {
    node(id).start();
    writeClusterFile();
  }

  synchronized void pause(String id) {
    node(id).pause();
  }

  synchronized void resume(String id) {
    node(id).resume();
  }

  synchronized void killZooKeeper(int index) throws Exception {
    zookeeper.kill(index);
  }

  /** Starts ZooKeeper server {@code index} again and waits until the ensemble has a leader. */
  void restartZooKeeper(int index) throws Exception {
    ZooKeeperPeer zk;
    synchronized (this) {
      zk = zookeeper;
    }
    zk.restart(index);
    processLog.started(zookeeperName(index), zk.pid(index));
  }

  /** Nodes whose process exited although nobody killed it, with their exit codes. */
  synchronized Map<String, Integer> crashed() {
    Map<String, Integer> crashed = new TreeMap<>();
    for (NodeProcess n : nodes.values()) {
      if (n.crashed()) {
        crashed.put(n.id(), n.exitCode());
      }
    }
    return crashed;
  }

  private NodeProcess node(String id) {
    NodeProcess n = nodes.get(id);
    if (n == null) {
      throw new IllegalArgumentException("no node " + id + " in " + nodes.keySet());
    }
    return n;
  }
}
