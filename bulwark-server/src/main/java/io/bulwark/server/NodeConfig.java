package io.bulwark.server;

import io.bulwark.core.detect.HealthThresholds;
import io.bulwark.core.detect.PhiAccrualDetector;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;

/**
 * One node's configuration (`bin/bulwark server --config FILE`), a Java properties file:
 *
 * <pre>
 * node.id = n1                      # unique in the cluster
 * cluster.name = local              # ZooKeeper paths live under /bulwark/&lt;cluster.name&gt;
 * zookeeper = 127.0.0.1:2181        # the ensemble's connect string
 * client.address = 127.0.0.1:7001   # gRPC api.proto (clients)
 * peer.address = 127.0.0.1:7101     # gRPC peer.proto (other nodes)
 * admin.address = 127.0.0.1:7201    # HTTP /metrics /health /api/*
 * data.dir = /var/lib/bulwark/n1    # RocksDB lives here
 * zone =                            # optional, for zone-aware placement
 * lease.ms = 300                    # DESIGN §3.6
 * grace.ms = 600                    # DESIGN §3.7
 * beacon.ms = 50
 * zookeeper.session.ms = 10000
 *
 * # Failure detection (DESIGN §6): heartbeats to every live node, judged by phi accrual.
 * heartbeat.ms = 100                # heartbeat period
 * phi.threshold = 8                 # suspect a peer at phi >= this (1e-8 odds it is just late)
 * phi.min-stddev.ms = 50            # floor of the heartbeat-interval deviation
 * phi.acceptable-pause.ms = 1000    # silence tolerated on top of the mean interval (GC, hiccups)
 *
 * # Resource health, sampled once per second: DEGRADED at or beyond these limits...
 * health.cpu.max.percent = 95       # this process's share of all CPUs
 * health.heap-after-gc.max.percent = 90  # heap still in use after a collection
 * health.gc-time.max.percent = 30   # share of a sample interval spent in GC pauses
 * health.fsync-p99.degraded.ms = 50 # p99 of log group-commit fsync in the interval
 * disk.low.bytes = 1073741824       # below this much free space: DEGRADED, no new replicas
 * # ...and FAILED at these:
 * health.fsync-p99.failed.ms = 1000 # fsync stalled
 * disk.reserve.bytes = 67108864     # below this much free space writes are refused (DISK_FULL)
 * # Hysteresis: samples a condition must hold before the verdict gets worse / better.
 * health.degrade-after.samples = 3
 * health.recover-after.samples = 10
 *
 * # Test only: sleep this long after every synced log batch, inflating the observed fsync
 * # latency (for graceful-handover tests). Never set it in production.
 * test.fsync-delay.ms = 0
 * replace-after.ms = 30000          # DESIGN §6: re-replicate a node gone this long (controller)
 * balance.after.ms = 60000          # DESIGN §2: once the same nodes have all been live and
 *                                   # healthy this long, the controller moves primaries from a
 *                                   # node leading 2+ more shards than another (0 = never)
 *
 * # Transactions (DESIGN §5, docs/transactions.md).
 * txn.timeout.ms = 2000             # a record PENDING, or an intent unresolved, this long is
 *                                   # aborted / recovered (each shard primary's own clock)
 * txn.max-lifetime.ms = 10000       # a coordinator stops trying after this and answers UNKNOWN;
 *                                   # must exceed txn.timeout.ms
 * # Test only: the coordinator holds a commit this long after all votes are in, before it sends
 * # the decide, and logs event txn-test-hold (for kill -9 tests). Never set it in production.
 * test.txn-hold-after-votes.ms = 0
 * </pre>
 *
 * {@link #load} refuses unknown keys, missing required keys and malformed values with a message
 * that names the file, the key and what was expected.
 */
