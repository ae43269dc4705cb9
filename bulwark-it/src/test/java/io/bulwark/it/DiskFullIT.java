package io.bulwark.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bulwark.cli.workload.ClusterStability;
import io.bulwark.client.BulwarkClient;
import io.bulwark.client.BulwarkException;
import io.bulwark.client.ClientOptions;
import io.bulwark.client.ErrorCode;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Goal (issue 6, criterion 3): a node whose disk is nearly full refuses writes before the disk
 * is full, with a clear error naming the free space and the limit, loses nothing it
 * acknowledged, and serves again when space returns.
 *
 * <p>Method: each node's data directory is a small tmpfs (a real filesystem that really fills;
 * the test needs root to mount it and says so if it cannot). Writes to a key succeed; then a
 * ballast file fills its primary's tmpfs below {@code disk.reserve.bytes}: the next writes fail
 * with DISK_FULL and that message, and the last acknowledged value still reads back. The
 * ballast is deleted: the node reports the disk ok again and writes to the key succeed.
 */
class DiskFullIT {
  private static final List<String> NODES = List.of("n1", "n2", "n3");
  private static final long TMPFS_BYTES = 320L << 20;
  private static final long RESERVE_BYTES = 80L << 20;
  private static final long LOW_BYTES = 120L << 20;
  /** What the ballast leaves free: below the reserve, far from zero (RocksDB keeps working). */
  private static final long LEFT_FREE_BYTES = 50L << 20;

  @Test
  void nearlyFullDisk_refusesWritesClearly_andServesAgainWhenSpaceReturns(@TempDir Path tmp)
      throws Exception {
    Path dir = tmp.resolve("cluster");
    List<Path> mounted = new java.util.ArrayList<>();
    try {
      for (String n : NODES) {
        Path data = dir.resolve(n).resolve("data");
        Files.createDirectories(data);
        mountTmpfs(data);
        mounted.add(data);
      }
      run(dir);
    } finally {
      for (Path m : mounted) {
        umount(m);
      }
    }
  }

  private void run(Path dir) throws Exception {
    try (LocalCluster cluster = LocalCluster.start(3, dir, List.of(
            "disk.reserve.bytes=" + RESERVE_BYTES, "disk.low.bytes=" + LOW_BYTES));
        BulwarkClient client = BulwarkClient.connect(List.of(cluster.endpoints().split(",")),
            new ClientOptions(Duration.ofSeconds(10), Duration.ofSeconds(2),
                Duration.ofMillis(10), Duration.ofMillis(200)))) {
      ClusterStability.await(client, "default", 3, Duration.ofSeconds(2), Duration.ofSeconds(90));
      String key = "disk-key";
      String node = client.locate("default", bytes(key)).primary();
      Path data = dir.resolve(node).resolve("data");
      client.put("default", bytes(key), bytes("before"));
      byte[] lastAcked = bytes("before");

      Path ballast = data.resolve("ballast");
      fill(ballast, Files.getFileStore(data).getUsableSpace() - LEFT_FREE_BYTES);
      String[] refusal = {null};
      int[] n = {0};
      byte[][] acked = {lastAcked};
      LocalCluster.await("a write to n1's shard is refused with DISK_FULL", Duration.ofSeconds(30),
          () -> {
            byte[] value = bytes("during-" + n[0]++);
            try {
              client.put("default", bytes(key), value);
              acked[0] = value;
              return false;
            } catch (BulwarkException e) {
              if (e.code() == ErrorCode.DISK_FULL) {
                refusal[0] = e.getMessage();
                return true;
              }
              throw e;
            }
          });
      System.out.println("refused: " + refusal[0]);
      assertTrue(refusal[0].contains(node + " refuses writes") && refusal[0].contains("free")
          && refusal[0].contains("disk.reserve.bytes"), refusal[0]);
      // Reads need no disk: the last acknowledged value is there, nothing refused was applied.
      lastAcked = acked[0];
      assertArrayEquals(lastAcked, client.get("default", bytes(key)).orElseThrow().value(),
          "the last acknowledged write before the refusal");

      // The health sampler (once a second) must have seen the low disk before space returns;
      // deleting the ballast sooner would leave nothing to recover from.
      awaitEvent(cluster, node + " disk-low", Duration.ofSeconds(30));
      Files.delete(ballast);
      awaitEvent(cluster, node + " disk-ok", Duration.ofSeconds(60));
      LocalCluster.await("writes to the key succeed again", Duration.ofSeconds(30), () -> {
        try {
          return client.put("default", bytes(key), bytes("after")).applied();
        } catch (BulwarkException e) {
          return false;
        }
      });
      assertArrayEquals(bytes("after"), client.get("default", bytes(key)).orElseThrow().value());
      String ev = events(cluster);
      assertTrue(ev.contains(node + " writes-refused") && ev.contains(node + " disk-low"), ev);
      System.out.printf("key %s: last value before the refusal %s, now %s%n", key,
          new String(lastAcked, StandardCharsets.UTF_8), "after");
      assertEquals(3, client.status().nodes().stream().filter(x -> x.alive()).count(),
          "no node crashed on the full disk");
    }
  }

  private static void awaitEvent(LocalCluster cluster, String event, Duration timeout)
      throws Exception {
    try {
      LocalCluster.await("event " + event, timeout, () -> events(cluster).contains(event));
    } catch (AssertionError e) {
      throw new AssertionError(e.getMessage() + "; events:\n" + events(cluster), e);
    }
  }

  /** "node kind" for every event of every node, one per line. */
  private static String events(LocalCluster cluster) {
    StringBuilder b = new StringBuilder();
    try {
      cluster.events().forEach(e -> b.append(e.path("node").asText()).append(' ')
          .append(e.path("kind").asText()).append('\n'));
    } catch (IOException e) {
      return "";
    }
    return b.toString();
  }

  private static void fill(Path file, long bytes) throws IOException {
    byte[] chunk = new byte[1 << 20];
    try (OutputStream out = Files.newOutputStream(file)) {
      for (long written = 0; written < bytes; written += chunk.length) {
        out.write(chunk, 0, (int) Math.min(chunk.length, bytes - written));
      }
    }
  }

  private static void mountTmpfs(Path at) throws Exception {
    int rc = exec("mount", "-t", "tmpfs", "-o", "size=" + TMPFS_BYTES, "tmpfs", at.toString());
    Assumptions.assumeTrue(rc == 0, "mounting a tmpfs needs root (mount exited " + rc
        + "); this test fills a real small filesystem and cannot run without one");
  }

  private static void umount(Path at) throws Exception {
    int rc = exec("umount", at.toString());
    if (rc != 0) {
      throw new AssertionError("umount " + at + " exited " + rc + ": the tmpfs is left mounted");
    }
  }

  private static int exec(String... cmd) throws Exception {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    if (!p.waitFor(30, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      return -1;
    }
    return p.exitValue();
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
