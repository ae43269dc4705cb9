package io.bulwark.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's first command: {@code bulwark demo} runs to the end and passes, printing the
 * failover timeline and the final checks, and leaves no process behind.
 */
class DemoIT {

  @Test
  void demo_killsAPrimaryUnderLoad_recovers_andPassesItsChecks(@TempDir Path tmp)
      throws Exception {
    Path dir = tmp.resolve("demo");
    Path out = tmp.resolve("demo.out");
    Process p = new ProcessBuilder(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), "io.bulwark.cli.Main", "demo",
        "--dir", dir.toString()))
        .redirectErrorStream(true).redirectOutput(out.toFile()).start();
    boolean done = p.waitFor(5, TimeUnit.MINUTES);
    if (!done) {
      p.destroyForcibly();
    }
    String text = Files.readString(out);
    System.out.println(text);
    assertTrue(done, "demo finished within 5 minutes");
    assertEquals(0, p.exitValue(), text);
    assertTrue(text.contains("grace-expired") && text.contains("became-primary"), text);
    assertTrue(text.contains("writes resumed on"), text);
    assertTrue(text.contains("caught up and rejoined"), text);
    assertTrue(text.contains("every acknowledged write is readable"), text);
    assertTrue(text.contains("linearizability checker: valid"), text);
    assertTrue(text.contains("Demo passed."), text);
    JsonNode cluster = new ObjectMapper().readTree(dir.resolve("cluster.json").toFile());
    List<Long> pids = new ArrayList<>();
    pids.add(cluster.get("supervisorPid").asLong());
    cluster.get("nodes").forEach(n -> pids.add(n.get("pid").asLong()));
    for (long pid : pids) {
      assertTrue(ProcessHandle.of(pid).map(h -> !h.isAlive()).orElse(true),
          "process " + pid + " that the demo started is gone");
    }
  }
}
