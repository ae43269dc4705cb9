package io.bulwark.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A wrong configuration file is refused with a message that names the file, key and problem. */
class NodeConfigTest {
  private static Map<String, String> valid() {
    Map<String, String> m = new HashMap<>();
    m.put("node.id", "n1");
    m.put("zookeeper", "127.0.0.1:2181,127.0.0.1:2182");
    m.put("client.address", "127.0.0.1:7001");
    m.put("peer.address", "127.0.0.1:7101");
    m.put("admin.address", "127.0.0.1:7201");
    m.put("data.dir", "/tmp/n1");
    return m;
  }

  @Test
  void writeThenLoad_roundTrips(@TempDir Path dir) throws Exception {
    NodeConfig c = NodeConfig.fromMap(valid(), "test");
    Path f = dir.resolve("node.properties");
    c.write(f);
    assertEquals(c, NodeConfig.load(f));
    assertEquals(300, c.leaseMs());
    assertEquals(600, c.graceMs());
  }

  @Test
  void unknownKey_isRefusedByName() {
    Map<String, String> m = valid();
    m.put("leese.ms", "300");
    String msg = assertThrows(NodeConfig.ConfigException.class,
        () -> NodeConfig.fromMap(m, "node.properties")).getMessage();
    assertTrue(msg.contains("node.properties") && msg.contains("leese.ms"), msg);
  }

  @Test
  void missingKey_badAddress_badNumber_areRefusedClearly() {
    Map<String, String> m = valid();
    m.remove("node.id");
    assertTrue(assertThrows(NodeConfig.ConfigException.class, () -> NodeConfig.fromMap(m, "f"))
        .getMessage().contains("required key 'node.id' is missing"));
    Map<String, String> a = valid();
    a.put("client.address", "localhost");
    assertTrue(assertThrows(NodeConfig.ConfigException.class, () -> NodeConfig.fromMap(a, "f"))
        .getMessage().contains("'client.address' must be host:port"));
    Map<String, String> n = valid();
    n.put("grace.ms", "-5");
    assertTrue(assertThrows(NodeConfig.ConfigException.class, () -> NodeConfig.fromMap(n, "f"))
        .getMessage().contains("'grace.ms' must be a positive number of milliseconds"));
  }

  @Test
  void withZookeeper_replacesTheEnsemble_andRefusesAMalformedOne() {
    NodeConfig c = NodeConfig.fromMap(valid(), "test");
    assertEquals("10.0.0.1:2181,10.0.0.2:2181",
        c.withZookeeper("10.0.0.1:2181,10.0.0.2:2181").zookeeper());
    assertTrue(assertThrows(NodeConfig.ConfigException.class, () -> c.withZookeeper("zk"))
        .getMessage().contains("--zookeeper"));
  }

  @Test
  void unreadableFile_namesIt(@TempDir Path dir) {
    Path missing = dir.resolve("nope.properties");
    assertTrue(assertThrows(NodeConfig.ConfigException.class, () -> NodeConfig.load(missing))
        .getMessage().contains(missing.toString()));
  }

  @Test
  void unsafeTiming_graceShorterThanLeaseAllows_isRefusedAtStart(@TempDir Path dir) {
    Map<String, String> m = valid();
    m.put("lease.ms", "500");
    m.put("grace.ms", "400");
    m.put("data.dir", dir.toString());
    NodeConfig c = NodeConfig.fromMap(m, "f");
    String msg = assertThrows(NodeConfig.ConfigException.class, () -> NodeServer.start(c))
        .getMessage();
    assertTrue(msg.contains("grace (400 ms) must be at least"), msg);
    assertTrue(Files.notExists(dir.resolve("db")), "refused before touching the disk");
  }
}
