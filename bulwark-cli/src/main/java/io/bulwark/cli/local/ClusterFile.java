package io.bulwark.cli.local;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * {@code DIR/cluster.json}, the local cluster's directory of processes (DESIGN §8):
 *
 * <pre>
 * {"zookeeper":"127.0.0.1:P","supervisorPid":42,"runId":"...",
 *  "nodes":[{"id":"n1","pid":123,"state":"running","client":"127.0.0.1:P","peer":"127.0.0.1:P",
 *            "admin":"127.0.0.1:P","dataDir":"...","config":".../n1/node.properties"}]}
 * </pre>
 *
 * The fields DESIGN §8 fixes are {@code zookeeper} and {@code nodes[].id/pid/client/admin/dataDir};
 * the others are additions. Only the supervisor writes the file, always whole: a temporary file in
 * the same directory renamed over the old one, so a reader never sees half a file.
 *
 * @param zookeeper the embedded ZooKeeper's connect string
 * @param supervisorPid the pid of the supervisor process that wrote this file
 * @param runId a token chosen by {@code local start}, so it can tell its supervisor's file from a
 *     stale one left by an earlier run
 * @param nodes every node, in id order
 */
@JsonPropertyOrder({"zookeeper", "supervisorPid", "runId", "nodes"})
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ClusterFile(String zookeeper, long supervisorPid, String runId, List<Node> nodes) {

  public static final String FILE_NAME = "cluster.json";

  private static final ObjectMapper JSON =
      new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  /** What the supervisor last saw of a node process. */
  public enum State {
    /** Its process is alive (it may still be starting up). */
    RUNNING,
    /** It exited unexpectedly; the supervisor starts it again after a backoff. */
    RESTARTING,
    /** It was killed by {@code local kill}; it stays down until {@code local revive}. */
    DOWN,
    /** The supervisor stopped it while shutting down. */
    STOPPED;

    /** The spelling in cluster.json. */
    @com.fasterxml.jackson.annotation.JsonValue
    public String jsonName() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }

    @com.fasterxml.jackson.annotation.JsonCreator
    public static State fromJson(String name) {
      return State.valueOf(name.toUpperCase(java.util.Locale.ROOT));
    }
  }

  /**
   * One node.
   *
   * @param pid the pid of its latest process (0 if it never started)
   */
  @JsonPropertyOrder({"id", "pid", "state", "client", "peer", "admin", "dataDir", "config"})
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Node(
      String id,
      long pid,
      State state,
      String client,
      String peer,
      String admin,
      String dataDir,
      String config) {
    public Node {
      Objects.requireNonNull(id, "id");
      Objects.requireNonNull(client, "client");
    }

    public Node withProcess(long newPid, State newState) {
      return new Node(id, newPid, newState, client, peer, admin, dataDir, config);
    }
  }

  public ClusterFile {
    Objects.requireNonNull(zookeeper, "zookeeper");
    nodes = List.copyOf(nodes);
  }

  /** The node called {@code id}, if there is one. */
  public Optional<Node> node(String id) {
    return nodes.stream().filter(n -> n.id().equals(id)).findFirst();
  }

  /** The client addresses, comma separated, in node order: the value of {@code --cluster}. */
  @JsonIgnore
  public String clientEndpoints() {
    return nodes.stream().map(Node::client).collect(Collectors.joining(","));
  }

  /** The node ids, for messages. */
  @JsonIgnore
  public List<String> nodeIds() {
    List<String> ids = new ArrayList<>();
    nodes.forEach(n -> ids.add(n.id()));
    return ids;
  }

  public ClusterFile withNode(Node updated) {
    List<Node> copy = new ArrayList<>(nodes);
    for (int i = 0; i < copy.size(); i++) {
      if (copy.get(i).id().equals(updated.id())) {
        copy.set(i, updated);
        return new ClusterFile(zookeeper, supervisorPid, runId, copy);
      }
    }
    throw new IllegalArgumentException("no node " + updated.id() + " in " + nodeIds());
  }

  public static Path path(Path dir) {
    return dir.resolve(FILE_NAME);
  }

  /** The JSON text of this file (one line). */
  public String toJson() {
    try {
      return JSON.writeValueAsString(this);
    } catch (IOException e) {
      throw new IllegalStateException("cannot serialise " + this, e);
    }
  }

  public static ClusterFile fromJson(String json) throws IOException {
    ClusterFile f = JSON.readValue(json, ClusterFile.class);
    if (f.nodes() == null) {
      throw new IOException("cluster.json has no \"nodes\"");
    }
    return f;
  }

  /**
   * Reads {@code DIR/cluster.json}; empty if there is none.
   *
   * @throws IOException if it exists but cannot be read or parsed
   */
  public static Optional<ClusterFile> read(Path dir) throws IOException {
    Path file = path(dir);
    String text;
    try {
      text = Files.readString(file);
    } catch (NoSuchFileException e) {
      return Optional.empty();
    }
    try {
      return Optional.of(fromJson(text));
    } catch (IOException | RuntimeException e) {
      throw new IOException("cannot parse " + file + ": " + e.getMessage(), e);
    }
  }

  /** Replaces {@code DIR/cluster.json} atomically (temporary file, then rename). */
  public void write(Path dir) throws IOException {
    Path target = path(dir);
    Path tmp = dir.resolve(FILE_NAME + ".tmp-" + ProcessHandle.current().pid());
    Files.writeString(tmp, toJson() + "\n");
    try {
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.deleteIfExists(tmp);
      throw new IOException("the file system of " + dir + " cannot rename atomically", e);
    }
  }
}
