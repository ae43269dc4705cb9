package io.bulwark.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * Goal: the command line does what docs/testing.md says. Method: parse arguments, run tiny
 * batches into a buffer, read the lines.
 */
class SimMainTest {

  private static String run(String... args) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    SimMain.run(SimMain.parse(args), new PrintStream(bytes, true, StandardCharsets.UTF_8));
    return bytes.toString(StandardCharsets.UTF_8);
  }

  @Test
  void batch_endsWithTheSummaryLine() {
    String out = run("--seeds", "2", "--seed", "3", "--steps", "40");
    String[] lines = out.split("\n");
    assertEquals("2 passed, 0 failed", lines[lines.length - 1], out);
  }

  @Test
  void failingSeed_printsOneLineWithItsReplayCommand() {
    long seed = SimBatch.runUntil(1, 50, SimRun.STEPS_DEFAULT, Variant.DISK_EARLY_DURABLE, 2,
        r -> !r.passed()).stream().filter(r -> !r.passed()).findFirst().orElseThrow().seed();
    String out = run("--seed", Long.toString(seed), "--variant", "disk-early-durable");
    String first = out.split("\n")[0];
    assertTrue(first.startsWith("seed " + seed + " FAILED: "), out);
    assertTrue(first.endsWith("| replay: bin/bulwark sim --seed " + seed + " --steps 300 "
        + "--variant disk-early-durable"), first);
    assertTrue(out.endsWith("0 passed, 1 failed\n"), out);
  }

  @Test
  void badArguments_areUsageErrors() {
    assertThrows(IllegalArgumentException.class, () -> SimMain.parse(new String[] {"--seeds"}));
    assertThrows(IllegalArgumentException.class,
        () -> SimMain.parse(new String[] {"--variant", "nope"}));
    assertThrows(IllegalArgumentException.class, () -> SimMain.parse(new String[] {"--x", "1"}));
  }
}
