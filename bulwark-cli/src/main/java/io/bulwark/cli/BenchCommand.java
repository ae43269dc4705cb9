package io.bulwark.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bulwark.bench.Alternation;
import io.bulwark.bench.BenchConfig;
import io.bulwark.bench.BenchException;
import io.bulwark.bench.BenchReport;
import io.bulwark.bench.BenchSystem;
import io.bulwark.bench.ClosedLoopRunner;
import io.bulwark.bench.EtcdInstaller;
import io.bulwark.bench.EtcdPeer;
import io.bulwark.bench.FailoverResult;
import io.bulwark.bench.FailoverRunner;
import io.bulwark.bench.Peer;
import io.bulwark.bench.PeerFailover;
import io.bulwark.bench.PhysicalFloor;
import io.bulwark.bench.SystemResult;
import io.bulwark.bench.Workload;
import io.bulwark.bench.ZooKeeperPeer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code bench} (issue 7): closed-loop load against Bulwark and, with {@code --peer}, against
 * etcd and ZooKeeper started by the bench on this machine, alternating between them for {@code
 * --rounds} rounds; or, with {@code --failover}, kill -9 of the serving member under load.
 *
 * <p>Without {@code --cluster} (or {@code $BULWARK_CLUSTER}) the bench starts its own local
 * 3-node cluster. Everything it starts is stopped, and its temporary directories removed, when
 * it ends: normally, on failure, or on Ctrl-C (a shutdown hook). Exit codes: 0 ok; 1 the run
 * failed (a system acknowledged nothing in a round, a peer did not start); 2 usage error; 3 the
 * given cluster is unavailable.
 */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description = "Measure Bulwark, side by side with etcd and ZooKeeper (--peer).",
    footer = {
      "",
      "Workloads: put, get (linearizable), mixed90 (90%% gets, 10%% puts), mixed50, cas (get,",
      "then a write conditional on the version read), txn (read two keys, then write both",
      "atomically if neither changed; lost races are conflicts, not errors). Each system's row is",
      "its best round",
      "(highest ops/s); every round is in --json. Peers run on 127.0.0.1 in temporary",
      "directories: etcd needs Debian's etcd-server package (installed when run as root)."
    })
final class BenchCommand implements Callable<Integer> {
  static final int ROUNDS_MAX = 100;
  static final int KILLS_MAX = 100;
  static final int FAILOVER_LOAD_CLIENTS = 4;
  /** Synced appends and loopback echoes measured for the physical floor (about half a second). */
  static final int FLOOR_SAMPLES = 1000;

  /** The peers by name, in the order they run. */
  enum PeerName {
    etcd,
    zookeeper
  }

  private final CliEnvironment env;

  @CommandLine.Spec private CommandLine.Model.CommandSpec spec;

  @Option(names = "--workload", paramLabel = "W", defaultValue = "put",
      description = "put, get, mixed90, mixed50, cas or txn (default: ${DEFAULT-VALUE}).")
  private String workload;

  @Option(names = "--clients", paramLabel = "N", defaultValue = "64",
      description = "Closed-loop client threads (default: ${DEFAULT-VALUE}).")
  private int clients;

  @Option(names = "--duration", paramLabel = "SECONDS", defaultValue = "20",
      description = "Seconds measured per run (default: ${DEFAULT-VALUE}).")
  private int duration;

  /**
   * 30 s by default: under 64 writers a node's C2 compiler still used 0.25 cores 40 s into the
   * load on this kind of 2-core machine (about 80 s of compile time per node in all, {@code
   * jstat -compiler}), so a 5 s warm-up measured the JIT, not the store. Every system gets the
   * same warm-up.
   */
  @Option(names = "--warmup", paramLabel = "SECONDS", defaultValue = "30",
      description = "Seconds of load before each measured window, the same for every system "
          + "(default: ${DEFAULT-VALUE}).")
  private int warmup;

  @Option(names = "--keys", paramLabel = "N", defaultValue = "1000",
      description = "Key space, all preloaded (default: ${DEFAULT-VALUE}).")
  private int keys;

  @Option(names = "--value-size", paramLabel = "BYTES", defaultValue = "100",
      description = "Bytes per value (default: ${DEFAULT-VALUE}).")
  private int valueSize;

