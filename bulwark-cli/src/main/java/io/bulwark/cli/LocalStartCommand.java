package io.bulwark.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bulwark.cli.local.ClusterFile;
import io.bulwark.cli.local.ClusterProcesses;
import io.bulwark.cli.local.LocalDirs;
import io.bulwark.cli.local.Ports;
import io.bulwark.client.BulwarkClient;
import io.bulwark.client.BulwarkException;
import io.bulwark.client.ClientOptions;
import io.bulwark.client.ClusterStatus;
import io.bulwark.client.NodeStatus;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code local start --nodes N --dir DIR [--base-port P]}: starts a detached {@link
 * LocalSupervisor} and waits until DIR/cluster.json lists N nodes and the cluster reports all N
 * alive. Then prints, on standard out, the line to export ({@code export
 * BULWARK_CLUSTER=127.0.0.1:P1,...}), so {@code eval "$(bulwark local start ...)"} works; the
 * rest goes to standard error.
 *
 * <p>Refuses (exit 1) when DIR already holds a running cluster or processes of one. If the
 * cluster does not come up within {@code --wait}, everything it started is stopped again and the
 * command exits 1, naming the logs.
 */
@Command(
    name = "start",
    mixinStandardHelpOptions = true,
    description = "Start a local cluster of N nodes in DIR and print the BULWARK_CLUSTER line.")
final class LocalStartCommand implements Callable<Integer> {
  /** JVM options of the supervisor (the embedded ZooKeeper is small). */
  static final List<String> SUPERVISOR_JVM_OPTIONS = List.of("-Xmx256m", "-XX:+UseG1GC");
  static final long POLL_MS = 200;
  /** After a failed start, how long the supervisor gets to stop what it started. */
  static final long CLEANUP_MS = 30_000;
  /** The status probes while waiting: short, so the overall deadline is kept. */
  static final ClientOptions PROBE_OPTIONS = ClientOptions.defaults()
      .withRequestTimeout(Duration.ofSeconds(2))
      .withRpcTimeout(Duration.ofSeconds(1));
  private static final List<String> SETSID_PATHS = List.of("/usr/bin/setsid", "/bin/setsid");
  private static final int LOG_TAIL_LINES = 20;

  private final CliEnvironment env;

  @CommandLine.Spec private CommandLine.Model.CommandSpec spec;

  @Option(names = "--nodes", paramLabel = "N", defaultValue = "3",
      description = "How many nodes (default: ${DEFAULT-VALUE}, at most "
          + LocalSupervisor.NODES_MAX + ").")
  private int nodes;

  @Mixin private LocalCommand.DirOption dirOption;

  @Option(names = "--base-port", paramLabel = "P",
      description = "Use fixed ports: node K gets client P+K-1, peer P+100+K-1, admin "
          + "P+200+K-1; ZooKeeper P+300. Default: free ports.")
  private Integer basePort;

  @Option(names = "--wait", paramLabel = "DURATION", defaultValue = "60s",
      converter = Durations.class,
      description = "How long to wait for every node to answer (default: ${DEFAULT-VALUE}).")
  private Duration wait;

  @Option(names = "--set", paramLabel = "KEY=VALUE",
      description = "A node configuration property for every node, e.g. replace-after.ms=5000 "
          + "(repeatable; the keys of `server --config`).")
  private List<String> nodeSettings = new ArrayList<>();

  @Option(names = "--owner-pid", paramLabel = "PID",
      description = "Stop the cluster when process PID exits (for scripts and test harnesses "
          + "whose cleanup may not run, e.g. when they are killed with SIGKILL).")
  private Long ownerPid;

  @Mixin private JsonOption jsonOption;

  LocalStartCommand(CliEnvironment env) {
    this.env = env;
  }

  @Override
  public Integer call() throws IOException {
    if (nodes < 1 || nodes > LocalSupervisor.NODES_MAX) {
      throw usage("--nodes must be 1.." + LocalSupervisor.NODES_MAX + ", was " + nodes);
    }
    if (basePort != null && (basePort < 1 || basePort > Ports.basePortMax())) {
      throw usage("--base-port must be 1.." + Ports.basePortMax() + ", was " + basePort);
    }
    if (ownerPid != null && ProcessHandle.of(ownerPid).isEmpty()) {
      throw usage("--owner-pid " + ownerPid + " is not a running process");
    }
    Files.createDirectories(dirOption.dir);
    Path dir = dirOption.canonical();
    refuseRunningCluster(dir);
    String runId = UUID.randomUUID().toString();
    Process supervisor = spawnSupervisor(dir, runId);
    ClusterFile cluster = awaitCluster(dir, supervisor, runId);
    report(dir, cluster);
    return ExitCode.OK;
  }

  private CommandLine.ParameterException usage(String message) {
    return new CommandLine.ParameterException(spec.commandLine(), message);
  }

  private static void refuseRunningCluster(Path dir) {
    Optional<ClusterFile> existing = LocalCommand.tryReadClusterFile(dir);
    if (existing.isPresent()
        && ClusterProcesses.supervisor(dir, existing.get().supervisorPid()).isPresent()) {
      throw CliException.failed("a cluster is already running in " + dir + " (supervisor pid "
          + existing.get().supervisorPid() + ", nodes " + existing.get().clientEndpoints()
          + "); stop it first with: bulwark local stop --dir " + dir);
    }
    List<ProcessHandle> leftovers = ClusterProcesses.all(dir);
    if (!leftovers.isEmpty()) {
      throw CliException.failed("processes of an earlier cluster in " + dir
          + " are still running (pids " + leftovers.stream().map(p -> Long.toString(p.pid()))
              .collect(Collectors.joining(", "))
          + "); stop them with: bulwark local stop --dir " + dir);
    }
  }