public record NodeConfig(
    String nodeId,
    String clusterName,
    String zookeeper,
    String clientAddress,
    String peerAddress,
    String adminAddress,
    Path dataDir,
    String zone,
    long leaseMs,
    long graceMs,
    long beaconMs,
    long zookeeperSessionMs,
    HealthSettings health,
    long testFsyncDelayMs,
    long replaceAfterMs,
    long balanceAfterMs,
    TxnSettings txn) {

  /**
   * Transaction settings (DESIGN §5): {@code timeoutMs} is txn-timeout, {@code maxLifetimeMs}
   * how long a coordinator works on one commit before answering UNKNOWN, and
   * {@code testHoldAfterVotesMs} the test hook described above (0 = off).
   */
  public record TxnSettings(long timeoutMs, long maxLifetimeMs, long testHoldAfterVotesMs) {
    public static final TxnSettings DEFAULTS = new TxnSettings(2_000, 10_000, 0);
  }

  private static final Set<String> KEYS = Set.of("node.id", "cluster.name", "zookeeper",
      "client.address", "peer.address", "admin.address", "data.dir", "zone", "lease.ms",
      "grace.ms", "beacon.ms", "zookeeper.session.ms", "heartbeat.ms", "phi.threshold",
      "phi.min-stddev.ms", "phi.acceptable-pause.ms", "health.cpu.max.percent",
      "health.heap-after-gc.max.percent", "health.gc-time.max.percent",
      "health.fsync-p99.degraded.ms", "health.fsync-p99.failed.ms", "disk.low.bytes",
      "disk.reserve.bytes", "health.degrade-after.samples", "health.recover-after.samples",
      "test.fsync-delay.ms", "replace-after.ms", "balance.after.ms", "txn.timeout.ms",
      "txn.max-lifetime.ms", "test.txn-hold-after-votes.ms");

  /** A configuration file that cannot be used; the message says what is wrong and where. */
  public static final class ConfigException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ConfigException(String message) {
      super(message);
    }
  }

  public static NodeConfig load(Path file) {
    Properties p = new Properties();
    try (Reader r = Files.newBufferedReader(file)) {
      p.load(r);
    } catch (IOException e) {
      throw new ConfigException("cannot read config file " + file + ": " + e.getMessage());
    }
    Map<String, String> m = new TreeMap<>();
    p.stringPropertyNames().forEach(k -> m.put(k, p.getProperty(k).trim()));
    return fromMap(m, file.toString());
  }

  public static NodeConfig fromMap(Map<String, String> m, String source) {
    List<String> unknown = new ArrayList<>();
    for (String k : m.keySet()) {
      if (!KEYS.contains(k)) {
        unknown.add(k);
      }
    }
    if (!unknown.isEmpty()) {
      throw new ConfigException(source + ": unknown key(s) " + unknown + "; known keys are "
          + String.join(", ", new java.util.TreeSet<>(KEYS)));
    }
    return new NodeConfig(
        required(m, "node.id", source),
        m.getOrDefault("cluster.name", "local"),
        hostPorts(m, "zookeeper", source),
        hostPort(m, "client.address", source),
        hostPort(m, "peer.address", source),
        hostPort(m, "admin.address", source),
        Path.of(required(m, "data.dir", source)),
        m.getOrDefault("zone", ""),
        millis(m, "lease.ms", 300, source),
        millis(m, "grace.ms", 600, source),
        millis(m, "beacon.ms", 50, source),
        millis(m, "zookeeper.session.ms", 10_000, source),
        health(m, source),
        count(m, "test.fsync-delay.ms", 0, 0, source),
        millis(m, "replace-after.ms", 30_000, source),
        count(m, "balance.after.ms", 60_000, 0, source),
        txn(m, source));
  }

  private static TxnSettings txn(Map<String, String> m, String source) {
    TxnSettings d = TxnSettings.DEFAULTS;
    long timeout = millis(m, "txn.timeout.ms", d.timeoutMs(), source);
    long lifetime = millis(m, "txn.max-lifetime.ms", Math.max(d.maxLifetimeMs(), 3 * timeout),
        source);
    if (lifetime <= timeout) {
      throw new ConfigException(source + ": txn.max-lifetime.ms (" + lifetime
          + ") must exceed txn.timeout.ms (" + timeout + ")");
    }
    return new TxnSettings(timeout, lifetime,
        count(m, "test.txn-hold-after-votes.ms", 0, 0, source));
  }

  private static HealthSettings health(Map<String, String> m, String source) {
    HealthSettings d = HealthSettings.defaults();
    HealthThresholds t = d.thresholds();
    long ms = HealthSettings.MS;
    long heartbeatMs = millis(m, "heartbeat.ms", d.heartbeatMs(), source);
    try {
      PhiAccrualDetector.Options phi = new PhiAccrualDetector.Options(
          number(m, "phi.threshold", d.phi().threshold(), source),
          d.phi().windowSize(),
          millis(m, "phi.min-stddev.ms", d.phi().minStdDevNanos() / ms, source) * ms,
          count(m, "phi.acceptable-pause.ms", d.phi().acceptablePauseNanos() / ms, 0, source)
              * ms,
          heartbeatMs * ms);
      HealthThresholds thresholds = new HealthThresholds(
          percent(m, "health.cpu.max.percent", t.cpuMax(), source),
          percent(m, "health.heap-after-gc.max.percent", t.heapAfterGcMax(), source),
          percent(m, "health.gc-time.max.percent", t.gcTimeMax(), source),
          millis(m, "health.fsync-p99.degraded.ms", t.fsyncDegradedNanos() / ms, source) * ms,
          millis(m, "health.fsync-p99.failed.ms", t.fsyncFailedNanos() / ms, source) * ms,
          count(m, "disk.low.bytes", t.diskLowBytes(), 0, source),
          count(m, "disk.reserve.bytes", t.diskReserveBytes(), 0, source),
          (int) count(m, "health.degrade-after.samples", t.degradeAfterSamples(), 1, source),
          (int) count(m, "health.recover-after.samples", t.recoverAfterSamples(), 1, source));
      return new HealthSettings(heartbeatMs, phi, thresholds);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(source + ": inconsistent health settings: " + e.getMessage());
    }
  }

  /**
   * This configuration pointed at another ZooKeeper ensemble ({@code server --zookeeper}).
   *
   * @throws ConfigException if {@code connectString} is not {@code host:port[,host:port...]}
   */
  public NodeConfig withZookeeper(String connectString) {
    hostPorts(Map.of("zookeeper", connectString), "zookeeper", "--zookeeper");
    return new NodeConfig(nodeId, clusterName, connectString, clientAddress, peerAddress,
        adminAddress, dataDir, zone, leaseMs, graceMs, beaconMs, zookeeperSessionMs, health,
        testFsyncDelayMs, replaceAfterMs, balanceAfterMs, txn);
  }

  /** Writes this configuration as a properties file that {@link #load} reads back. */
  public void write(Path file) throws IOException {
    StringBuilder b = new StringBuilder("# Bulwark node configuration\n");
    b.append("node.id = ").append(nodeId).append('\n');
    b.append("cluster.name = ").append(clusterName).append('\n');
    b.append("zookeeper = ").append(zookeeper).append('\n');
    b.append("client.address = ").append(clientAddress).append('\n');
    b.append("peer.address = ").append(peerAddress).append('\n');
    b.append("admin.address = ").append(adminAddress).append('\n');
    b.append("data.dir = ").append(dataDir.toString().replace("\\", "\\\\")).append('\n');
    b.append("zone = ").append(zone).append('\n');
    b.append("lease.ms = ").append(leaseMs).append('\n');
    b.append("grace.ms = ").append(graceMs).append('\n');
    b.append("replace-after.ms = ").append(replaceAfterMs).append('\n');
    b.append("balance.after.ms = ").append(balanceAfterMs).append('\n');
    b.append("beacon.ms = ").append(beaconMs).append('\n');
    b.append("zookeeper.session.ms = ").append(zookeeperSessionMs).append('\n');
    long ms = HealthSettings.MS;
    HealthThresholds t = health.thresholds();
    b.append("heartbeat.ms = ").append(health.heartbeatMs()).append('\n');
    b.append("phi.threshold = ").append(health.phi().threshold()).append('\n');
    b.append("phi.min-stddev.ms = ").append(health.phi().minStdDevNanos() / ms).append('\n');
    b.append("phi.acceptable-pause.ms = ").append(health.phi().acceptablePauseNanos() / ms)
        .append('\n');
    b.append("health.cpu.max.percent = ").append(asPercent(t.cpuMax())).append('\n');
    b.append("health.heap-after-gc.max.percent = ").append(asPercent(t.heapAfterGcMax()))
        .append('\n');
    b.append("health.gc-time.max.percent = ").append(asPercent(t.gcTimeMax())).append('\n');
    b.append("health.fsync-p99.degraded.ms = ").append(t.fsyncDegradedNanos() / ms).append('\n');
    b.append("health.fsync-p99.failed.ms = ").append(t.fsyncFailedNanos() / ms).append('\n');
    b.append("disk.low.bytes = ").append(t.diskLowBytes()).append('\n');
    b.append("disk.reserve.bytes = ").append(t.diskReserveBytes()).append('\n');
    b.append("health.degrade-after.samples = ").append(t.degradeAfterSamples()).append('\n');
    b.append("health.recover-after.samples = ").append(t.recoverAfterSamples()).append('\n');
    b.append("test.fsync-delay.ms = ").append(testFsyncDelayMs).append('\n');
    b.append("txn.timeout.ms = ").append(txn.timeoutMs()).append('\n');
    b.append("txn.max-lifetime.ms = ").append(txn.maxLifetimeMs()).append('\n');
    b.append("test.txn-hold-after-votes.ms = ").append(txn.testHoldAfterVotesMs()).append('\n');
    Files.writeString(file, b.toString());
  }

  private static String required(Map<String, String> m, String key, String source) {
    String v = m.get(key);
    if (v == null || v.isEmpty()) {
      throw new ConfigException(source + ": required key '" + key + "' is missing");
    }
    return v;
  }

  private static String hostPort(Map<String, String> m, String key, String source) {
    String v = required(m, key, source);
    checkHostPort(v, key, source);
    return v;
  }

  private static String hostPorts(Map<String, String> m, String key, String source) {
    String v = required(m, key, source);
    for (String part : v.split(",")) {
      checkHostPort(part.trim(), key, source);
    }
    return v;
  }

  private static void checkHostPort(String v, String key, String source) {
    int colon = v.lastIndexOf(':');
    boolean ok = colon > 0 && colon < v.length() - 1;
    if (ok) {
      try {
        int port = Integer.parseInt(v.substring(colon + 1));
        ok = port > 0 && port < 65536;
      } catch (NumberFormatException e) {
        ok = false;
      }
    }
    if (!ok) {
      throw new ConfigException(source + ": '" + key + "' must be host:port with a port in "
          + "1..65535, was '" + v + "'");
    }
  }

  /** A fraction as the percentage {@link #percent} reads back to the same double. */
  private static String asPercent(double fraction) {
    double p = fraction * 100;
    return Math.abs(p - Math.rint(p)) < 1e-9 ? Long.toString((long) Math.rint(p))
        : Double.toString(p);
  }

  /** A whole number >= {@code min}. */
  private static long count(Map<String, String> m, String key, long dflt, long min,
      String source) {
    String v = m.get(key);
    if (v == null || v.isEmpty()) {
      return dflt;
    }
    try {
      long n = Long.parseLong(v);
      if (n < min) {
        throw new NumberFormatException();
      }
      return n;
    } catch (NumberFormatException e) {
      throw new ConfigException(source + ": '" + key + "' must be a whole number >= " + min
          + ", was '" + v + "'");
    }
  }

  /** A positive decimal number. */
  private static double number(Map<String, String> m, String key, double dflt, String source) {
    String v = m.get(key);
    if (v == null || v.isEmpty()) {
      return dflt;
    }
    try {
      double d = Double.parseDouble(v);
      if (!(d > 0) || Double.isInfinite(d)) {
        throw new NumberFormatException();
      }
      return d;
    } catch (NumberFormatException e) {
      throw new ConfigException(source + ": '" + key + "' must be a positive number, was '" + v
          + "'");
    }
  }

  /** A percentage in (0, 100], returned as a fraction. */
  private static double percent(Map<String, String> m, String key, double dflt, String source) {
    String v = m.get(key);
    if (v == null || v.isEmpty()) {
      return dflt;
    }
    try {
      double d = Double.parseDouble(v);
      if (!(d > 0 && d <= 100)) {
        throw new NumberFormatException();
      }
      return d / 100;
    } catch (NumberFormatException e) {
      throw new ConfigException(source + ": '" + key + "' must be a percentage in (0, 100], was '"
          + v + "'");
    }
  }

  private static long millis(Map<String, String> m, String key, long dflt, String source) {
    String v = m.get(key);
    if (v == null || v.isEmpty()) {
      return dflt;
    }
    try {
      long ms = Long.parseLong(v);
      if (ms <= 0) {
        throw new NumberFormatException();
      }
      return ms;
    } catch (NumberFormatException e) {
      throw new ConfigException(source + ": '" + key + "' must be a positive number of "
          + "milliseconds, was '" + v + "'");
    }
  }
}
