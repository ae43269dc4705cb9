package io.bulwark.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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

  @Test
  void shortPutRun_onItsOwnLocalCluster_reportsAckedOpsAndNoErrors() throws Exception {
    List<String> cmd = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), "io.bulwark.cli.Main",
        "bench", "--workload", "put", "--clients", "4", "--duration", "2", "--warmup", "1",
        "--rounds", "1", "--json"));
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
    String dirLine = stderr.lines().filter(l -> l.startsWith("starting a local")).findFirst()
        .orElseThrow(() -> new AssertionError("no start line in:\n" + stderr));
    Path dir = Path.of(dirLine.substring(dirLine.indexOf(" in ") + 4, dirLine.lastIndexOf(" ...")));
    assertTrue(!Files.exists(dir), dir + " was not removed");
    boolean leftover = ProcessHandle.allProcesses()
        .anyMatch(h -> h.info().commandLine().map(c -> c.contains(dir.toString())).orElse(false));
    assertTrue(!leftover, "a process of " + dir + " is still running");
  }
}
