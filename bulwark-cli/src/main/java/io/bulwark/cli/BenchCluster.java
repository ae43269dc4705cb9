package io.bulwark.cli;

import io.bulwark.bench.BenchSystem;
import io.bulwark.bench.BulwarkTarget;
import io.bulwark.bench.FailoverSubject;
import io.bulwark.bench.Target;
import io.bulwark.bench.TempDirs;
import io.bulwark.cli.local.ClusterFile;
import io.bulwark.cli.workload.ClusterStability;
import io.bulwark.client.BulwarkClient;
import io.bulwark.client.BulwarkException;
import io.bulwark.client.ErrorCode;
import io.bulwark.client.KeyspaceInfo;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The Bulwark side of {@code bench}: either a local 3-node cluster the bench starts itself (with
 * {@code local start}, exactly as a user would, in a temporary directory) or an existing cluster
 * given by {@code --cluster}. It makes sure the keyspace exists (RF 3, acks all, if the bench
 * creates it) and is fully replicated and settled before anything is measured.
 *
 * <p>As a {@link FailoverSubject} (local clusters only) it kills the primary of the probe key's
 * shard with {@code local kill} and brings it back with {@code local revive}.
 */
final class BenchCluster implements BenchSystem, FailoverSubject, AutoCloseable {
  static final int NODES = 3;
  static final int REPLICAS = 3;
  static final int SHARDS = 16;
  static final int MIN_INSYNC = 2;
  static final Duration STABLE_FOR = Duration.ofSeconds(2);
  static final Duration SETTLE_DEADLINE = Duration.ofSeconds(120);

  private final CliEnvironment env;
  private final String keyspace;
  private final Path dir;
  private final boolean keepDir;
  private final List<String> endpoints;
  private BulwarkClient admin;
  private int replicas = REPLICAS;
  private String victim;
  private boolean closed;

  private BenchCluster(CliEnvironment env, String keyspace, Path dir, boolean keepDir,
      List<String> endpoints) {
    this.env = env;
    this.keyspace = keyspace;
    this.dir = dir;
    this.keepDir = keepDir;
    this.endpoints = endpoints;
    // Through the environment's factory, as every other command connects (tests inject theirs).
    this.admin = env.clients().connect(String.join(",", endpoints));
  }

  /** An existing cluster: nothing is started or stopped, and its CPU is not measured. */
  static BenchCluster existing(CliEnvironment env, String endpoints, String keyspace) {
    return new BenchCluster(env, keyspace, null, true, Arrays.asList(endpoints.split(",")));
  }

  /**
   * Starts a local cluster in {@code dir} with {@code local start}, owned by this process: its
   * supervisor stops it if the bench dies without cleaning up (SIGKILL), and it is stopped here
   * if anything after the start fails, before a caller could register it for cleanup.
   */
  static BenchCluster startLocal(CliEnvironment env, Path dir, boolean keepDir, String keyspace) {
    run(env, "local", "start", "--nodes", Integer.toString(NODES), "--dir", dir.toString(),
        "--owner-pid", Long.toString(ProcessHandle.current().pid()));
    try {
      ClusterFile file = LocalCommand.readClusterFile(dir);
      return new BenchCluster(env, keyspace, dir, keepDir,
          Arrays.asList(file.clientEndpoints().split(",")));
    } catch (RuntimeException e) {
      try {
        run(env, "local", "stop", "--dir", dir.toString());
      } catch (RuntimeException stop) {
        e.addSuppressed(stop);
      }
      throw e;
    }
  }

