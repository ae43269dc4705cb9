package io.bulwark.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * A 3-member etcd cluster from Debian's {@code etcd-server} package on 127.0.0.1: free client
 * and peer ports, one data dir per member under a temporary directory, etcd's default
 * durability (fsync of the WAL before a proposal is acknowledged) and timing (heartbeat 100 ms,
 * election 1000 ms), all passed explicitly.
 *
 * <p>The leader is found from each member's {@code /v3/maintenance/status} (etcd's JSON gateway
 * over the client port): the member whose own id is the leader id every member reports.
 */
public final class EtcdPeer extends ThreeMemberPeer {
  static final int MEMBERS = 3;
  static final Duration READY_DEADLINE = Duration.ofSeconds(60);
  static final Duration STATUS_TIMEOUT = Duration.ofSeconds(2);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final List<String> clientUrls = new ArrayList<>();
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(STATUS_TIMEOUT).build();

  /**
   * @param dir a new directory for the members' data and logs
   * @param keepDir false to remove {@code dir} in {@link #close}
   */
  public EtcdPeer(Path dir, boolean keepDir) {
    super(dir, keepDir, READY_DEADLINE);
  }

  @Override
  public String name() {
    return "etcd";
  }

  @Override
  public synchronized void start() throws Exception {
    Files.createDirectories(dir);
    List<Integer> ports = FreePorts.take(2 * MEMBERS);
    List<String> peerUrls = new ArrayList<>();
    for (int i = 0; i < MEMBERS; i++) {
      clientUrls.add("http://127.0.0.1:" + ports.get(i));
      peerUrls.add("http://127.0.0.1:" + ports.get(MEMBERS + i));
    }
    String initialCluster = IntStream.range(0, MEMBERS)
        .mapToObj(i -> memberName(i) + "=" + peerUrls.get(i)).collect(Collectors.joining(","));
    String token = "bulwark-bench-" + UUID.randomUUID();
    for (int i = 0; i < MEMBERS; i++) {
      Path memberDir = Files.createDirectories(dir.resolve(memberName(i)));
      List<String> command = List.of(EtcdInstaller.ETCD.toString(),
          "--name", memberName(i),
          "--data-dir", memberDir.resolve("data").toString(),
          "--listen-client-urls", clientUrls.get(i),
          "--advertise-client-urls", clientUrls.get(i),
          "--listen-peer-urls", peerUrls.get(i),
          "--initial-advertise-peer-urls", peerUrls.get(i),
          "--initial-cluster", initialCluster,
          "--initial-cluster-token", token,
          "--initial-cluster-state", "new",
          "--heartbeat-interval", "100",
          "--election-timeout", "1000",
          "--logger", "zap",
          "--log-outputs", "stderr");
      members.add(new MemberProcess(memberName(i), command, memberDir,
          memberDir.resolve("etcd.log")));
    }
    startMembers();
  }

  private static String memberName(int i) {
    return "m" + (i + 1);
  }

  /** The client URLs, for {@link EtcdTarget}. */
  public List<String> clientUrls() {
    return List.copyOf(clientUrls);
  }

  @Override
  public Target openTarget() {
    return new EtcdTarget(clientUrls);
  }

  /** The index of the leader all members name, or -1 if some member does not answer or agree. */
  @Override
  protected int agreedLeader() {
    String leaderId = null;
    int leaderIndex = -1;
    for (int i = 0; i < MEMBERS; i++) {
      JsonNode status = status(i);
      if (status == null) {
        return -1;
      }
      String leader = status.path("leader").asText("0");
      String self = status.path("header").path("member_id").asText("");
      if (leader.equals("0") || (leaderId != null && !leaderId.equals(leader))) {
        return -1;
      }
      leaderId = leader;
      if (self.equals(leader)) {
        leaderIndex = i;
      }
    }
    return leaderIndex;
  }

  /** Member {@code i}'s maintenance status, or null if it does not answer. */
  private JsonNode status(int i) {
    try {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(
              URI.create(clientUrls.get(i) + "/v3/maintenance/status"))
          .timeout(STATUS_TIMEOUT)
          .POST(HttpRequest.BodyPublishers.ofString("{}")).build(),
          HttpResponse.BodyHandlers.ofString());
      return r.statusCode() == 200 ? JSON.readTree(r.body()) : null;
    } catch (IOException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  @Override
  protected String describe() {
    List<String> parts = new ArrayList<>();
    for (int i = 0; i < members.size(); i++) {
      JsonNode s = status(i);
      parts.add(members.get(i).name() + ": " + (s == null ? "no status" : "leader " + s.path("leader"))
          + " (log " + members.get(i).log() + ")");
    }
    return String.join("; ", parts);
  }
}
