package io.bulwark.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bulwark.client.BulwarkClient;
import io.bulwark.client.BulwarkException;
import io.bulwark.client.ClusterStatus;
import io.bulwark.client.ErrorCode;
import io.bulwark.client.ShardLocation;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * A real local cluster for multi-process tests, driven only through the product's own commands
 * ({@code bulwark local start|kill|revive|stop}) run as separate JVMs, and read through
 * {@code cluster.json} and the Java client. {@link #close} stops everything and checks that no
 * process it started is left behind.
 */
final class LocalCluster implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  /**
   * Lease and grace for tests that judge something other than failover speed: with the defaults
   * (300 / 600 ms) three nodes starved on a shared, loaded 2-core machine took each other for
   * dead every few seconds (README, known limit), and a test of transactions then measured churn.
   */
  static final String LOADED_LEASE = "lease.ms=1000";
  static final String LOADED_GRACE = "grace.ms=2500";
  private final Path dir;

  private LocalCluster(Path dir) {
    this.dir = dir;
  }

  static LocalCluster start(int nodes, Path dir) throws Exception {
    return start(nodes, dir, List.of());
  }

  /** Starts with node configuration properties ({@code local start --set KEY=VALUE}). */
  static LocalCluster start(int nodes, Path dir, List<String> settings) throws Exception {
    // Owned by this JVM: if it is killed (a failsafe timeout, a Ctrl-C'd build), the cluster
    // stops itself instead of restarting its nodes for ever on the next tests' cores.
    return start(nodes, dir, settings, ProcessHandle.current().pid());
  }

  /** Starts a cluster that stops itself when process {@code ownerPid} exits. */
  static LocalCluster start(int nodes, Path dir, List<String> settings, long ownerPid)
      throws Exception {
    LocalCluster c = new LocalCluster(dir);
    // Patient: CI machines here are shared, and three node JVMs starting at once on 2 loaded
    // cores have taken over a minute to answer.
    List<String> args = new ArrayList<>(List.of("local", "start", "--nodes",
        String.valueOf(nodes), "--dir", dir.toString(), "--wait", "180s",
        "--owner-pid", String.valueOf(ownerPid)));
    for (String kv : settings) {
      args.add("--set");
      args.add(kv);
    }
    c.cli(Duration.ofSeconds(240), args.toArray(new String[0]));
    return c;
  }

  /** Every event of every live node ({@code /api/events} on each admin address). */
  List<JsonNode> events() throws IOException {
    List<JsonNode> out = new ArrayList<>();
    for (JsonNode n : clusterJson().get("nodes")) {
      try {
        java.net.URL url = java.net.URI.create(
            "http://" + n.get("admin").asText() + "/api/events").toURL();
        java.net.HttpURLConnection c = (java.net.HttpURLConnection) url.openConnection();
        c.setConnectTimeout(2_000);
        c.setReadTimeout(5_000);
        try (java.io.InputStream in = c.getInputStream()) {
          JSON.readTree(in).get("events").forEach(out::add);
        }
      } catch (IOException e) {
        // A dead node has no events to give.
      }
    }
    return out;
  }

  /**
   * The sum of every sample of gauge or counter {@code name} over the live nodes' {@code /metrics}
   * (a node that does not answer counts 0: it serves nothing).
   */
  double metricSum(String name) throws IOException {
    double sum = 0;
    for (JsonNode n : clusterJson().get("nodes")) {
      String text;
      try {
        java.net.HttpURLConnection c = (java.net.HttpURLConnection) java.net.URI.create(
            "http://" + n.get("admin").asText() + "/metrics").toURL().openConnection();
        c.setConnectTimeout(2_000);
        c.setReadTimeout(5_000);
        try (java.io.InputStream in = c.getInputStream()) {
          text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
      } catch (IOException e) {
        continue;
      }
      for (String line : text.split("\n")) {
        if (line.startsWith(name + "{") || line.startsWith(name + " ")) {
          sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
        }
      }
    }
    return sum;
  }

  /** Whether some live node logged an event of {@code kind} whose detail contains {@code text}. */
  boolean eventSeen(String kind, String text) throws IOException {
    for (JsonNode e : events()) {
      if (kind.equals(e.path("kind").asText()) && e.path("detail").asText().contains(text)) {
        return true;
      }
    }
    return false;
  }

  /** Runs a bulwark command in its own JVM and returns its stdout; fails on a non-zero exit. */
  String cli(Duration timeout, String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), "io.bulwark.cli.Main"));
    cmd.addAll(List.of(args));
    Path out = Files.createTempFile(dir.getParent(), "cli", ".out");
    Path err = Files.createTempFile(dir.getParent(), "cli", ".err");
    Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile())
        .start();
    if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("bulwark " + String.join(" ", args) + " did not finish within "
          + timeout + ":\n" + Files.readString(out) + Files.readString(err));
    }
    String text = Files.readString(out, StandardCharsets.UTF_8);
    if (p.exitValue() != 0) {
      throw new AssertionError("bulwark " + String.join(" ", args) + " exited "
          + p.exitValue() + ":\n" + text + Files.readString(err, StandardCharsets.UTF_8));
    }
    return text;
  }

  JsonNode clusterJson() throws IOException {
    return JSON.readTree(dir.resolve("cluster.json").toFile());
  }

  String endpoints() throws IOException {
    List<String> eps = new ArrayList<>();
    for (JsonNode n : clusterJson().get("nodes")) {
      eps.add(n.get("client").asText());
    }
    return String.join(",", eps);
  }

  List<Long> pids() throws IOException {
    List<Long> pids = new ArrayList<>();
    JsonNode root = clusterJson();
    if (root.has("supervisorPid")) {
      pids.add(root.get("supervisorPid").asLong());
    }
    for (JsonNode n : root.get("nodes")) {
      pids.add(n.get("pid").asLong());
    }
    return pids;
  }

  void kill(String node) throws Exception {
    cli(Duration.ofSeconds(60), "local", "kill", node, "--dir", dir.toString());
  }

  /**
   * {@code local kill NODE} run in this JVM rather than a new one: the same command, without the
   * seconds a fresh JVM takes to start on a loaded machine, for tests that must kill a node
   * inside a window.
   */
  void killNow(String node) {
    int code = io.bulwark.cli.Main.execute(new String[] {"local", "kill", node, "--dir",
        dir.toString()}, io.bulwark.cli.CliEnvironment.system());
    if (code != 0) {
      throw new AssertionError("bulwark local kill " + node + " exited " + code);
    }
  }

  void revive(String node) throws Exception {
    cli(Duration.ofSeconds(60), "local", "revive", node, "--dir", dir.toString());
  }

  /** Waits for a named condition with a deadline; fails naming it. */
  static void await(String what, Duration deadline, BooleanSupplier condition)
      throws InterruptedException {
    long end = System.nanoTime() + deadline.toNanos();
    RuntimeException last = null;
    while (System.nanoTime() < end) {
      try {
        if (condition.getAsBoolean()) {
          return;
        }
      } catch (RuntimeException e) {
        last = e; // The cluster is changing under us; ask again, and name it if we give up.
      }
      Thread.sleep(50);
    }
    throw new AssertionError("timed out after " + deadline + " waiting for: " + what
        + (last == null ? "" : " (last error: " + last + ")"), last);
  }

  /**
   * Creates a keyspace, retrying while the cluster settles. KEYSPACE_EXISTS counts as done: an
   * earlier attempt whose reply was lost (a timeout on a loaded machine) may have created it.
   */
  static void createKeyspace(BulwarkClient client, String name, int replicas, int shards,
      int minInsync, String acks) throws InterruptedException {
    await("keyspace " + name + " is created", Duration.ofSeconds(60), () -> {
      try {
        client.createKeyspace(name, replicas, shards, minInsync, acks);
      } catch (BulwarkException e) {
        if (e.code() != ErrorCode.KEYSPACE_EXISTS) {
          throw e;
        }
      }
      return true;
    });
  }

  static ShardLocation shardOf(ClusterStatus status, String keyspace, int shard) {
    for (ShardLocation s : status.shards()) {
      if (s.keyspace().equals(keyspace) && s.shard() == shard) {
        return s;
      }
    }
    return null;
  }

  @Override
  public void close() throws Exception {
    List<Long> pids = pids();
    cli(Duration.ofSeconds(60), "local", "stop", "--dir", dir.toString());
    for (long pid : pids) {
      await("process " + pid + " to exit", Duration.ofSeconds(10),
          () -> ProcessHandle.of(pid).map(h -> !h.isAlive()).orElse(true));
    }
  }
}
