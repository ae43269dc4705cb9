package io.bulwark.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code local start --owner-pid}: a cluster whose owner is killed with SIGKILL (so no cleanup of
 * the owner's runs) stops itself — supervisor and nodes — instead of restarting its nodes for
 * ever. Every IT's cluster is owned by the test JVM this way.
 *
 * <p>Method: the owner is a {@code sleep} process this test starts; the cluster runs, then the
 * owner is killed, and every pid in {@code cluster.json} must exit (bounded wait) and the
 * supervisor's log must say why.
 */
class LocalOwnerIT {
  @Test
  void clusterStopsItself_whenItsOwnerIsKilled(@TempDir Path tmp) throws Exception {
    Process owner = new ProcessBuilder("sleep", "600").start();
    Path dir = tmp.resolve("cluster");
    LocalCluster cluster = null;
    try {
      cluster = LocalCluster.start(1, dir, List.of(), owner.pid());
      List<Long> pids = cluster.pids();
      assertEquals(2, pids.size(), "supervisor and one node: " + pids);
      for (long pid : pids) {
        assertTrue(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false),
            "process " + pid + " runs while its owner does");
      }

      owner.destroyForcibly().waitFor();

      for (long pid : pids) {
        LocalCluster.await("process " + pid + " to exit after its owner was killed",
            Duration.ofSeconds(60),
            () -> ProcessHandle.of(pid).map(h -> !h.isAlive()).orElse(true));
      }
      String log = Files.readString(dir.resolve("supervisor.log"));
      assertTrue(log.contains("event=owner-gone pid=" + owner.pid()), log);
      cluster = null; // Stopped itself: nothing left to close.
    } finally {
      owner.destroyForcibly();
      if (cluster != null) {
        cluster.close();
      }
    }
  }
}
