package io.bulwark.coord;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bulwark.core.common.KeyspaceSpec;
import io.bulwark.core.common.KeyspaceSpec.Acks;
import io.bulwark.core.common.KeyspaceSpec.Strategy;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Goal: the embedded server is a real, durable ZooKeeper on loopback for local/demo mode.
 * Method: start real servers on ephemeral ports in temporary directories; restart one on its
 * data; provoke the two start-up refusals (port taken, fsync disabled).
 */
class EmbeddedZooKeeperTest {
  private static final Duration SESSION = Duration.ofSeconds(4);
  private static final Duration CONNECT = Duration.ofSeconds(3);

  @TempDir Path dir;

  @Test
  void portZero_bindsAFreeLoopbackPort_andServesClients() {
    try (EmbeddedZooKeeper zk = new EmbeddedZooKeeper(dir, 0)) {
      assertTrue(zk.port() > 0);
      assertEquals("127.0.0.1:" + zk.port(), zk.connectString());
      assertTrue(zk.isRunning());
      try (Coordinator c = Coordinator.connect(zk.connectString(), "t", SESSION, CONNECT)) {
        assertEquals(Optional.empty(), c.keyspace("nothing"));
      }
    }
  }

  @Test
  void dataSurvivesARestartOnTheSameDirectory() {
    KeyspaceSpec spec = new KeyspaceSpec("kept", Strategy.PRIMARY_BACKUP, 3, 4, 2, Acks.ALL);
    try (EmbeddedZooKeeper zk = new EmbeddedZooKeeper(dir, 0);
        Coordinator c = Coordinator.connect(zk.connectString(), "t", SESSION, CONNECT)) {
      assertTrue(c.createKeyspace(spec));
    }
    try (EmbeddedZooKeeper zk = new EmbeddedZooKeeper(dir, 0);
        Coordinator c = Coordinator.connect(zk.connectString(), "t", SESSION, CONNECT)) {
      assertEquals(Optional.of(spec), c.keyspace("kept"));
    }
  }

  @Test
  void closeReleasesThePort_soARestartCanReuseIt() {
    int port;
    try (EmbeddedZooKeeper zk = new EmbeddedZooKeeper(dir, 0)) {
      port = zk.port();
    }
    try (EmbeddedZooKeeper zk = new EmbeddedZooKeeper(dir, port)) {
      assertEquals(port, zk.port());
    }
  }

  @Test
  void portInUse_isRefusedWithTheAddressInTheMessage() throws IOException {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      CoordinationException e =
          assertThrows(
              CoordinationException.class,
              () -> new EmbeddedZooKeeper(dir, taken.getLocalPort()).close());
      assertTrue(e.getMessage().contains(String.valueOf(taken.getLocalPort())), e.getMessage());
    }
  }

  @Test
  void disabledFsync_isRefused() {
    String key = "zookeeper.forceSync";
    String before = System.getProperty(key);
    System.setProperty(key, "no");
    try {
      CoordinationException e =
          assertThrows(CoordinationException.class, () -> new EmbeddedZooKeeper(dir, 0).close());
      assertTrue(e.getMessage().contains("forceSync"), e.getMessage());
    } finally {
      if (before == null) {
        System.clearProperty(key);
      } else {
        System.setProperty(key, before);
      }
    }
  }

  @Test
  void closeIsIdempotent() {
    EmbeddedZooKeeper zk = new EmbeddedZooKeeper(dir, 0);
    zk.close();
    zk.close();
    assertFalse(zk.isRunning());
  }
}
