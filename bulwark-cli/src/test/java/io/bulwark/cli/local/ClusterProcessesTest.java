package io.bulwark.cli.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/**
 * Goal: a process is taken for part of a cluster only when its command line says so, so that
 * {@code local stop/kill} never signal a stranger (for example a recycled pid).
 */
class ClusterProcessesTest {
  private static final Path DIR = Path.of("/tmp/cluster-a");

  @Test
  void supervisorCommandLine_isRecognisedForItsDirectoryOnly() {
    List<String> args = List.of("-Xmx256m", "-cp", "x.jar", "io.bulwark.cli.LocalSupervisor",
        "/tmp/cluster-a", "3", "--run-id", "r");
    assertTrue(ClusterProcesses.isSupervisorOf(args, DIR));
    assertFalse(ClusterProcesses.isSupervisorOf(args, Path.of("/tmp/cluster-b")));
    assertFalse(ClusterProcesses.isSupervisorOf(List.of("io.bulwark.cli.LocalSupervisor"), DIR));
  }

  @Test
  void nodeCommandLine_yieldsItsNodeId() {
    List<String> args = List.of("-cp", "x", "io.bulwark.cli.Main", "server", "--config",
        "/tmp/cluster-a/n2/node.properties", "--supervisor-pid", "1");
    assertEquals(Optional.of("n2"), ClusterProcesses.nodeIdOf(args, DIR));
    assertTrue(ClusterProcesses.isNodeOf(args, DIR, "n2"));
    assertFalse(ClusterProcesses.isNodeOf(args, DIR, "n1"));
  }

  @Test
  void nodeOfAnotherDirectoryWithACommonPrefix_isNotOurs() {
    List<String> args = List.of("io.bulwark.cli.Main", "server", "--config",
        "/tmp/cluster-ab/n1/node.properties");
    assertEquals(Optional.empty(), ClusterProcesses.nodeIdOf(args, DIR));
  }

  @Test
  void otherCommandsNamingTheConfig_areNotNodes() {
    List<String> args = List.of("less", "--config", "/tmp/cluster-a/n1/node.properties");
    assertEquals(Optional.empty(), ClusterProcesses.nodeIdOf(args, DIR));
  }

  @Test
  void thisTestProcess_isNotPartOfAnyCluster() {
    assertEquals(List.of(), ClusterProcesses.all(DIR));
    assertTrue(ClusterProcesses.supervisor(DIR, ProcessHandle.current().pid()).isEmpty());
  }

  @Test
  void cmdline_isSplitAtNulsWithoutTheProgramName() {
    byte[] raw = "java\0-cp\0a:b\0io.bulwark.cli.LocalSupervisor\0/tmp/cluster-a\0"
        .getBytes(java.nio.charset.StandardCharsets.UTF_8);
    assertEquals(List.of("-cp", "a:b", "io.bulwark.cli.LocalSupervisor", "/tmp/cluster-a"),
        ClusterProcesses.parseCmdline(raw));
    assertEquals(List.of(), ClusterProcesses.parseCmdline(new byte[0]));
  }

  @Test
  @EnabledOnOs(OS.LINUX)
  void argumentsOfALiveProcessWithALongCommandLine_areReadWhole() throws Exception {
    // The JDK's own ProcessHandle.Info gives no arguments past 4096 bytes of command line.
    String longArg = "x".repeat(6000);
    Process p = new ProcessBuilder("sh", "-c", "sleep 30; true", "name", longArg).start();
    try {
      List<String> args = ClusterProcesses.arguments(p.toHandle());
      assertEquals(List.of("-c", "sleep 30; true", "name", longArg), args);
    } finally {
      p.destroyForcibly();
      p.waitFor();
    }
  }
}