  /**
   * Starts the supervisor in a new session ({@code setsid}) with its output in
   * DIR/supervisor.log and standard input from /dev/null, and does not wait for it: it must
   * outlive this command and the shell. The child of a JVM is never a process-group leader, so
   * {@code setsid} execs in place and the returned process is the supervisor itself.
   */
  private Process spawnSupervisor(Path dir, String runId) throws IOException {
    List<String> command = new ArrayList<>();
    SETSID_PATHS.stream().map(Path::of).filter(Files::isExecutable).findFirst()
        .ifPresent(p -> command.add(p.toString()));
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(SUPERVISOR_JVM_OPTIONS);
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(LocalSupervisor.class.getName());
    command.add(dir.toString());
    command.add(Integer.toString(nodes));
    command.add("--run-id");
    command.add(runId);
    if (basePort != null) {
      command.add("--base-port");
      command.add(basePort.toString());
    }
    if (ownerPid != null) {
      command.add("--owner-pid");
      command.add(ownerPid.toString());
    }
    for (String kv : nodeSettings) {
      command.add("--set");
      command.add(kv);
    }
    Path log = dir.resolve(LocalDirs.SUPERVISOR_LOG);
    return new ProcessBuilder(command)
        .directory(dir.toFile())
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
        .redirectErrorStream(true)
        .start();
  }

  /** Polls until the cluster of {@code runId} is up; cleans up and throws if it is not in time. */
  private ClusterFile awaitCluster(Path dir, Process supervisor, String runId) {
    long deadline = System.nanoTime() + wait.toNanos();
    String waitingFor = "the supervisor to write " + ClusterFile.path(dir);
    BulwarkClient client = null;
    try {
      while (true) {
        if (!supervisor.isAlive()) {
          throw CliException.failed("the supervisor exited with code " + supervisor.exitValue()
              + " while starting the cluster; the end of " + dir.resolve(LocalDirs.SUPERVISOR_LOG)
              + ":\n" + tail(dir.resolve(LocalDirs.SUPERVISOR_LOG)));
        }
        if (System.nanoTime() - deadline > 0) {
          stopAfterFailedStart(dir, supervisor);
          throw CliException.failed("the cluster in " + dir + " did not come up within "
              + wait.toSeconds() + " s (still waiting for " + waitingFor + "); everything it "
              + "started was stopped. See " + dir.resolve(LocalDirs.SUPERVISOR_LOG) + " and "
              + dir + "/n*/node.log");
        }
        Optional<ClusterFile> file = LocalCommand.tryReadClusterFile(dir);
        if (file.isPresent() && runId.equals(file.get().runId())
            && file.get().nodes().size() == nodes) {
          if (client == null) {
            client = BulwarkClient.connect(List.of(file.get().clientEndpoints().split(",")),
                PROBE_OPTIONS);
          }
          waitingFor = probe(client, file.get());
          if (waitingFor == null) {
            return file.get();
          }
        }
        LocalCommand.pause(POLL_MS);
      }
    } finally {
      if (client != null) {
        client.close();
      }
    }
  }

  /** Null when every node of {@code file} is alive in the cluster's status; else what is missing. */
  private static String probe(BulwarkClient client, ClusterFile file) {
    ClusterStatus status;
    try {
      status = client.status();
    } catch (BulwarkException e) {
      return "the nodes to answer (last: " + e.getMessage() + ")";
    }
    Set<String> expected = new HashSet<>(file.nodeIds());
    Set<String> alive = status.nodes().stream().filter(NodeStatus::alive).map(NodeStatus::id)
        .filter(expected::contains).collect(Collectors.toSet());
    if (alive.size() == expected.size()) {
      return null;
    }
    expected.removeAll(alive);
    return "nodes " + expected.stream().sorted().collect(Collectors.joining(", "))
        + " to be alive";
  }

  private static void stopAfterFailedStart(Path dir, Process supervisor) {
    supervisor.destroy();
    try {
      supervisor.waitFor(CLEANUP_MS, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    supervisor.destroyForcibly();
    for (ProcessHandle p : ClusterProcesses.all(dir)) {
      p.destroyForcibly();
    }
  }

  private static String tail(Path log) {
    try {
      List<String> lines = Files.readAllLines(log);
      return String.join("\n",
          lines.subList(Math.max(0, lines.size() - LOG_TAIL_LINES), lines.size()));
    } catch (IOException e) {
      return "(cannot read it: " + e.getMessage() + ")";
    }
  }

  private void report(Path dir, ClusterFile cluster) throws IOException {
    if (jsonOption.json()) {
      ObjectNode doc = (ObjectNode) new ObjectMapper().readTree(cluster.toJson());
      doc.put("cluster", cluster.clientEndpoints());
      doc.put("dir", dir.toString());
      env.out().println(JsonFormat.render(doc));
    } else {
      env.err().println("started a " + nodes + "-node cluster in " + dir + " (supervisor pid "
          + cluster.supervisorPid() + ", ZooKeeper " + cluster.zookeeper() + ")");
      env.err().println("logs: " + dir.resolve(LocalDirs.SUPERVISOR_LOG) + ", " + dir
          + "/n*/node.log; stop with: bulwark local stop --dir " + dir);
      env.out().println("export " + CliEnvironment.CLUSTER_ENV + "="
          + cluster.clientEndpoints());
    }
    env.out().flush();
  }
}
