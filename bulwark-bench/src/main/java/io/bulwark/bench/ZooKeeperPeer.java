package io.bulwark.bench;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A ZooKeeper ensemble (3 servers on 127.0.0.1 for the bench; {@code bulwark verify} also runs
 * one server alone, or binds them to the address of a bridge that network namespaces reach), each
 * server a JVM running {@code
 * org.apache.zookeeper.server.quorum.QuorumPeerMain zoo.cfg} from the ZooKeeper jar on the
 * bench's own class path (which also carries metrics-core, snappy-java and commons-cli, which the
 * server needs and ZooKeeper's pom marks provided).
 *
 * <p>Configuration, all explicit: {@code forceSync=yes} (fsync of the transaction log before a
 * write is acknowledged, ZooKeeper's default), tickTime 2000 ms, initLimit 10, syncLimit 5,
 * unlimited client connections per address (the bench's sessions all come from 127.0.0.1), the
 * admin HTTP server off, four-letter words {@code srvr,stat,ruok,mntr} whitelisted. Each JVM gets
 * the heap and collector of a Bulwark node ({@value #HEAP} , G1).
 *
 * <p>The leader is the server whose {@code srvr} reply says {@code Mode: leader} (or {@code
 * standalone} for a single server).
 */
public final class ZooKeeperPeer extends ThreeMemberPeer {
  static final int SERVERS = 3;
  static final String HEAP = "-Xmx512m";
  static final String MAIN = "org.apache.zookeeper.server.quorum.QuorumPeerMain";
  static final Duration READY_DEADLINE = Duration.ofSeconds(90);

  private final String classPath;
  private final int servers;
  private final String host;
  private final List<Integer> clientPorts = new ArrayList<>();

  /**
   * @param dir a new directory for the servers' data, configuration and logs
   * @param keepDir false to remove {@code dir} in {@link #close}
   * @param classPath the servers' class path (the bench's own: {@code java.class.path})
   */
  public ZooKeeperPeer(Path dir, boolean keepDir, String classPath) {
    this(dir, keepDir, classPath, SERVERS, "127.0.0.1");
  }

  /**
   * @param servers 1 (a standalone server) or more (a quorum; 3 is the production shape)
   * @param host the address every port of every server binds, and the connect string names
   */
  public ZooKeeperPeer(Path dir, boolean keepDir, String classPath, int servers, String host) {
    super(dir, keepDir, READY_DEADLINE);
    if (servers < 1) {
      throw new IllegalArgumentException("a ZooKeeper ensemble needs at least 1 server, was "
          + servers);
    }
    this.classPath = classPath;
    this.servers = servers;
    this.host = host;
  }

  @Override
  public String name() {
    return "zookeeper";
  }

  @Override
  public synchronized void start() throws Exception {
    Files.createDirectories(dir);
    List<Integer> ports = FreePorts.take(3 * servers);
    StringBuilder ensemble = new StringBuilder();
    for (int i = 0; i < servers; i++) {
      clientPorts.add(ports.get(i));
      if (servers > 1) {
        ensemble.append("server.").append(i + 1).append('=').append(host).append(':')
            .append(ports.get(servers + i)).append(':').append(ports.get(2 * servers + i))
            .append('\n');
      }
    }
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    for (int i = 0; i < servers; i++) {
      Path serverDir = Files.createDirectories(dir.resolve("zk" + (i + 1)));
      Path dataDir = Files.createDirectories(serverDir.resolve("data"));
      Files.writeString(dataDir.resolve("myid"), (i + 1) + "\n", StandardCharsets.US_ASCII);
      Path cfg = serverDir.resolve("zoo.cfg");
      Files.writeString(cfg, config(dataDir, host, clientPorts.get(i)) + ensemble,
          StandardCharsets.US_ASCII);
      List<String> command = List.of(java, HEAP, "-XX:+UseG1GC", "-cp", classPath, MAIN,
          cfg.toString());
      members.add(new MemberProcess("zk" + (i + 1), command, serverDir,
          serverDir.resolve("zookeeper.log")));
    }
    startMembers();
  }

  static String config(Path dataDir, String host, int clientPort) {
    return "tickTime=2000\n"
        + "initLimit=10\n"
        + "syncLimit=5\n"
        + "dataDir=" + dataDir + "\n"
        + "clientPort=" + clientPort + "\n"
        + "clientPortAddress=" + host + "\n"
        + "forceSync=yes\n"
        + "maxClientCnxns=0\n"
        + "admin.enableServer=false\n"
        + "4lw.commands.whitelist=srvr,stat,ruok,mntr\n";
  }

  /** {@code HOST:P1,HOST:P2,HOST:P3}, for {@link ZooKeeperTarget} and Bulwark nodes. */
  public String connectString() {
    return clientPorts.stream().map(p -> host + ":" + p).collect(Collectors.joining(","));
  }

  /** The number of servers. */
  public int servers() {
    return servers;
  }

  /** Server {@code index}'s pid, or -1 while it is not running. */
  public synchronized long pid(int index) {
    return members.get(index).pid();
  }

  @Override
  public Target openTarget() {
    return new ZooKeeperTarget(connectString());
  }

  /** The leader's index if every server serves (one leader, the rest followers), else -1. */
  @Override
  protected int agreedLeader() {
    int leader = -1;
    for (int i = 0; i < servers; i++) {
      String mode = FourLetterWords.mode(FourLetterWords.ask(host, clientPorts.get(i), "srvr"));
      if ("leader".equals(mode) || (servers == 1 && "standalone".equals(mode))) {
        if (leader >= 0) {
          return -1; // Two claim it: an election is still settling.
        }
        leader = i;
      } else if (!"follower".equals(mode)) {
        return -1;
      }
    }
    return leader;
  }

  @Override
  protected String describe() {
    List<String> parts = new ArrayList<>();
    for (int i = 0; i < members.size(); i++) {
      parts.add(members.get(i).name() + ": mode "
          + FourLetterWords.mode(FourLetterWords.ask(host, clientPorts.get(i), "srvr"))
          + " (log " + members.get(i).log() + ")");
    }
    return String.join("; ", parts);
  }
}
