package io.bulwark.cli;

import io.bulwark.cli.local.Backoff;
import io.bulwark.cli.local.ClusterFile;
import io.bulwark.cli.local.ClusterProcesses;
import io.bulwark.cli.local.LocalDirs;
import io.bulwark.cli.local.NodeCommand;
import io.bulwark.cli.local.Ports;
import io.bulwark.coord.EmbeddedZooKeeper;
import io.bulwark.server.NodeConfig;
import java.io.File;
import java.io.IOException;
import java.io.Reader;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The process behind {@code bin/bulwark local start} (DESIGN §8): it runs the embedded ZooKeeper
 * (here, never inside a node, so killing any node leaves coordination up), starts one child
 * process per node, restarts a node that exits unexpectedly, and stops everything on SIGTERM.
 *
 * <p>Usage: {@code java -cp CP io.bulwark.cli.LocalSupervisor DIR N [--base-port P] [--run-id
 * ID] [--owner-pid PID]}. {@code local start} starts it detached ({@code setsid}), with standard out and error in
 * {@code DIR/supervisor.log}.
 *
 * <p><b>What it maintains.</b>
 * <ul>
 *   <li>{@code DIR/nK/node.properties}: written before the first start; an existing file is kept
 *       (its ports, data dir and any edits) with only its ZooKeeper address updated, so a cluster
 *       directory can be stopped and started again with its data.</li>
 *   <li>{@code DIR/cluster.json} ({@link ClusterFile}), rewritten atomically whenever a node's
 *       pid or state changes.</li>
 *   <li>Restarts: a node that exits while not marked down is started again after {@link Backoff}
 *       (100 ms doubling to 5 s; back to 100 ms after a run of a minute). A node marked down
 *       ({@code DIR/down/ID}, written by {@code local kill}) is killed with SIGKILL if still
 *       alive and not restarted; when the marker goes ({@code local revive}) it is started at
 *       once. Markers are polled every {@value #POLL_MS} ms; markers left from an earlier run are
 *       cleared at start-up.</li>
 *   <li>Shutdown (a JVM shutdown hook, so SIGTERM, SIGINT and {@code System.exit} all take it):
 *       SIGTERM to every node, SIGKILL to those still alive after {@value #STOP_GRACE_MS} ms,
 *       then ZooKeeper. Nodes are also started with {@code --supervisor-pid}, so if this process
 *       is killed with SIGKILL they exit on their own within a second.</li>
 *   <li>Owner ({@code --owner-pid P}, from {@code local start --owner-pid}): when process P is
 *       gone the supervisor shuts down as on SIGTERM, so a test harness or script killed with
 *       SIGKILL does not leave a cluster behind that keeps restarting its nodes.</li>
 * </ul>
 *
 * <p><b>Threading.</b> The main thread runs the monitor loop; the shutdown hook runs on its own
 * thread. Both hold {@link #lock} while they look at or change node processes, and the monitor
 * starts nothing once {@link #stopping} is set.
 */
public final class LocalSupervisor {
  private static final Logger LOG = LoggerFactory.getLogger(LocalSupervisor.class);

  /** At most this many nodes (each is a JVM with a 512 MiB heap). */
  public static final int NODES_MAX = 16;
  /** How often node processes and down markers are checked. */
  static final long POLL_MS = 100;
  /** How long nodes get to stop after SIGTERM before SIGKILL. */
  static final long STOP_GRACE_MS = 5_000;
  /** The cluster name in every node's configuration (ZooKeeper paths /bulwark/local/...). */
  static final String CLUSTER_NAME = "local";

  private final Path dir;
  private final int nodeCount;
  private final Integer basePort;
  private final String runId;
  /** The process whose exit stops the cluster ({@code --owner-pid}), or null. */
  private Long ownerPid;
  /** Node configuration properties set on every node ({@code local start --set KEY=VALUE}). */
  private final Map<String, String> nodeSettings = new TreeMap<>();
  private final Object lock = new Object();
  private final List<SupervisedNode> nodes = new ArrayList<>();
  private boolean stopping;
  private FileChannel lockChannel;
  private EmbeddedZooKeeper zookeeper;
  private boolean clusterFileDirty;

  LocalSupervisor(Path dir, int nodeCount, Integer basePort, String runId) {
    this.dir = dir;
    this.nodeCount = nodeCount;
    this.basePort = basePort;
    this.runId = runId;
  }

  public static void main(String[] args) {
    Logging.useServerLogging();
    LocalSupervisor supervisor;
    try {
      supervisor = fromArguments(args);
    } catch (IllegalArgumentException e) {
      System.err.println("error: " + e.getMessage());
      System.err.println(
          "usage: LocalSupervisor DIR N [--base-port P] [--run-id ID] [--owner-pid PID]");
      System.exit(ExitCode.USAGE);
      return;
    }
    int code;
    try {
      Runtime.getRuntime()
          .addShutdownHook(new Thread(supervisor::shutdown, "supervisor-shutdown"));
      supervisor.start();
      code = supervisor.monitor();
    } catch (SupervisorException e) {
      LOG.error("event=supervisor-failed error=\"{}\"", e.getMessage());
      code = ExitCode.FAILED;
    } catch (RuntimeException | IOException e) {
      LOG.error("event=supervisor-failed", e);
      code = ExitCode.FAILED;
    }
    System.exit(code); // Runs the shutdown hook: nodes and ZooKeeper stop.
  }

  static LocalSupervisor fromArguments(String[] args) {
    List<String> positional = new ArrayList<>();
    Integer basePort = null;
    Long ownerPid = null;
    String runId = "";
    Map<String, String> settings = new TreeMap<>();
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (a.equals("--set")) {
        if (i + 1 >= args.length || args[i + 1].indexOf('=') <= 0) {
          throw new IllegalArgumentException("--set needs KEY=VALUE");
        }
        String kv = args[++i];
        settings.put(kv.substring(0, kv.indexOf('=')), kv.substring(kv.indexOf('=') + 1));
      } else if (a.equals("--base-port") || a.equals("--run-id") || a.equals("--owner-pid")) {
        if (i + 1 >= args.length) {
          throw new IllegalArgumentException(a + " needs a value");
        }
        String v = args[++i];
        if (a.equals("--run-id")) {
          runId = v;
        } else if (a.equals("--owner-pid")) {
          ownerPid = (long) parseInt(v, "--owner-pid");
        } else {
          basePort = parseInt(v, "--base-port");
        }
      } else {
        positional.add(a);
      }
    }
    if (positional.size() != 2) {
      throw new IllegalArgumentException("expected DIR and N, got " + positional);
    }
    int n = parseInt(positional.get(1), "N");
    if (n < 1 || n > NODES_MAX) {
      throw new IllegalArgumentException("N must be 1.." + NODES_MAX + ", was " + n);
    }
    LocalSupervisor s =
        new LocalSupervisor(LocalDirs.canonical(Path.of(positional.get(0))), n, basePort, runId);
    s.nodeSettings.putAll(settings);
    s.ownerPid = ownerPid;
    return s;
  }

  private static int parseInt(String v, String what) {
    try {
      return Integer.parseInt(v);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(what + " must be a number, was '" + v + "'");
    }
  }

  /** Thrown for start-up failures whose message says everything (no stack trace needed). */
  static final class SupervisorException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    SupervisorException(String message) {
      super(message);
    }
  }

  /** Takes the directory lock, starts ZooKeeper and every node, writes cluster.json. */
  void start() throws IOException {
    synchronized (lock) {
      if (stopping) {
        return;
      }
      Files.createDirectories(dir);
      takeDirectoryLock();
      refuseLeftoverNodes();
      clearDownMarkers();
      zookeeper = new EmbeddedZooKeeper(dir.resolve(LocalDirs.ZOOKEEPER_DIR),
          basePort == null ? 0 : new Ports(basePort).zookeeper());
      List<NodeConfig> configs = prepareConfigs(zookeeper.connectString());
      long now = System.nanoTime();
      for (NodeConfig config : configs) {
        SupervisedNode node = new SupervisedNode(config, dir);
        nodes.add(node);
        node.start(now);
      }
      writeClusterFile();
      LOG.info("event=supervisor-started dir={} nodes={} zookeeper={} pid={}", dir, nodeCount,
          zookeeper.connectString(), ProcessHandle.current().pid());
    }
  }

  private void takeDirectoryLock() throws IOException {
    Path lockFile = dir.resolve(LocalDirs.SUPERVISOR_LOCK);
    lockChannel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    FileLock fileLock = lockChannel.tryLock();
    if (fileLock == null) {
      throw new SupervisorException("another supervisor is running in " + dir
          + " (it holds " + lockFile + "); stop it with: bulwark local stop --dir " + dir);
    }
  }

  private void refuseLeftoverNodes() {
    List<ProcessHandle> leftovers = ClusterProcesses.all(dir);
    if (!leftovers.isEmpty()) {
      throw new SupervisorException("processes of an earlier cluster in " + dir
          + " are still running (pids " + pids(leftovers) + "); stop them with: bulwark local"
          + " stop --dir " + dir);
    }
  }

  private void clearDownMarkers() throws IOException {
    Path downDir = dir.resolve(LocalDirs.DOWN_DIR);
    Files.createDirectories(downDir);
    try (Stream<Path> markers = Files.list(downDir)) {
      for (Path marker : markers.collect(Collectors.toList())) {
        Files.deleteIfExists(marker);
        LOG.info("event=down-marker-cleared node={}", marker.getFileName());
      }
    }
  }

  /**
   * One configuration per node: an existing {@code node.properties} keeps everything but its
   * ZooKeeper address; a new one gets fresh ports (never one an existing file already uses).
   */
  private List<NodeConfig> prepareConfigs(String zookeeperAddress) throws IOException {
    Ports ports = new Ports(basePort);
    List<Map<String, String>> settings = new ArrayList<>();
    for (int k = 1; k <= nodeCount; k++) {
      Path file = ClusterProcesses.nodeConfig(dir, LocalDirs.nodeId(k));
      Map<String, String> existing = Files.exists(file) ? readProperties(file) : null;
      if (existing != null) {
        for (String key : List.of("client.address", "peer.address", "admin.address")) {
          reservePort(ports, existing.get(key));
        }
      }
      settings.add(existing);
    }
    List<NodeConfig> configs = new ArrayList<>();
    for (int k = 1; k <= nodeCount; k++) {
      String id = LocalDirs.nodeId(k);
      Path nodeDir = dir.resolve(id);
      Path file = ClusterProcesses.nodeConfig(dir, id);
      Map<String, String> m = settings.get(k - 1);
      if (m == null) {
        m = new TreeMap<>();
        m.put("node.id", id);
        m.put("cluster.name", CLUSTER_NAME);
        m.put("client.address", "127.0.0.1:" + ports.client(k));
        m.put("peer.address", "127.0.0.1:" + ports.peer(k));
        m.put("admin.address", "127.0.0.1:" + ports.admin(k));
        m.put("data.dir", nodeDir.resolve("data").toString());
      }
      m.put("zookeeper", zookeeperAddress);
      m.putAll(nodeSettings);
      NodeConfig config = NodeConfig.fromMap(m, file.toString());
      Files.createDirectories(nodeDir);
      config.write(file);
      configs.add(config);
    }
    return configs;
  }

  private static Map<String, String> readProperties(Path file) throws IOException {
    Properties p = new Properties();
    try (Reader r = Files.newBufferedReader(file)) {
      p.load(r);
    }
    Map<String, String> m = new TreeMap<>();
    p.stringPropertyNames().forEach(k -> m.put(k, p.getProperty(k).trim()));
    return m;
  }

  private static void reservePort(Ports ports, String address) {
    if (address == null) {
      return;
    }
    int colon = address.lastIndexOf(':');
    try {
      ports.reserve(Integer.parseInt(address.substring(colon + 1)));
    } catch (NumberFormatException | IndexOutOfBoundsException e) {
      // NodeConfig.fromMap rejects the address with a message naming the file.
    }
  }

  /**
   * Watches the nodes until shutdown begins, ZooKeeper stops serving or the owner process (if
   * any) is gone.
   *
   * @return the exit code for {@code main}
   */
  int monitor() {
    synchronized (lock) {
      while (!stopping) {
        long now = System.nanoTime();
        for (SupervisedNode node : nodes) {
          boolean markedDown = Files.exists(LocalDirs.downMarker(dir, node.id()));
          clusterFileDirty |= node.tick(now, markedDown);
        }
        if (clusterFileDirty) {
          writeClusterFile();
        }
        if (ownerPid != null
            && !ProcessHandle.of(ownerPid).map(ProcessHandle::isAlive).orElse(false)) {
          LOG.warn("event=owner-gone pid={}; stopping the cluster", ownerPid);
          return ExitCode.OK;
        }
        if (!zookeeper.isRunning()) {
          LOG.error("event=zookeeper-stopped-serving address={}; stopping the cluster",
              zookeeper.connectString());
          return ExitCode.FAILED;
        }
        try {
          lock.wait(POLL_MS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return ExitCode.FAILED;
        }
      }
    }
    return ExitCode.OK;
  }

  /** The shutdown hook: stops every node, then ZooKeeper. Idempotent. */
  void shutdown() {
    synchronized (lock) {
      if (stopping) {
        return;
      }
      stopping = true;
      lock.notifyAll();
      LOG.info("event=supervisor-stopping nodes={}", nodes.size());
      for (SupervisedNode node : nodes) {
        node.terminate();
      }
      long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(STOP_GRACE_MS);
      for (SupervisedNode node : nodes) {
        node.awaitExit(deadline);
      }
      for (SupervisedNode node : nodes) {
        node.killIfAlive();
      }
      long killDeadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(STOP_GRACE_MS);
      for (SupervisedNode node : nodes) {
        node.awaitExit(killDeadline);
        node.markStopped();
      }
      if (!nodes.isEmpty()) {
        writeClusterFile();
      }
      if (zookeeper != null) {
        zookeeper.close();
      }
      releaseDirectoryLock();
      LOG.info("event=supervisor-stopped dir={}", dir);
    }
  }

  private void releaseDirectoryLock() {
    if (lockChannel == null) {
      return;
    }
    try {
      lockChannel.close();
    } catch (IOException e) {
      LOG.warn("event=lock-release-failed file={} error=\"{}\"",
          dir.resolve(LocalDirs.SUPERVISOR_LOCK), e.getMessage());
    }
  }

  private void writeClusterFile() {
    List<ClusterFile.Node> entries = new ArrayList<>();
    for (SupervisedNode node : nodes) {
      entries.add(node.entry());
    }
    ClusterFile file = new ClusterFile(zookeeper.connectString(), ProcessHandle.current().pid(),
        runId, entries);
    try {
      file.write(dir);
      clusterFileDirty = false;
    } catch (IOException e) {
      // Retried on the next poll: the file is how the CLI finds the nodes.
      clusterFileDirty = true;
      LOG.error("event=cluster-file-write-failed file={} error=\"{}\"",
          ClusterFile.path(dir), e.getMessage());
    }
  }

  private static String pids(List<ProcessHandle> processes) {
    return processes.stream().map(p -> Long.toString(p.pid())).collect(Collectors.joining(", "));
  }

  /** One node's process across restarts. Used only under the supervisor's lock. */
  private static final class SupervisedNode {
    private final NodeConfig config;
    private final Path configFile;
    private final Path logFile;
    private final Backoff backoff = new Backoff();
    private Process process;
    private long pid;
    private ClusterFile.State state = ClusterFile.State.RESTARTING;
    private long startedAtNanos;
    private long restartAtNanos;
    /** Restarts after unexpected exits since the last stable run, for the log. */
    private int crashRestarts;

    SupervisedNode(NodeConfig config, Path dir) {
      this.config = config;
      this.configFile = ClusterProcesses.nodeConfig(dir, config.nodeId());
      this.logFile = configFile.resolveSibling("node.log");
    }

    String id() {
      return config.nodeId();
    }

    ClusterFile.Node entry() {
      return new ClusterFile.Node(config.nodeId(), pid, state, config.clientAddress(),
          config.peerAddress(), config.adminAddress(), config.dataDir().toString(),
          configFile.toString());
    }

    /** Reacts to what happened since the last poll; true if pid or state changed. */
    boolean tick(long now, boolean markedDown) {
      if (process != null) {
        if (process.isAlive()) {
          if (markedDown) {
            // local kill signals the pid itself; this covers a process started in between.
            LOG.info("event=node-kill id={} pid={} reason=marked-down", id(), pid);
            process.destroyForcibly();
          }
          return false;
        }
        onExit(now, markedDown);
        return true;
      }
      if (markedDown) {
        if (state == ClusterFile.State.DOWN) {
          return false;
        }
        state = ClusterFile.State.DOWN;
        LOG.info("event=node-down id={}", id());
        return true;
      }
      if (state == ClusterFile.State.DOWN) {
        LOG.info("event=node-revive id={}", id());
        backoff.reset();
        crashRestarts = 0;
        start(now);
        return true;
      }
      if (state == ClusterFile.State.RESTARTING && now - restartAtNanos >= 0) {
        start(now);
        return true;
      }
      return false;
    }

    private void onExit(long now, boolean markedDown) {
      int exitCode = process.exitValue();
      long uptimeMs = TimeUnit.NANOSECONDS.toMillis(now - startedAtNanos);
      process = null;
      if (markedDown) {
        state = ClusterFile.State.DOWN;
        LOG.info("event=node-down id={} pid={} exitCode={}", id(), pid, exitCode);
        return;
      }
      long delayMs = backoff.nextDelayMs(uptimeMs);
      crashRestarts = uptimeMs >= Backoff.STABLE_MS ? 1 : crashRestarts + 1;
      restartAtNanos = now + TimeUnit.MILLISECONDS.toNanos(delayMs);
      state = ClusterFile.State.RESTARTING;
      LOG.warn("event=node-exited id={} pid={} exitCode={} uptimeMs={} restartInMs={} "
          + "attempt={} log={}", id(), pid, exitCode, uptimeMs, delayMs, crashRestarts, logFile);
    }

    void start(long now) {
      List<String> command = command();
      ProcessBuilder builder = new ProcessBuilder(command)
          .directory(configFile.getParent().toFile())
          .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
          .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
          .redirectErrorStream(true);
      try {
        process = builder.start();
        pid = process.pid();
        state = ClusterFile.State.RUNNING;
        startedAtNanos = now;
        LOG.info("event={} id={} pid={} client={} attempt={} log={}",
            crashRestarts > 0 ? "node-restarted" : "node-started", id(), pid,
            config.clientAddress(), crashRestarts, logFile);
      } catch (IOException e) {
        long delayMs = backoff.nextDelayMs(0);
        restartAtNanos = now + TimeUnit.MILLISECONDS.toNanos(delayMs);
        state = ClusterFile.State.RESTARTING;
        LOG.error("event=node-start-failed id={} restartInMs={} error=\"{}\"", id(), delayMs,
            e.getMessage());
      }
    }

    private List<String> command() {
      return NodeCommand.of(configFile, ProcessHandle.current().pid());
    }

    void terminate() {
      if (process != null && process.isAlive()) {
        LOG.info("event=node-stop id={} pid={} signal=TERM", id(), pid);
        process.destroy();
      }
    }

    void killIfAlive() {
      if (process != null && process.isAlive()) {
        LOG.warn("event=node-stop id={} pid={} signal=KILL reason=did-not-stop-within-{}ms",
            id(), pid, STOP_GRACE_MS);
        process.destroyForcibly();
      }
    }

    void awaitExit(long deadlineNanos) {
      if (process == null) {
        return;
      }
      long left = deadlineNanos - System.nanoTime();
      try {
        if (left > 0) {
          process.waitFor(left, TimeUnit.NANOSECONDS);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    void markStopped() {
      if (process != null && !process.isAlive()) {
        LOG.info("event=node-stopped id={} pid={} exitCode={}", id(), pid, process.exitValue());
        process = null;
      }
      if (process == null) {
        state = ClusterFile.State.STOPPED;
      }
    }
  }
}
