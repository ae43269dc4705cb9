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
    assertEquals(60_000, c.balanceAfterMs());
  }

  @Test
  void balanceAfter_zeroTurnsItOff_negativeIsRefused() {
    Map<String, String> m = valid();
    m.put("balance.after.ms", "0");
    assertEquals(0, NodeConfig.fromMap(m, "f").balanceAfterMs());
    m.put("balance.after.ms", "-1");
    String msg = assertThrows(NodeConfig.ConfigException.class, () -> NodeConfig.fromMap(m, "f"))
        .getMessage();
    assertTrue(msg.contains("balance.after.ms"), msg);
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

  @Test
  void healthSettings_defaultToTheDocumentedValues() {
    NodeConfig c = NodeConfig.fromMap(valid(), "test");
    assertEquals(HealthSettings.defaults(), c.health());
    assertEquals(0, c.testFsyncDelayMs());
  }

  @Test
  void healthSettings_areReadAndRoundTrip(@TempDir Path dir) throws Exception {
    Map<String, String> m = valid();
    m.put("heartbeat.ms", "200");
    m.put("phi.threshold", "10.5");
    m.put("health.cpu.max.percent", "80");
    m.put("health.fsync-p99.degraded.ms", "20");
    m.put("disk.low.bytes", "2147483648");
    m.put("disk.reserve.bytes", "0");
    m.put("test.fsync-delay.ms", "30");
    NodeConfig c = NodeConfig.fromMap(m, "test");
    assertEquals(200, c.health().heartbeatMs());
    assertEquals(200_000_000L, c.health().phi().firstIntervalNanos());
    assertEquals(10.5, c.health().phi().threshold());
    assertEquals(0.80, c.health().thresholds().cpuMax());
    assertEquals(20_000_000L, c.health().thresholds().fsyncDegradedNanos());
    assertEquals(0, c.health().thresholds().diskReserveBytes());
    assertEquals(30, c.testFsyncDelayMs());
    Path f = dir.resolve("node.properties");
    c.write(f);
    assertEquals(c, NodeConfig.load(f));
  }

  @Test
  void badHealthSettings_areRefusedByName() {
    Map<String, String> pct = valid();
    pct.put("health.gc-time.max.percent", "130");
    assertTrue(assertThrows(NodeConfig.ConfigException.class, () -> NodeConfig.fromMap(pct, "f"))
        .getMessage().contains("'health.gc-time.max.percent' must be a percentage"));
    Map<String, String> disk = valid();
    disk.put("disk.reserve.bytes", "4294967296"); // above disk.low.bytes
    String msg = assertThrows(NodeConfig.ConfigException.class,
        () -> NodeConfig.fromMap(disk, "node.properties")).getMessage();
    assertTrue(msg.contains("node.properties") && msg.contains("reserve < low"), msg);
    Map<String, String> phi = valid();
    phi.put("phi.threshold", "-1");
    assertTrue(assertThrows(NodeConfig.ConfigException.class, () -> NodeConfig.fromMap(phi, "f"))
        .getMessage().contains("'phi.threshold' must be a positive number"));
  }

  /** deploy/bulwark.properties.example must stay loadable: it is what operators copy. */
  @Test
  void theDeployExample_loads_withTheDefaultThresholds() {
    Path example = Path.of("..", "deploy", "bulwark.properties.example");
    assertTrue(Files.exists(example), "missing " + example.toAbsolutePath());
    NodeConfig c = NodeConfig.load(example);
    assertEquals("node-a1", c.nodeId());
    assertTrue(c.zookeeper().split(",").length >= 3, "production uses a ZooKeeper ensemble");
    assertEquals(HealthSettings.defaults(), c.health());
    assertEquals(0, c.testFsyncDelayMs());
  }
}
