package io.bulwark.cli.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Goal: DIR/cluster.json round-trips, has the DESIGN §8 field names, and is replaced atomically.
 *
 * <p>Method: write and read files in a temporary directory; parse the written text with a plain
 * JSON reader to check names.
 */
class ClusterFileTest {
  @TempDir Path dir;

  private static ClusterFile sample() {
    return new ClusterFile("127.0.0.1:2181", 4242, "run-1", List.of(
        new ClusterFile.Node("n1", 101, ClusterFile.State.RUNNING, "127.0.0.1:7001",
            "127.0.0.1:7101", "127.0.0.1:7201", "/tmp/c/n1/data", "/tmp/c/n1/node.properties"),
        new ClusterFile.Node("n2", 102, ClusterFile.State.DOWN, "127.0.0.1:7002",
            "127.0.0.1:7102", "127.0.0.1:7202", "/tmp/c/n2/data", "/tmp/c/n2/node.properties")));
  }

  @Test
  void writeThenRead_givesTheSameFile() throws IOException {
    sample().write(dir);
    assertEquals(sample(), ClusterFile.read(dir).orElseThrow());
  }

  @Test
  void writtenJson_hasTheDesignFieldNames() throws IOException {
    sample().write(dir);
    JsonNode doc = new ObjectMapper().readTree(Files.readString(dir.resolve("cluster.json")));
    assertEquals("127.0.0.1:2181", doc.get("zookeeper").textValue());
    assertEquals(4242, doc.get("supervisorPid").longValue());
    JsonNode n1 = doc.get("nodes").get(0);
    for (String field : List.of("id", "pid", "client", "admin", "dataDir")) {
      assertTrue(n1.has(field), field);
    }
    assertEquals(101, n1.get("pid").longValue());
    assertEquals("running", n1.get("state").textValue());
    assertEquals("down", doc.get("nodes").get(1).get("state").textValue());
  }

  @Test
  void write_replacesTheOldFileAndLeavesNoTemporaryFile() throws IOException {
    sample().write(dir);
    ClusterFile changed = sample().withNode(sample().node("n2").orElseThrow()
        .withProcess(555, ClusterFile.State.RUNNING));
    changed.write(dir);
    assertEquals(555, ClusterFile.read(dir).orElseThrow().node("n2").orElseThrow().pid());
    try (Stream<Path> files = Files.list(dir)) {
      assertEquals(List.of(dir.resolve("cluster.json")), files.toList());
    }
  }

  @Test
  void read_ofMissingFile_isEmpty() throws IOException {
    assertTrue(ClusterFile.read(dir).isEmpty());
  }

  @Test
  void read_ignoresFieldsItDoesNotKnow() throws IOException {
    Files.writeString(dir.resolve("cluster.json"), "{\"zookeeper\":\"127.0.0.1:1\","
        + "\"supervisorPid\":1,\"future\":true,\"nodes\":[{\"id\":\"n1\",\"pid\":2,"
        + "\"client\":\"127.0.0.1:3\",\"admin\":\"127.0.0.1:4\",\"dataDir\":\"d\","
        + "\"zone\":\"a\"}]}");
    ClusterFile f = ClusterFile.read(dir).orElseThrow();
    assertEquals("127.0.0.1:3", f.clientEndpoints());
  }

  @Test
  void read_ofMalformedFile_isIOExceptionNamingIt() throws IOException {
    Files.writeString(dir.resolve("cluster.json"), "{\"zookeeper\":");
    IOException e = assertThrows(IOException.class, () -> ClusterFile.read(dir));
    assertTrue(e.getMessage().contains("cluster.json"), e.getMessage());
  }

  @Test
  void clientEndpoints_isTheClusterLineInNodeOrder() {
    assertEquals("127.0.0.1:7001,127.0.0.1:7002", sample().clientEndpoints());
  }
}
