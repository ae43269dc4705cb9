package io.bulwark.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Smoke test of the ZooKeeper peer with real processes: three server JVMs from the jar on this
 * class path form a quorum, a short closed-loop run of puts and of sync+get through {@link
 * ZooKeeperTarget} is acknowledged without errors, the leader can be killed and restarted, and
 * {@link ZooKeeperPeer#close} leaves no process and no directory. Nothing here asserts a speed.
 */
class ZooKeeperPeerTest {
  @TempDir Path tmp;

  @Test
  void ensemble_servesPutsAndGets_survivesLeaderRestart_andCleansUp() throws Exception {
    Path dir = tmp.resolve("zk");
    ZooKeeperPeer peer = new ZooKeeperPeer(dir, false, System.getProperty("java.class.path"));
    List<Long> pids;
    try {
      peer.start();
      pids = peer.serverPids();
      assertEquals(3, pids.size());
      ClosedLoopRunner runner = new ClosedLoopRunner();
      for (Workload w : List.of(Workload.PUT, Workload.GET)) {
        try (Target t = peer.openTarget()) {
          RunResult r = runner.run(t, new BenchConfig(w, 4, 0, 1, 50, 100, 1), 1,
              new ProcessCpu(peer::serverPids));
          assertTrue(r.ops() > 0, w + ": " + r);
          assertEquals(0, r.errors(), w + ": " + r);
        }
      }
      try (Target t = peer.openTarget(); Target.Session s = t.openSession(0)) {
        // The closed loop above ignores what a get returns; check it once here.
        s.putAsync(Keys.key(7), "async".getBytes(StandardCharsets.US_ASCII))
            .toCompletableFuture().get(10, TimeUnit.SECONDS);
        assertEquals("async", new String(s.getAsync(Keys.key(7)).toCompletableFuture()
            .get(10, TimeUnit.SECONDS), StandardCharsets.US_ASCII));
      }
      int leader = peer.leader();
      peer.kill(leader);
      peer.restart(leader);
      assertEquals(3, peer.serverPids().size());
      pids = peer.serverPids();
    } finally {
      peer.close();
    }
    for (long pid : pids) {
      assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false),
          "server " + pid + " still alive");
    }
    assertFalse(Files.exists(dir));
  }
}
