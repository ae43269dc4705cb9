package io.bulwark.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bulwark.cli.local.ClusterFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Goal: the {@code local} commands check their arguments and refuse clearly when there is no
 * cluster, without starting or signalling any process.
 *
 * <p>Method: a temporary directory, empty or with a cluster.json whose pids are not processes of
 * that directory (so nothing can match them).
 */
class LocalCommandTest {
  @TempDir Path dir;

  private final CliRunner cli = new CliRunner();

  private void writeClusterFileWithDeadSupervisor() throws IOException {
    new ClusterFile("127.0.0.1:1", Long.MAX_VALUE, "r", List.of(
        new ClusterFile.Node("n1", Long.MAX_VALUE, ClusterFile.State.RUNNING, "127.0.0.1:2",
            "127.0.0.1:3", "127.0.0.1:4", dir.resolve("n1/data").toString(),
            dir.resolve("n1/node.properties").toString()))).write(dir);
  }

  @Test
  void startWithZeroNodes_isUsageError() {
    CliRunner.Result r = cli.run("local", "start", "--nodes", "0", "--dir", dir.toString());
    assertEquals(ExitCode.USAGE, r.exitCode());
    assertTrue(r.err().contains("--nodes must be 1..16"), r.err());
  }

  @Test
  void startWithBasePortTooHigh_isUsageError() {
    CliRunner.Result r = cli.run("local", "start", "--base-port", "65400", "--dir",
        dir.toString());
    assertEquals(ExitCode.USAGE, r.exitCode());
  }

  @Test
  void startOwnedByAProcessThatIsNotRunning_isUsageError() throws Exception {
    Process gone = new ProcessBuilder("true").start();
    gone.waitFor();
    CliRunner.Result r = cli.run("local", "start", "--owner-pid", String.valueOf(gone.pid()),
        "--dir", dir.toString());
    assertEquals(ExitCode.USAGE, r.exitCode());
    assertTrue(r.err().contains("--owner-pid " + gone.pid() + " is not a running process"),
        r.err());
  }

  @Test
  void startWithoutDir_isUsageError() {
    CliRunner.Result r = cli.run("local", "start", "--nodes", "3");
    assertEquals(ExitCode.USAGE, r.exitCode());
    assertTrue(r.err().contains("--dir"), r.err());
  }

  @Test
  void stopInEmptyDirectory_failsNamingClusterJson() {
    CliRunner.Result r = cli.run("local", "stop", "--dir", dir.toString());
    assertEquals(ExitCode.FAILED, r.exitCode());
    assertTrue(r.err().contains("cluster.json does not exist"), r.err());
  }

  @Test
  void stopWhenNothingRuns_succeedsSayingSo() throws IOException {
    writeClusterFileWithDeadSupervisor();
    CliRunner.Result r = cli.run("local", "stop", "--dir", dir.toString());
    assertEquals(ExitCode.OK, r.exitCode(), r.err());
    assertTrue(r.out().startsWith("nothing was running"), r.out());
  }

  @Test
  void killOfUnknownNode_isUsageErrorListingTheNodes() throws IOException {
    writeClusterFileWithDeadSupervisor();
    CliRunner.Result r = cli.run("local", "kill", "n7", "--dir", dir.toString());
    assertEquals(ExitCode.USAGE, r.exitCode());
    assertTrue(r.err().contains("unknown node 'n7'") && r.err().contains("has n1"), r.err());
    assertFalse(Files.exists(dir.resolve("down/n7")));
  }

  @Test
  void killOfNodeNotRunning_marksItDown() throws IOException {
    writeClusterFileWithDeadSupervisor();
    CliRunner.Result r = cli.run("local", "kill", "1", "--dir", dir.toString());
    assertEquals(ExitCode.OK, r.exitCode(), r.err());
    assertTrue(Files.exists(dir.resolve("down/n1")));
    assertTrue(r.out().startsWith("n1 was not running"), r.out());
  }

  @Test
  void reviveWithoutSupervisor_failsSayingHowToStart() throws IOException {
    writeClusterFileWithDeadSupervisor();
    CliRunner.Result r = cli.run("local", "revive", "n1", "--dir", dir.toString());
    assertEquals(ExitCode.FAILED, r.exitCode());
    assertTrue(r.err().contains("supervisor") && r.err().contains("bulwark local start"),
        r.err());
  }
}
