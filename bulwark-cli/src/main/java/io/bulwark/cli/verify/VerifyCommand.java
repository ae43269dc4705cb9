package io.bulwark.cli.verify;

import io.bulwark.check.CheckResult;
import io.bulwark.check.Checker;
import io.bulwark.check.history.History;
import io.bulwark.check.history.HistoryWriter;
import io.bulwark.cli.CliEnvironment;
import io.bulwark.cli.CliException;
import io.bulwark.cli.ExitCode;
import io.bulwark.cli.JsonFormat;
import io.bulwark.cli.JsonOption;
import io.bulwark.cli.workload.ClusterStability;
import io.bulwark.cli.workload.HistoryFiles;
import io.bulwark.client.BulwarkClient;
import io.bulwark.client.BulwarkException;
import io.bulwark.client.ClientOptions;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code verify} (issue 4): starts a local cluster of real processes, runs a workload that
 * records a DESIGN §9 history while nemeses inject real faults on a schedule drawn from the seed,
 * heals them, waits for recovery, reads every key once more, stops everything it started, and
 * judges the history. Prints the {@link Verdict}; exit 0 valid, 1 invalid, 2 usage error, 4
 * unknown (the checker's time limit). See docs/testing.md.
 */
@Command(
    name = "verify",
    mixinStandardHelpOptions = true,
    description = "Run a workload against a local cluster under real faults and check the "
        + "history (Jepsen-style).",
    footer = {"", "Exit codes: 0 valid, 1 invalid (or the run could not be carried out), "
        + "2 usage error, 4 unknown (checker time limit)."})
public final class VerifyCommand implements Callable<Integer> {
  static final List<String> NEMESES =
      List.of("kill", "pause", "partition", "disk-full", "zookeeper", "clock", "none");
  static final int NODES_MIN = 3;
  static final int NODES_MAX = 9;
  static final int TIME_MAX_SECONDS = 3_600;
  static final int CLIENTS_MAX = 100;
  static final int RATE_MAX = 10_000;
  static final int ZOOKEEPER_SERVERS_MAX = 5;
  static final String KEYSPACE = "verify";
  static final int KEYSPACE_SHARDS = 8;
  static final Duration SETTLE_DEADLINE = Duration.ofSeconds(120);
  static final Duration RECOVERY_DEADLINE = Duration.ofSeconds(90);
  /** Between faults: how long the schedule waits for the cluster to be whole again. */
  static final Duration FAULT_RECOVERY_DEADLINE = Duration.ofSeconds(30);
  static final Duration FINAL_READ_DEADLINE = Duration.ofSeconds(60);
  static final Duration CHECK_LIMIT = Duration.ofSeconds(180);
  static final ClientOptions CLIENT_OPTIONS = new ClientOptions(Duration.ofSeconds(5),
      Duration.ofSeconds(1), Duration.ofMillis(10), Duration.ofMillis(250));
  static final String CLOCK_UNSUPPORTED = "the clock nemesis is not available: verify never "
      + "changes the machine's clock, and a per-process clock fault would need an LD_PRELOAD "
      + "interposer (libfaketime) under every node JVM, which this build does not ship; the one "
      + "clock property the protocol relies on (each process's monotonic clock rate within "
      + "1 %) is exercised by the simulator (bin/bulwark sim). See docs/testing.md";

  private final CliEnvironment env;

  @CommandLine.Spec private CommandLine.Model.CommandSpec spec;

  @Option(names = "--nodes", defaultValue = "3", paramLabel = "N",
      description = "Nodes (default: ${DEFAULT-VALUE}; " + NODES_MIN + ".." + NODES_MAX + ").")
  private int nodes;

  @Option(names = "--time", defaultValue = "60", paramLabel = "SECONDS",
      description = "Seconds of faults under load (default: ${DEFAULT-VALUE}); the run goes on "
          + "until every nemesis struck once, then heals and checks.")
  private int timeSeconds;

  @Option(names = "--nemesis", defaultValue = "kill,pause", paramLabel = "LIST", split = ",",
      description = "Faults, comma separated: kill, pause, partition, disk-full, zookeeper "
          + "(clock: not available, see docs), or none (default: ${DEFAULT-VALUE}).")
  private List<String> nemesisArg;

  @Option(names = "--workload", defaultValue = "register", paramLabel = "register|bank",
      description = "register: read/write/cas on a few keys per client group (default). bank: "
          + "transfers between 10 accounts in transactions, audits of the total.")
  private String workloadName;

  @Option(names = "--clients", defaultValue = "10", paramLabel = "N",
      description = "Concurrent clients (default: ${DEFAULT-VALUE}, at most " + CLIENTS_MAX
          + ").")
  private int clients;

  @Option(names = "--rate", defaultValue = "200", paramLabel = "OPS",
      description = "Target operations per second, all clients together (default: "
          + "${DEFAULT-VALUE}, at most " + RATE_MAX + ").")
  private int rate;

  @Option(names = "--keyspace-acks", defaultValue = "all", paramLabel = "all|primary",
      description = "acks of the keyspace under test: all (default) or primary (the documented "
          + "trade-off that loses acknowledged writes when a primary dies).")
  private String acks;

  @Option(names = "--zookeeper-ensemble", defaultValue = "1", paramLabel = "N",
      description = "ZooKeeper server processes: 1 (default) or an odd number up to "
          + ZOOKEEPER_SERVERS_MAX + " (3 is the production shape).")
  private int zookeeperServers;

  @Option(names = "--dir", paramLabel = "RUN_DIR",
      description = "The run folder (default: ./verify-runs/<UTC time>-<run id>).")
  private Path dir;

  @Option(names = "--seed", paramLabel = "S",
      description = "Seed of the fault schedule and the workload (default: random, printed).")
  private Long seed;

  @Mixin private JsonOption jsonOption;

  VerifyCommand(CliEnvironment env) {
    this.env = env;
  }

  @Override
  public Integer call() throws Exception {
    Set<String> kinds = validate();
    long runSeed = seed != null ? seed : new SecureRandom().nextLong() & Long.MAX_VALUE;
    String runId = String.format("%06x", new SecureRandom().nextInt(1 << 24));
    RunDirectory run = RunDirectory.create(dir, runId);
    PrintStream err = env.err();
    err.printf("verify: run folder %s, seed %d%n", run.dir(), runSeed);
    Cleanup cleanup = new Cleanup(run.cleanupLog());
    cleanup.installShutdownHook();
    try {
      VerifyRun r = new VerifyRun(run, cleanup, "bwv-" + runId, runSeed, err);
      Verdict verdict = r.execute(kinds, command(runSeed));
      Files.writeString(run.verdict(), JsonFormat.render(verdict.toJson()) + "\n");
      if (jsonOption.json()) {
        env.out().println(JsonFormat.render(verdict.toJson()));
      } else {
        env.out().print(verdict.toText());
      }
      env.out().flush();
      return verdict.exitCode();
    } catch (VerifyException e) {
      throw new CliException(ExitCode.FAILED, "verify could not be carried out: "
          + e.getMessage() + " (run folder " + run.dir() + ")", e);
    } finally {
      cleanup.close();
    }
  }

  private Set<String> validate() {
    if (nodes < NODES_MIN || nodes > NODES_MAX) {
      throw usage("--nodes must be " + NODES_MIN + ".." + NODES_MAX + " (replication factor 3), "
          + "was " + nodes);
    }
    if (timeSeconds < 1 || timeSeconds > TIME_MAX_SECONDS) {
      throw usage("--time must be 1.." + TIME_MAX_SECONDS + " seconds, was " + timeSeconds);
    }
    if (clients < 1 || clients > CLIENTS_MAX) {
      throw usage("--clients must be 1.." + CLIENTS_MAX + ", was " + clients);
    }
    if (rate < 1 || rate > RATE_MAX) {
      throw usage("--rate must be 1.." + RATE_MAX + " operations per second, was " + rate);
    }
    if (zookeeperServers < 1 || zookeeperServers > ZOOKEEPER_SERVERS_MAX
        || zookeeperServers % 2 == 0) {
      throw usage("--zookeeper-ensemble must be an odd number of servers, 1.."
          + ZOOKEEPER_SERVERS_MAX + ", was " + zookeeperServers);
    }
    if (!acks.equals("all") && !acks.equals("primary")) {
      throw usage("--keyspace-acks must be all or primary, was '" + acks + "'");
    }
    if (!workloadName.equals("register") && !workloadName.equals("bank")) {
      throw usage("--workload must be register or bank, was '" + workloadName + "'");
    }
    Set<String> kinds = new LinkedHashSet<>();
    for (String n : nemesisArg) {
      String k = n.trim();
      if (!NEMESES.contains(k)) {
        throw usage("unknown nemesis '" + k + "'; known: " + String.join(", ", NEMESES));
      }
      if (k.equals("clock")) {
        throw usage(CLOCK_UNSUPPORTED);
      }
      if (!k.equals("none")) {
        kinds.add(k);
      }
    }
    return kinds;
  }

  private CommandLine.ParameterException usage(String message) {
    return new CommandLine.ParameterException(spec.commandLine(), message);
  }

  private String command(long runSeed) {
    return "bin/bulwark verify --nodes " + nodes + " --time " + timeSeconds + " --nemesis "
        + String.join(",", nemesisArg) + " --workload " + workloadName + " --clients " + clients
        + " --rate " + rate + " --keyspace-acks " + acks + " --zookeeper-ensemble "
        + zookeeperServers + " --seed " + runSeed;
  }

  /** One run's steps, in order. */
  private final class VerifyRun {
    private final RunDirectory run;
    private final Cleanup cleanup;
    private final String prefix;
    private final long runSeed;
    private final PrintStream err;
    private final SplittableRandom random;
    private final FaultTimeline timeline;
    private final List<String> problems = new ArrayList<>();
    private final List<String> warnings = new ArrayList<>();

    VerifyRun(RunDirectory run, Cleanup cleanup, String prefix, long runSeed, PrintStream err) {
      this.run = run;
      this.cleanup = cleanup;
      this.prefix = prefix;
      this.runSeed = runSeed;
      this.err = err;
      this.random = new SplittableRandom(runSeed);
      this.timeline = new FaultTimeline(run.faults());
    }

    Verdict execute(Set<String> kinds, String replay) throws Exception {
      long startNanos = System.nanoTime();
      List<String> ids = VerifyCluster.nodeIds(nodes);
      NamespaceNetwork network = kinds.contains("partition") ? network(ids) : null;
      Map<String, String> settings = new TreeMap<>();
      if (kinds.contains("disk-full") && mountDataDisks(ids)) {
        settings.putAll(DiskFullNemesis.nodeSettings());
      }
      VerifyCluster cluster = new VerifyCluster(run, nodes, zookeeperServers, settings, network,
          cleanup, new ProcessLog(run.processes()));
      err.printf("verify: starting %d nodes and %d ZooKeeper server(s)%s ...%n", nodes,
          zookeeperServers, network == null ? " on 127.0.0.1"
              : " in network namespaces " + prefix + "-n*");
      cluster.start();
      HistoryAnalysis.Result analysis;
      List<String> keys;
      Map<String, Long> errors;
      String model;
      long endNanos;
      try (BulwarkClient client = BulwarkClient.connect(cluster.clientEndpoints(),
          CLIENT_OPTIONS)) {
        createKeyspace(client);
        VerifyWorkload workload;
        try (HistoryWriter history = HistoryFiles.open(run.history())) {
          workload = workloadName.equals("bank")
              ? new BankVerifyWorkload(client, KEYSPACE, clients, rate, history, runSeed)
              : new RegisterVerifyWorkload(client, KEYSPACE, clients, rate, history, runSeed);
          keys = workload.keys();
          model = workload.model().cliName();
          Targets targets = new Targets(client, KEYSPACE, keys, ids);
          List<Nemesis> nemeses = nemeses(kinds, cluster, network, settings, targets,
              client, workload);
          NemesisRunner runner = new NemesisRunner(nemeses, random.split(), timeline, cluster,
              NemesisRunner.Schedule.DEFAULT, () -> awaitWhole(client, FAULT_RECOVERY_DEADLINE));
          err.printf("verify: %d clients on %d keys for %d s with nemeses %s ...%n", clients,
              keys.size(), timeSeconds, nemeses.stream().map(Nemesis::kind).toList());
          workload.start();
          try {
            runFaults(runner);
          } finally {
            runner.healActive();
            timeline.closeOpen(System.nanoTime());
          }
          recover(client, cluster, runner);
          workload.stop();
          List<String> unread = workload.finalReads(FINAL_READ_DEADLINE);
          if (!unread.isEmpty()) {
            problems.add("keys not readable within " + FINAL_READ_DEADLINE.toSeconds()
                + " s after recovery: " + unread);
          }
          problems.addAll(workload.invariantViolations());
          errors = workload.errors();
        }
        endNanos = System.nanoTime();
      }
      err.println("verify: stopping the cluster and checking the history ...");
      cleanup.close();
      cleanup.failures().forEach(f -> problems.add("cleanup: " + f));
      History recorded = HistoryFiles.read(run.history());
      analysis = HistoryAnalysis.analyse(recorded.operations(), timeline.windows(), endNanos);
      CheckResult check = Checker.check(recorded, io.bulwark.check.Model.fromCliName(model),
          CHECK_LIMIT, System::nanoTime);
      List<String> lostDetails = analysis.lostWrites().stream()
          .map(w -> w.describe(startNanos)).toList();
      return new Verdict(runSeed, replay, run.dir().toString(), workloadName, acks,
          (System.nanoTime() - startNanos) / 1e9, analysis, lostDetails, errors,
          timeline.injected(), timeline.skipped(), model, check, timeline.crashes(), problems,
          warnings);
    }

    private NamespaceNetwork network(List<String> ids) {
      Optional<String> why = NamespaceNetwork.unavailableReason(prefix);
      if (why.isPresent()) {
        err.println("verify: network namespaces cannot be used (" + why.get() + "): the nodes "
            + "run on 127.0.0.1 and the partition nemesis is SKIPPED");
        timeline.skipped("partition", why.get());
        return null;
      }
      return NamespaceNetwork.create(prefix, ids, random.split(), cleanup);
    }

    private boolean mountDataDisks(List<String> ids) throws Exception {
      for (String id : ids) {
        Optional<String> why = TmpfsMounts.mount(run.node(id).resolve("data"),
            DiskFullNemesis.TMPFS_BYTES, cleanup);
        if (why.isPresent()) {
          err.println("verify: " + why.get() + ": the disk-full nemesis is SKIPPED");
          timeline.skipped("disk-full", why.get());
          return false;
        }
      }
      return true;
    }

    private List<Nemesis> nemeses(Set<String> kinds, VerifyCluster cluster,
        NamespaceNetwork network, Map<String, String> settings, Targets targets,
        BulwarkClient client, VerifyWorkload workload) {
      List<Nemesis> list = new ArrayList<>();
      for (String k : kinds) {
        switch (k) {
          case "kill":
            list.add(new KillNemesis(cluster, targets, client, KEYSPACE, workload));
            break;
          case "pause":
            list.add(new PauseNemesis(cluster, targets));
            break;
          case "partition":
            if (network != null) {
              list.add(new PartitionNemesis(network, cluster, targets));
            }
            break;
          case "disk-full":
            if (!settings.isEmpty()) {
              list.add(new DiskFullNemesis(cluster, targets));
            }
            break;
          case "zookeeper":
            list.add(new ZooKeeperNemesis(cluster));
            break;
          default:
            throw new IllegalStateException("nemesis " + k + " passed validation");
        }
      }
      return list;
    }

    private void createKeyspace(BulwarkClient client) throws InterruptedException {
      long end = System.nanoTime() + SETTLE_DEADLINE.toNanos();
      while (true) {
        try {
          client.createKeyspace(KEYSPACE, 3, KEYSPACE_SHARDS, 2, acks);
          break;
        } catch (BulwarkException e) {
          if (e.code() == io.bulwark.client.ErrorCode.KEYSPACE_EXISTS) {
            break; // An earlier attempt whose reply was lost created it.
          }
          if (System.nanoTime() - end > 0) {
            throw new VerifyException("could not create keyspace " + KEYSPACE + " within "
                + SETTLE_DEADLINE.toSeconds() + " s: " + e.getMessage());
          }
          Thread.sleep(200);
        }
      }
      try {
        ClusterStability.await(client, KEYSPACE, 3, Duration.ofSeconds(2), SETTLE_DEADLINE);
      } catch (IllegalStateException e) {
        throw new VerifyException("the new cluster did not settle before any fault: "
            + e.getMessage() + " (is the machine overloaded?)");
      }
    }

    /**
     * Null once every shard of the keyspace has a primary and 2 backups and no learner (its
     * replication restored; configurations may still change, a loaded machine hands shards
     * over); else the shards last seen when {@code deadline} passed.
     */
    private String awaitWhole(BulwarkClient client, Duration deadline)
        throws InterruptedException {
      long end = System.nanoTime() + deadline.toNanos();
      String last = "no status";
      while (System.nanoTime() - end < 0) {
        try {
          List<io.bulwark.client.ShardLocation> shards = client.status().shards().stream()
              .filter(s -> s.keyspace().equals(KEYSPACE)).toList();
          if (shards.size() == KEYSPACE_SHARDS && shards.stream()
              .allMatch(s -> s.backups().size() == 2 && s.learners().isEmpty())) {
            return null;
          }
          last = shards.toString();
        } catch (BulwarkException e) {
          last = "status failed: " + e.getMessage();
        }
        Thread.sleep(200);
      }
      return "not every shard of " + KEYSPACE + " had 3 replicas within " + deadline.toSeconds()
          + " s; last seen: " + last;
    }

    private void runFaults(NemesisRunner runner) throws Exception {
      long end = System.nanoTime() + Duration.ofSeconds(timeSeconds).toNanos();
      Exception[] failure = new Exception[1];
      Thread t = new Thread(() -> {
        try {
          runner.run(end);
        } catch (Exception e) {
          failure[0] = e;
        }
      }, "verify-nemesis");
      t.start();
      try {
        t.join();
      } catch (InterruptedException e) {
        runner.stop();
        t.join();
        throw e;
      }
      if (failure[0] != null) {
        throw new VerifyException("a nemesis failed: " + failure[0].getMessage(), failure[0]);
      }
    }

    /** After the last heal: dead nodes restarted, every shard fully replicated and stable. */
    private void recover(BulwarkClient client, VerifyCluster cluster, NemesisRunner runner)
        throws Exception {
      runner.reviveCrashed();
      err.println("verify: every fault healed; waiting for the cluster to recover ...");
      String missing = awaitWhole(client, RECOVERY_DEADLINE);
      if (missing != null) {
        // Not a safety violation: the final reads below show whether the data is there.
        warnings.add("the cluster was not fully re-replicated within "
            + RECOVERY_DEADLINE.toSeconds() + " s after every fault was healed: " + missing);
      }
      runner.reviveCrashed();
    }
  }
}
