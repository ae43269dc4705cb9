package io.bulwark.cli;

import io.bulwark.client.ClusterStatus;
import io.bulwark.client.KeyspaceInfo;
import io.bulwark.client.LearnerCopy;
import io.bulwark.client.NodeStatus;
import io.bulwark.client.ShardLocation;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The human-readable output of the CLI (without {@code --json}). Not a contract: scripts should
 * use {@code --json}. Stateless and thread-safe.
 */
public final class TextFormat {
  private TextFormat() {}

  public static String utf8(byte[] bytes) {
    return new String(bytes, StandardCharsets.UTF_8);
  }

  /** {@code keyspace=default shard=3 epoch=5 primary=n2 (127.0.0.1:7002) backups=n1,n3 learners=-} */
  public static String locate(ShardLocation s) {
    String primary = s.primary().isEmpty() ? "-" : s.primary();
    if (!s.primaryAddress().isEmpty()) {
      primary += " (" + s.primaryAddress() + ")";
    }
    return "keyspace=" + s.keyspace() + " shard=" + s.shard() + " epoch=" + s.epoch()
        + " primary=" + primary + " backups=" + ids(s.backups()) + " learners="
        + ids(s.learners());
  }

  /** A table of nodes, the controller, and a table of shards. */
  public static String status(ClusterStatus status) {
    List<List<String>> nodes = new ArrayList<>();
    nodes.add(List.of("NODE", "CLIENT", "ADMIN", "ALIVE", "HEALTH", "REASON"));
    for (NodeStatus n : status.nodes()) {
      String reason = n.reason() + (n.diskLow() && !n.reason().contains("disk")
          ? (n.reason().isEmpty() ? "" : "; ") + "disk low" : "");
      nodes.add(List.of(n.id(), n.client(), n.admin(), n.alive() ? "yes" : "no", n.health(),
          reason.isEmpty() ? "-" : reason));
    }
    StringBuilder b = new StringBuilder(table(nodes));
    b.append("controller: ").append(status.controller().isEmpty() ? "-" : status.controller())
        .append("\n\n");
    b.append(shardTable(status.shards()));
    return b.toString();
  }

  /** One line of spec, then (if known) the shards. */
  public static String keyspace(KeyspaceInfo info) {
    StringBuilder b = new StringBuilder(keyspaceLine(info)).append('\n');
    if (!info.shardLocations().isEmpty()) {
      b.append('\n').append(shardTable(info.shardLocations()));
    }
    return b.toString();
  }

  public static String keyspaces(List<KeyspaceInfo> infos) {
    List<List<String>> rows = new ArrayList<>();
    rows.add(List.of("KEYSPACE", "STRATEGY", "REPLICAS", "SHARDS", "MIN-INSYNC", "ACKS"));
    for (KeyspaceInfo k : infos) {
      rows.add(List.of(k.name(), k.strategy(), Integer.toString(k.replicas()),
          Integer.toString(k.shards()), Integer.toString(k.minInsync()), k.acks()));
    }
    return table(rows);
  }

  static String keyspaceLine(KeyspaceInfo k) {
    return "keyspace=" + k.name() + " strategy=" + k.strategy() + " replicas=" + k.replicas()
        + " shards=" + k.shards() + " min-insync=" + k.minInsync() + " acks=" + k.acks();
  }

  static String shardTable(List<ShardLocation> shards) {
    List<List<String>> rows = new ArrayList<>();
    rows.add(List.of("KEYSPACE", "SHARD", "EPOCH", "PRIMARY", "BACKUPS", "LEARNERS"));
    for (ShardLocation s : shards) {
      rows.add(List.of(s.keyspace(), Integer.toString(s.shard()), Long.toString(s.epoch()),
          s.primary().isEmpty() ? "-" : s.primary(), ids(s.backups()), learners(s)));
    }
    return table(rows);
  }

  /**
   * Learners, each with its copy's progress when the primary reported it: {@code
   * n4(63%, 12.4 MiB)} — the percent of the log it acked and the bytes copied to it (snapshot
   * keys and values sent, plus the log entries it acked).
   */
  private static String learners(ShardLocation s) {
    List<String> out = new ArrayList<>();
    for (String l : s.learners()) {
      String p = "";
      for (LearnerCopy c : s.learnerProgress()) {
        p = c.node().equals(l) ? "(" + c.percent() + "%, " + bytes(c.bytes()) + ")" : p;
      }
      out.add(l + p);
    }
    return ids(out);
  }

  /** Bytes for people, in binary units with one decimal: {@code 512 B}, {@code 12.4 MiB}. */
  static String bytes(long b) {
    if (b < 1024) {
      return b + " B";
    }
    String[] units = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
    double v = b / 1024.0;
    int u = 0;
    while (v >= 1023.95 && u < units.length - 1) { // 1023.95 would print as "1024.0"
      v /= 1024;
      u++;
    }
    return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
  }

  private static String ids(List<String> ids) {
    return ids.isEmpty() ? "-" : String.join(",", ids);
  }

  /** Left-aligned columns separated by two spaces; the first row is the header. */
  static String table(List<List<String>> rows) {
    int columns = rows.get(0).size();
    int[] width = new int[columns];
    for (List<String> row : rows) {
      for (int c = 0; c < columns; c++) {
        width[c] = Math.max(width[c], row.get(c).length());
      }
    }
    StringBuilder b = new StringBuilder();
    for (List<String> row : rows) {
      StringBuilder line = new StringBuilder();
      for (int c = 0; c < columns; c++) {
        line.append(row.get(c));
        if (c < columns - 1) {
          line.append(" ".repeat(width[c] - row.get(c).length() + 2));
        }
      }
      b.append(line.toString().stripTrailing()).append('\n');
    }
    return b.toString();
  }
}
