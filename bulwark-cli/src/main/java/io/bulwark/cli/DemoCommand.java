package io.bulwark.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bulwark.check.CheckResult;
import io.bulwark.check.Checker;
import io.bulwark.check.Model;
import io.bulwark.check.Verdict;
import io.bulwark.check.history.HistoryWriter;
import io.bulwark.cli.workload.ClusterStability;
import io.bulwark.cli.workload.HistoryFiles;
import io.bulwark.cli.workload.RegisterWorkload;
import io.bulwark.cli.workload.ShardProbe;
import io.bulwark.client.BulwarkClient;
import io.bulwark.client.ClientOptions;
import io.bulwark.client.ClusterStatus;
import io.bulwark.client.ShardLocation;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.function.BooleanSupplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code demo} (DESIGN §8): starts a local 3-node cluster with the embedded ZooKeeper, runs
 * concurrent writers and readers, kills the primary of a busy shard with SIGKILL, prints the
 * failover as it happens (detection, new epoch, writes resumed), restarts the killed node and
 * shows it catch up and rejoin as a backup, then checks that every acknowledged write is
 * readable with its last acknowledged value and that the recorded history is linearizable, and
 * stops everything it started. Exit 0 only if every check passed.
 */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description = "Kill -9 a primary under load on a local cluster and watch Bulwark recover.")
final class DemoCommand implements Callable<Integer> {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Set<String> SHOWN_EVENTS = Set.of("grace-expired", "failover",
      "became-primary", "reconciled", "replica-added", "snapshot-installed", "log-truncated",
      "replica-opened");
  static final Duration STEP_DEADLINE = Duration.ofSeconds(60);

  private final CliEnvironment env;

  @Option(names = "--dir", paramLabel = "DIR",
      description = "Where the cluster lives (default: a new temporary directory).")
  private Path dir;

  @Option(names = "--writers", defaultValue = "4",
      description = "Concurrent writers (default: ${DEFAULT-VALUE}).")
  private int writers;

  @Option(names = "--load-seconds", defaultValue = "3",
      description = "Seconds of load before the kill (default: ${DEFAULT-VALUE}).")
  private int loadSeconds;

  private PrintStream out;
  private long killWallMs;
  private long killNanos;
  private final Map<String, Long> seenEvents = new HashMap<>();

  DemoCommand(CliEnvironment env) {
    this.env = env;
  }

  @Override
  public Integer call() throws Exception {
    out = env.out();
    if (dir == null) {
      dir = Files.createTempDirectory("bulwark-demo-");
    }
    say("Starting a local 3-node cluster with an embedded ZooKeeper in %s ...", dir);
    run("local", "start", "--nodes", "3", "--dir", dir.toString());
    try {
      return demo();
    } finally {
      say("Stopping the cluster ...");
      run("local", "stop", "--dir", dir.toString());
      say("Stopped every process the demo started. Logs and the history stay in %s", dir);
    }
  }

  private int demo() throws Exception {
    JsonNode cluster = JSON.readTree(dir.resolve("cluster.json").toFile());
    List<String> endpoints = new ArrayList<>();
    for (JsonNode n : cluster.get("nodes")) {
      endpoints.add(n.get("client").asText());
    }
    Path historyFile = dir.resolve("history.jsonl");
    try (BulwarkClient client = BulwarkClient.connect(endpoints, ClientOptions.defaults()
            .withRequestTimeout(Duration.ofSeconds(20)));
        HistoryWriter history = HistoryFiles.open(historyFile)) {
      try {
        ClusterStability.await(client, "default", 3, Duration.ofSeconds(2), STEP_DEADLINE);
      } catch (IllegalStateException e) {
        // Not a bug: on a starved machine leases lapse and shards keep failing over.
        throw new CliException(ExitCode.FAILED, e.getMessage() + " (is the machine overloaded? "
            + "the node logs are in " + dir + ")", e);
      }
      say("Cluster up: 16 shards, each with a primary and 2 backups.");

      RegisterWorkload load = new RegisterWorkload(client, "default", writers, 10, 5_000_000,
          history);
      ShardLocation target = client.locate("default", bytes(RegisterWorkload.key(0, 0)));
      load.start(2, 7);
      try {
        return failover(client, cluster, load, target, history, historyFile);
      } finally {
        load.stop();
      }
    }
  }