  @Option(names = "--keyspace", paramLabel = "NAME", defaultValue = "default",
      description = "Bulwark keyspace; created with 3 replicas and acks all if missing "
          + "(default: ${DEFAULT-VALUE}, which has both).")
  private String keyspace;

  @Option(names = "--peer", paramLabel = "etcd|zookeeper",
      description = "Also measure this peer, started here (repeatable).")
  private List<String> peers = new ArrayList<>();

  @Option(names = "--rounds", paramLabel = "N", defaultValue = "2",
      description = "Rounds of bulwark then each peer (default: ${DEFAULT-VALUE}).")
  private int rounds;

  @Option(names = "--failover",
      description = "Instead of throughput: kill -9 the primary (peers: the leader) under load.")
  private boolean failover;

  @Option(names = "--kills", paramLabel = "N", defaultValue = "10",
      description = "Kills per system with --failover (default: ${DEFAULT-VALUE}).")
  private int kills;

  @Option(names = "--keep-dirs",
      description = "Keep the temporary directories (logs, data) instead of removing them.")
  private boolean keepDirs;

  @Option(names = "--cluster", paramLabel = "HOST:PORT[,HOST:PORT...]",
      description = "Measure this existing cluster instead of starting one "
          + "(default: $" + CliEnvironment.CLUSTER_ENV + ", else a local 3-node cluster).")
  private String cluster;

  @Mixin private JsonOption jsonOption;

  BenchCommand(CliEnvironment env) {
    this.env = env;
  }

