package io.bulwark.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Smoke test of the etcd peer with real processes: three members of Debian's etcd elect a
 * leader, a short closed-loop run of puts and of linearizable gets through jetcd ({@link
 * EtcdTarget}, sharing the class path with our gRPC) is acknowledged without errors, the leader
 * can be killed and restarted, and close leaves nothing behind. Skipped, saying why, where
 * {@code /usr/bin/etcd} is not installed (CI installs no etcd). Nothing here asserts a speed.
 */
class EtcdPeerTest {
  @TempDir Path tmp;

  @Test
  void cluster_servesPutsAndGets_survivesLeaderRestart_andCleansUp() throws Exception {
    assumeTrue(EtcdInstaller.installed(), EtcdInstaller.ETCD + " is not installed (Debian "
        + "package etcd-server); this test needs a real etcd");
    Path dir = tmp.resolve("etcd");
    EtcdPeer peer = new EtcdPeer(dir, false);
    List<Long> pids;
    try {
      peer.start();
      ClosedLoopRunner runner = new ClosedLoopRunner();
      for (Workload w : List.of(Workload.PUT, Workload.GET, Workload.CAS)) {
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
      pids = peer.serverPids();
      assertEquals(3, pids.size());
    } finally {
      peer.close();
    }
    for (long pid : pids) {
      assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false),
          "member " + pid + " still alive");
    }
    assertFalse(Files.exists(dir));
  }
}
