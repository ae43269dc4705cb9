package io.bulwark.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bulwark.client.BulwarkClient;
import io.bulwark.client.BulwarkException;
import io.bulwark.client.ClientOptions;
import io.bulwark.client.ShardLocation;
import io.bulwark.client.VersionedValue;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Values at the DESIGN §2 size limit (1 MiB) keep a node's memory bounded. Each replica keeps
 * some applied log entries in memory to catch followers up; bounded by count alone, 10,000 of
 * them, 400 writes of 1 MiB filled a node's 512 MiB heap: OutOfMemoryError, and again while
 * the restarted node read its log back. Now they are bounded by bytes too (2 MiB per replica,
 * with a quarter of slack before a trim): this test writes 60 MiB into a 4-shard keyspace,
 * which the old bound kept whole on every node, and checks what the nodes hold
 * ({@code bulwark_shard_log_bytes}), then kills a node, revives it (it reads its log back a page
 * at a time) and reads every value back.
 */
class LargeValuesIT {
  private static final int VALUE_BYTES = 1 << 20;
  private static final int LARGE_WRITES = 60;
  private static final int SMALL_WRITES = 400;
  private static final int SHARDS = 4;
  /** What the three nodes may hold at rest: 2.5 MiB per replica of each shard, plus the
   * default keyspace's few small entries. Without the byte bound: 3 x 60 MiB. */
  private static final double HELD_MAX = 3 * SHARDS * 2.5 * (1 << 20) + (1 << 20);

  @Test
  void valuesAtTheSizeLimit_heldLogStaysBounded_andARevivedNodeRejoins(@TempDir Path tmp)
      throws Exception {
    try (LocalCluster cluster = LocalCluster.start(3, tmp.resolve("cluster"));
        BulwarkClient client = BulwarkClient.connect(List.of(cluster.endpoints().split(",")),
            new ClientOptions(Duration.ofSeconds(20), Duration.ofSeconds(5),
                Duration.ofMillis(10), Duration.ofMillis(200)))) {
      LocalCluster.createKeyspace(client, "big", 3, SHARDS, 2, "all");
      for (int s = 0; s < SHARDS; s++) {
        int shard = s;
        LocalCluster.await("shard " + s + " of big has two backups", Duration.ofSeconds(60),
            () -> LocalCluster.shardOf(client.status(), "big", shard).backups().size() == 2);
      }
      long started = System.nanoTime();
      AtomicInteger next = new AtomicInteger();
      List<Thread> writers = new ArrayList<>();
      List<Throwable> failures = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        Thread th = new Thread(() -> {
          for (int i = next.getAndIncrement(); i < LARGE_WRITES; i = next.getAndIncrement()) {
            putUntilAcknowledged(client, "large-" + i, value(i));
          }
        }, "large-writer-" + t);
        th.setUncaughtExceptionHandler((x, e) -> {
          synchronized (failures) {
            failures.add(e);
          }
        });
        writers.add(th);
        th.start();
      }
      for (Thread th : writers) {
        th.join();
      }
      System.out.printf("large writes done at %.1f s%n", seconds(started));
      assertTrue(failures.isEmpty(), "writers failed: " + failures);
      // Small writes after them: each shard's retained log then holds a few large entries and
      // a hundred small ones, more than one page of the revived node's read-back.
      for (int i = 0; i < SMALL_WRITES; i++) {
        putUntilAcknowledged(client, "small-" + i, bytes("s" + i));
      }
      LocalCluster.await("the nodes hold at most " + HELD_MAX + " bytes of log",
          Duration.ofSeconds(30), () -> isBounded(held(cluster)));

      System.out.printf("log bounded at %.1f s%n", seconds(started));
      String victim = "n2";
      cluster.kill(victim);
      cluster.revive(victim);
      for (int s = 0; s < SHARDS; s++) {
        int shard = s;
        LocalCluster.await(victim + " is a replica of shard " + s + " of big again",
            Duration.ofSeconds(90), () -> {
              ShardLocation l = LocalCluster.shardOf(client.status(), "big", shard);
              return l.backups().size() == 2 && (l.primary().equals(victim)
                  || l.backups().contains(victim));
            });
      }
      System.out.printf("%s rejoined at %.1f s%n", victim, seconds(started));
      for (int i = 0; i < LARGE_WRITES; i++) {
        Optional<VersionedValue> v = client.get("big", bytes("large-" + i));
        assertTrue(v.isPresent(), "acknowledged key large-" + i + " is missing");
        assertArrayEquals(value(i), v.get().value(), "value of large-" + i);
      }
      LocalCluster.await("after the revival the nodes hold at most " + HELD_MAX + " bytes",
          Duration.ofSeconds(30), () -> isBounded(held(cluster)));
      System.out.printf("%d values of %d bytes read back; the nodes hold %.1f MiB of log%n",
          LARGE_WRITES, VALUE_BYTES, held(cluster) / (1 << 20));
    }
  }

  private static double seconds(long since) {
    return (System.nanoTime() - since) / 1e9;
  }

  /** Retries refusals and unknown outcomes (a put is idempotent here: same key, same value). */
  private static void putUntilAcknowledged(BulwarkClient client, String key, byte[] value) {
    BulwarkException last = null;
    for (int attempt = 0; attempt < 20; attempt++) {
      try {
        client.put("big", bytes(key), value);
        return;
      } catch (BulwarkException e) {
        last = e;
      }
    }
    throw new AssertionError("put of " + key + " never acknowledged", last);
  }

  /** Within the bound, and not zero: the gauge exists (the small writes are held). */
  private static boolean isBounded(double held) {
    return held > 0 && held <= HELD_MAX;
  }

  private static double held(LocalCluster cluster) {
    try {
      return cluster.metricSum("bulwark_shard_log_bytes");
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** {@link #VALUE_BYTES} bytes, different for each {@code i}. */
  private static byte[] value(int i) {
    byte[] v = new byte[VALUE_BYTES];
    for (int k = 0; k < v.length; k++) {
      v[k] = (byte) ('a' + (i + k) % 26);
    }
    return v;
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