  /**
   * Creates the keyspace if it does not exist (RF 3, 16 shards, min-insync 2, acks all) and waits
   * until every shard has all its replicas and no configuration changed for a while.
   *
   * @return a note for the user if the keyspace exists with another replication or acks
   */
  Optional<String> prepareKeyspace() throws InterruptedException {
    KeyspaceInfo info;
    try {
      info = admin.describeKeyspace(keyspace);
    } catch (BulwarkException e) {
      if (e.code() != ErrorCode.UNKNOWN_KEYSPACE) {
        throw e;
      }
      try {
        info = admin.createKeyspace(keyspace, REPLICAS, SHARDS, MIN_INSYNC, "all");
      } catch (BulwarkException exists) {
        // The controller creates the default keyspace as the cluster starts: a race, not an
        // error. Whatever exists now is what gets checked below.
        if (exists.code() != ErrorCode.KEYSPACE_EXISTS) {
          throw exists;
        }
        info = admin.describeKeyspace(keyspace);
      }
    }
    replicas = info.replicas();
    awaitHealthy();
    if (info.replicas() != REPLICAS || !info.acks().equals("all")) {
      return Optional.of("keyspace " + keyspace + " has " + info.replicas() + " replicas and "
          + "acks " + info.acks() + ", not the peers' 3 replicas with every write on every "
          + "replica's disk (acks all): the comparison is not like for like");
    }
    return Optional.empty();
  }

  @Override
  public String name() {
    return "bulwark";
  }

  @Override
  public Target openTarget() {
    return new BulwarkTarget(endpoints, keyspace);
  }

  /** The nodes and the supervisor (which runs the embedded ZooKeeper); empty for --cluster. */
  @Override
  public List<Long> serverPids() {
    if (dir == null) {
      return List.of();
    }
    Optional<ClusterFile> file = LocalCommand.tryReadClusterFile(dir);
    if (file.isEmpty()) {
      return List.of();
    }
    List<Long> pids = new ArrayList<>();
    pids.add(file.get().supervisorPid());
    file.get().nodes().forEach(n -> pids.add(n.pid()));
    return pids;
  }

  @Override
  public void awaitHealthy() throws InterruptedException {
    try {
      ClusterStability.await(admin, keyspace, replicas, STABLE_FOR, SETTLE_DEADLINE);
    } catch (IllegalStateException e) {
      // Expected on an overloaded machine (shards failing over again and again): a failed
      // run, not a bug.
      throw CliException.failed("bench: " + e.getMessage() + (dir == null ? ""
          : "; node logs: " + dir + "/n*/node.log (kept only with --keep-dirs)"));
    }
  }

  @Override
  public String killServing(byte[] probeKey) {
    requireLocal();
    victim = admin.locate(keyspace, probeKey).primary();
    run(env, "local", "kill", victim, "--dir", dir.toString());
    return "primary " + victim;
  }

  @Override
  public void recover() throws InterruptedException {
    requireLocal();
    if (victim != null) {
      run(env, "local", "revive", victim, "--dir", dir.toString());
      victim = null;
    }
    awaitHealthy();
  }

  private void requireLocal() {
    if (dir == null) {
      throw CliException.usage("--failover needs the bench's own local cluster; it kills "
          + "processes, so it does not run against --cluster");
    }
  }

  /** Stops the local cluster (if the bench started it) and removes its directory. Idempotent. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    admin.close();
    if (dir != null) {
      try {
        run(env, "local", "stop", "--dir", dir.toString());
      } finally {
        if (!keepDir) {
          TempDirs.deleteQuietly(dir);
        }
      }
    }
  }

  /** Runs a {@code local} command in this process; its output is shown only if it fails. */
  private static void run(CliEnvironment env, String... args) {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    PrintStream capture = new PrintStream(buf, true, StandardCharsets.UTF_8);
    int code = Main.execute(args, new CliEnvironment(env.env(), env.in(), capture, capture,
        env.clients()));
    if (code != ExitCode.OK) {
      throw new CliException(ExitCode.FAILED, "bench step 'bulwark " + String.join(" ", args)
          + "' failed (exit " + code + "):\n" + buf.toString(StandardCharsets.UTF_8).trim());
    }
  }

  /** Where the cluster lives (null for --cluster). */
  Path dir() {
    return dir;
  }

  static Path tempDir() throws IOException {
    return java.nio.file.Files.createTempDirectory("bulwark-bench-");
  }
}
