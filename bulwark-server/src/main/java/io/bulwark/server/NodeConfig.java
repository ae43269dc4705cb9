package io.bulwark.server;

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
 * replace-after.ms = 30000          # DESIGN §6: re-replicate a node gone this long (controller)
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
    long replaceAfterMs) {

  private static final Set<String> KEYS = Set.of("node.id", "cluster.name", "zookeeper",
      "client.address", "peer.address", "admin.address", "data.dir", "zone", "lease.ms",
      "grace.ms", "beacon.ms", "zookeeper.session.ms", "replace-after.ms");

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
        millis(m, "replace-after.ms", 30_000, source));
  }

  /**
   * This configuration pointed at another ZooKeeper ensemble ({@code server --zookeeper}).
   *
   * @throws ConfigException if {@code connectString} is not {@code host:port[,host:port...]}
   */
  public NodeConfig withZookeeper(String connectString) {
    hostPorts(Map.of("zookeeper", connectString), "zookeeper", "--zookeeper");
    return new NodeConfig(nodeId, clusterName, connectString, clientAddress, peerAddress,
        adminAddress, dataDir, zone, leaseMs, graceMs, beaconMs, zookeeperSessionMs,
        replaceAfterMs);
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
    b.append("beacon.ms = ").append(beaconMs).append('\n');
    b.append("zookeeper.session.ms = ").append(zookeeperSessionMs).append('\n');
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