  private int failover(BulwarkClient client, JsonNode cluster, RegisterWorkload load,
      ShardLocation target, HistoryWriter history, Path historyFile)
      throws Exception {
    say("Load: %d writers and 2 readers on %d keys, every operation recorded in %s",
        writers, load.keys().size(), historyFile.getFileName());
    Thread.sleep(loadSeconds * 1000L);
    say("  %d writes acknowledged so far", load.acked());

    String shardName = "default/" + target.shard();
    // A writer of its own on the target shard measures the gap on that shard alone.
    ShardProbe probe = new ShardProbe(client, "default", target.shard());
    await("the probe writes to " + shardName, () -> probe.lastAckNanos() > Long.MIN_VALUE);
    // Read the primary again just before the kill: it may have changed since the load began.
    ShardLocation now = client.locate("default", bytes(RegisterWorkload.key(0, 0)));
    String victim = now.primary();
    say("");
    say("kill -9 %s, the primary of shard %s (epoch %d, backups %s)", victim, shardName,
        now.epoch(), now.backups());
    killWallMs = System.currentTimeMillis();
    killNanos = System.nanoTime();
    probe.resetMaxGap();
    run("local", "kill", victim, "--dir", dir.toString());
    long deadNanos = System.nanoTime();
    timeline("killed %s (SIGKILL; the process is gone)", victim);

    try {
      await("writes to shard " + shardName + " resume", () -> {
        printEvents(cluster, target.shard(), victim);
        return probe.lastAckNanos() > deadNanos;
      });
    } finally {
      probe.close();
    }
    printEvents(cluster, target.shard(), victim);
    timelineAt(probe.lastAckNanos(), "writes resumed on %s: unavailable for %d ms (the "
        + "longest pause between acknowledged writes to it)", shardName,
        probe.maxGapNanos() / 1_000_000);
    ShardLocation after = client.locate("default", bytes(RegisterWorkload.key(0, 0)));
    timeline("shard %s now: epoch %d, primary %s, backups %s", shardName, after.epoch(),
        after.primary(), after.backups());

    Thread.sleep(1000);
    timeline("restarting %s", victim);
    run("local", "revive", victim, "--dir", dir.toString());
    ShardLocation[] rejoined = new ShardLocation[1];
    await(victim + " rejoins shard " + shardName + " as a backup", () -> {
      printEvents(cluster, target.shard(), victim);
      rejoined[0] = find(client.status(), target.shard());
      return rejoined[0] != null && rejoined[0].backups().contains(victim);
    });
    printEvents(cluster, target.shard(), victim);
    timeline("%s caught up and rejoined %s as a backup (epoch %d, backups %s)", victim,
        shardName, rejoined[0].epoch(), rejoined[0].backups());

    load.stop();
    history.close();
    say("");
    say("Checking: %d writes acknowledged, %d refused, %d with unknown outcome",
        load.acked(), load.failed(), load.unknown());
    List<String> lost = load.verifyFinalValues();
    if (lost.isEmpty()) {
      say("  every acknowledged write is readable with its last acknowledged value");
    } else {
      say("  LOST acknowledged writes: %s", lost);
    }
    CheckResult check = Checker.check(HistoryFiles.read(historyFile), Model.REGISTER,
        Duration.ofSeconds(60), System::nanoTime);
    say("  linearizability checker: %s%s", check.verdict().name().toLowerCase(),
        check.anomaly().isEmpty() ? "" : " -- " + check.anomaly());
    boolean ok = lost.isEmpty() && check.verdict() == Verdict.VALID;
    say(ok ? "Demo passed." : "Demo FAILED.");
    return ok ? ExitCode.OK : ExitCode.FAILED;
  }

  private static ShardLocation find(ClusterStatus s, int shard) {
    return s.shards().stream().filter(x -> x.keyspace().equals("default") && x.shard() == shard)
        .findFirst().orElse(null);
  }

  /** Prints new events about the target shard (or the victim) from every live node's log. */
  private void printEvents(JsonNode cluster, int shard, String victim) {
    String shardTag = "shard=default/" + shard + " ";
    for (JsonNode n : cluster.get("nodes")) {
      String node = n.get("id").asText();
      String admin = n.get("admin").asText();
      JsonNode events;
      try {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://" + admin + "/api/events?after="
                    + seenEvents.getOrDefault(node, 0L)))
            .timeout(Duration.ofMillis(500)).build(), HttpResponse.BodyHandlers.ofString());
        events = JSON.readTree(r.body()).get("events");
      } catch (IOException e) {
        continue; // That node is down: it has nothing to say.
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
      for (JsonNode e : events) {
        seenEvents.put(node, e.get("seq").asLong());
        long at = e.get("timeMs").asLong();
        String kind = e.get("kind").asText();
        String detail = e.get("detail").asText() + " ";
        boolean aboutTarget = detail.contains(shardTag);
        if (at >= killWallMs && SHOWN_EVENTS.contains(kind) && aboutTarget) {
          out.printf("  t=+%6.3fs  %-3s %-18s %s%n", (at - killWallMs) / 1000.0, node, kind,
              detail.trim());
        }
      }
    }
  }

  private void timeline(String format, Object... args) {
    timelineAt(System.nanoTime(), format, args);
  }

  private void timelineAt(long nanos, String format, Object... args) {
    out.printf("  t=+%6.3fs  %s%n", (nanos - killNanos) / 1e9, String.format(format, args));
  }

  private void say(String format, Object... args) {
    out.println(String.format(format, args));
  }

  /** Runs another bulwark command in this process; its output is shown only if it fails. */
  private void run(String... args) {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    PrintStream capture = new PrintStream(buf, true, StandardCharsets.UTF_8);
    int code = Main.execute(args, new CliEnvironment(env.env(), env.in(), capture, capture,
        env.clients()));
    if (code != ExitCode.OK) {
      throw new CliException(ExitCode.FAILED, "demo step 'bulwark " + String.join(" ", args)
          + "' failed (exit " + code + "):\n" + buf.toString(StandardCharsets.UTF_8));
    }
  }

  private void await(String what, BooleanSupplier condition) throws InterruptedException {
    long end = System.nanoTime() + STEP_DEADLINE.toNanos();
    while (System.nanoTime() < end) {
      try {
        if (condition.getAsBoolean()) {
          return;
        }
      } catch (RuntimeException e) {
        // The cluster is changing under us; ask again.
      }
      Thread.sleep(50);
    }
    throw new CliException(ExitCode.FAILED, "demo: timed out after " + STEP_DEADLINE
        + " waiting until " + what + " (logs in " + dir + ")");
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