  @Override
  public Integer call() throws Exception {
    BenchConfig config = validate();
    List<PeerName> peerNames = peerNames();
    String endpoints = endpoints();
    Resources resources = new Resources();
    Thread hook = new Thread(resources::closeAll, "bench-cleanup");
    Runtime.getRuntime().addShutdownHook(hook);
    try {
      return run(config, peerNames, endpoints, resources);
    } catch (BenchException e) {
      throw new CliException(ExitCode.FAILED, "bench: " + e.getMessage(), e);
    } finally {
      resources.closeAll();
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException e) {
        // The JVM is shutting down (Ctrl-C): the hook is running or has run.
      }
    }
  }

  private int run(BenchConfig config, List<PeerName> peerNames, String endpoints,
      Resources resources) throws Exception {
    if (peerNames.contains(PeerName.etcd)) {
      EtcdInstaller.ensureInstalled(this::progress);
    }
    BenchCluster bulwark;
    PhysicalFloor floor = null;
    if (endpoints == null) {
      Path dir = BenchCluster.tempDir();
      if (!failover) {
        // Measured first, on a quiet machine and the file system the nodes will write to.
        floor = PhysicalFloor.measure(dir, FLOOR_SAMPLES, valueSize);
        progress(String.format(java.util.Locale.ROOT, "physical floor on this machine: %.3f ms",
            floor.floorMs()));
      }
      progress("starting a local " + BenchCluster.NODES + "-node Bulwark cluster in " + dir
          + " ...");
      bulwark = resources.add(BenchCluster.startLocal(env, dir, keepDirs, keyspace));
    } else {
      bulwark = resources.add(BenchCluster.existing(env, endpoints, keyspace));
    }
    progress("waiting until keyspace " + keyspace + " is fully replicated and settled ...");
    Optional<String> note = bulwark.prepareKeyspace();
    note.ifPresent(n -> progress("warning: " + n));
    List<Peer> started = new ArrayList<>();
    for (PeerName p : peerNames) {
      Path dir = Files.createTempDirectory("bulwark-bench-" + p + "-");
      Peer peer = p == PeerName.etcd ? new EtcdPeer(dir, keepDirs)
          : new ZooKeeperPeer(dir, keepDirs, System.getProperty("java.class.path"));
      resources.add(peer);
      progress("starting a 3-member " + p + " in " + dir + " ...");
      peer.start();
      started.add(peer);
    }
    return failover ? failover(bulwark, started) : throughput(config, bulwark, started, floor);
  }

  /** @param floor the physical floor, or null when the cluster is not the bench's own */
  private int throughput(BenchConfig config, BenchCluster bulwark, List<Peer> peers,
      PhysicalFloor floor) throws Exception {
    List<BenchSystem> systems = new ArrayList<>();
    systems.add(bulwark);
    systems.addAll(peers);
    List<SystemResult> results = new Alternation(new ClosedLoopRunner(), this::progress)
        .run(systems, config, rounds);
    if (jsonOption.json()) {
      env.out().println(JsonFormat.render(BenchReport.json(config, rounds, results, floor)));
    } else {
      env.out().print(BenchReport.table(config, rounds, results, floor));
    }
    env.out().flush();
    List<String> failed = results.stream().filter(SystemResult::failed)
        .map(SystemResult::name).toList();
    if (!failed.isEmpty()) {
      env.err().println("error: no operation was acknowledged in some round by: "
          + String.join(", ", failed) + " (see firstError in --json)");
      return ExitCode.FAILED;
    }
    return ExitCode.OK;
  }

  private int failover(BenchCluster bulwark, List<Peer> peers) throws Exception {
    FailoverRunner runner = new FailoverRunner(FAILOVER_LOAD_CLIENTS, this::progress);
    List<FailoverResult> results = new ArrayList<>();
    results.add(runner.run(bulwark, kills));
    for (Peer p : peers) {
      results.add(runner.run(new PeerFailover(p), kills));
    }
    ObjectNode doc = BenchReport.failoverJson(results);
    if (jsonOption.json()) {
      env.out().println(JsonFormat.render(doc));
    } else {
      env.out().print(BenchReport.failoverTable(results));
    }
    env.out().flush();
    return ExitCode.OK;
  }

  /** The parameters, or a usage error (exit 2) naming the first bad one. */
  private BenchConfig validate() {
    Workload w;
    try {
      w = Workload.parse(workload);
    } catch (IllegalArgumentException e) {
      throw usage("--workload: " + e.getMessage());
    }
    BenchConfig config = new BenchConfig(w, clients, warmup, duration, keys, valueSize,
        System.nanoTime());
    String problem = config.problem();
    if (problem != null) {
      throw usage(problem);
    }
    if (rounds < 1 || rounds > ROUNDS_MAX) {
      throw usage("--rounds must be 1.." + ROUNDS_MAX + ", was " + rounds);
    }
    if (kills < 1 || kills > KILLS_MAX) {
      throw usage("--kills must be 1.." + KILLS_MAX + ", was " + kills);
    }
    if (keyspace.isBlank()) {
      throw usage("--keyspace must not be empty");
    }
    if (failover && cluster != null) {
      throw usage("--failover kills processes, so it runs only on the bench's own local "
          + "cluster; leave out --cluster");
    }
    return config;
  }

  private List<PeerName> peerNames() {
    Set<PeerName> names = new LinkedHashSet<>();
    for (String p : peers) {
      try {
        names.add(PeerName.valueOf(p.toLowerCase(java.util.Locale.ROOT)));
      } catch (IllegalArgumentException e) {
        throw usage("--peer must be etcd or zookeeper, was '" + p + "'");
      }
    }
    return List.copyOf(names);
  }

  /** --cluster, else $BULWARK_CLUSTER (not with --failover), else null: start a local one. */
  private String endpoints() {
    String value = cluster;
    String source = "--cluster";
    if (value == null && !failover) {
      value = env.env().get(CliEnvironment.CLUSTER_ENV);
      source = "$" + CliEnvironment.CLUSTER_ENV;
    }
    if (value == null || value.isBlank()) {
      return null;
    }
    try {
      Endpoints.parse(value);
    } catch (IllegalArgumentException e) {
      throw usage("invalid " + source + " '" + value + "': " + e.getMessage());
    }
    return value;
  }

  private CommandLine.ParameterException usage(String message) {
    return new CommandLine.ParameterException(spec.commandLine(), message);
  }

  private void progress(String line) {
    env.err().println(line);
    env.err().flush();
  }

  /**
   * What the bench started, closed in reverse order exactly once, whether the run ends normally,
   * fails, or the JVM is stopped (the shutdown hook).
   */
  private final class Resources {
    private final Deque<AutoCloseable> stack = new ArrayDeque<>();

    synchronized <T extends AutoCloseable> T add(T resource) {
      stack.push(resource);
      return resource;
    }

    synchronized void closeAll() {
      while (!stack.isEmpty()) {
        AutoCloseable r = stack.pop();
        try {
          r.close();
        } catch (Exception e) {
          env.err().println("warning: could not stop " + r + ": " + e.getMessage());
        }
      }
    }
  }
}
