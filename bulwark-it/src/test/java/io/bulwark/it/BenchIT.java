package io.bulwark.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Goal: {@code bulwark bench} runs end to end against the local cluster it starts itself, prints
 * one JSON document with a bulwark row whose operations were all acknowledged, and leaves no
 * process behind.
 *
 * <p>Method: the CLI in its own JVM (as a user runs it), a short put run of 4 clients; the row
 * must show operations and no errors. No figure is compared with a speed.
 */
class BenchIT {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path tmp;

  private static List<String> bench(String... args) {
    List<String> cmd = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), "io.bulwark.cli.Main", "bench"));
    cmd.addAll(List.of(args));
    return cmd;
  }

  /** The cluster directory the bench names on stderr ("starting a local ... in DIR ..."). */
  private static Optional<Path> clusterDir(String stderr) {
    return stderr.lines().filter(l -> l.startsWith("starting a local")).findFirst()
        .map(l -> Path.of(l.substring(l.indexOf(" in ") + 4, l.lastIndexOf(" ..."))));
  }

  @Test
  void shortPutRun_onItsOwnLocalCluster_reportsAckedOpsAndNoErrors() throws Exception {
    List<String> cmd = bench("--workload", "put", "--clients", "4", "--duration", "2",
        "--warmup", "1", "--rounds", "1", "--json");
    Path out = tmp.resolve("bench.out");
    Path err = tmp.resolve("bench.err");
    Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile())
        .start();
    if (!p.waitFor(180, TimeUnit.SECONDS)) {
      p.destroy();
      p.waitFor(30, TimeUnit.SECONDS);
      throw new AssertionError("bench did not finish within 180 s:\n" + Files.readString(err));
    }
    String stderr = Files.readString(err, StandardCharsets.UTF_8);
    assertEquals(0, p.exitValue(), stderr);

    JsonNode doc = JSON.readTree(Files.readString(out, StandardCharsets.UTF_8));
    assertEquals("put", doc.get("workload").asText());
    assertEquals(4, doc.get("clients").asInt());
    JsonNode systems = doc.get("systems");
    assertEquals(1, systems.size(), doc.toString());
    JsonNode bulwark = systems.get(0);
    assertEquals("bulwark", bulwark.get("name").asText());
    assertTrue(bulwark.get("opsPerSec").asDouble() > 0, doc.toString());
    assertEquals(0, bulwark.get("errors").asLong(), doc.toString());

    // The bench named its cluster directory on stderr; it must be gone with its processes.
    Path dir = clusterDir(stderr)
        .orElseThrow(() -> new AssertionError("no start line in:\n" + stderr));
    assertTrue(!Files.exists(dir), dir + " was not removed");
    boolean leftover = ProcessHandle.allProcesses()
        .anyMatch(h -> h.info().commandLine().map(c -> c.contains(dir.toString())).orElse(false));
    assertTrue(!leftover, "a process of " + dir + " is still running");
  }

  /**
   * A bench killed with SIGKILL runs no cleanup; the cluster it started is owned by its pid
   * ({@code local start --owner-pid}) and must stop by itself, supervisor and nodes.
   */
  @Test
  void killedBench_leavesNoClusterRunning() throws Exception {
    Path err = tmp.resolve("killed.err");
    Process p = new ProcessBuilder(bench("--workload", "put", "--clients", "2", "--duration",
        "120", "--warmup", "1", "--rounds", "1", "--keep-dirs"))
        .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(err.toFile()).start();
    Path[] dir = new Path[1];
    try {
      LocalCluster.await("the bench to start measuring", Duration.ofSeconds(150), () -> {
        String stderr = read(err);
        clusterDir(stderr).ifPresent(d -> dir[0] = d);
        return stderr.contains("round 1/1: bulwark, put");
      });
    } finally {
      p.destroyForcibly().waitFor();
    }
    assertTrue(dir[0] != null, "no start line in:\n" + read(err));
    try {
      List<Long> pids = clusterPids(dir[0]);
      assertEquals(4, pids.size(), "supervisor and 3 nodes in " + dir[0] + ": " + pids);
      for (long pid : pids) {
        LocalCluster.await("process " + pid + " of the killed bench's cluster to exit",
            Duration.ofSeconds(60),
            () -> !ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false));
      }
    } finally {
      try (var files = Files.walk(dir[0])) { // --keep-dirs kept it for the pids; remove it now
        files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
      }
    }
  }

  private static String read(Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (java.io.IOException e) {
      return "";
    }
  }

  private static List<Long> clusterPids(Path dir) throws java.io.IOException {
    JsonNode c = JSON.readTree(dir.resolve("cluster.json").toFile());
    List<Long> pids = new ArrayList<>(List.of(c.get("supervisorPid").asLong()));
    c.get("nodes").forEach(n -> pids.add(n.get("pid").asLong()));
    return pids;
  }
}
