package io.bulwark.cli.workload;

import io.bulwark.client.BulwarkClient;
import io.bulwark.client.BulwarkException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One writer on one shard, back to back, remembering when its latest write was acknowledged:
 * how the demo and the tests measure a shard's write-unavailability gap around a fault without
 * the noise of writers that also wait on other shards. Values are not recorded in a history.
 */
public final class ShardProbe implements AutoCloseable {
  /** Candidate keys tried to find one on the shard; 16 shards need ~16 on average. */
  static final int KEY_CANDIDATES_MAX = 100_000;

  private final AtomicLong lastAckNanos = new AtomicLong(Long.MIN_VALUE);
  private final AtomicLong maxGapNanos = new AtomicLong();
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final Thread thread;
  private final String key;

  public ShardProbe(BulwarkClient client, String keyspace, int shard) {
    String found = null;
    for (int i = 0; found == null && i < KEY_CANDIDATES_MAX; i++) {
      if (client.locate(keyspace, bytes("probe-" + i)).shard() == shard) {
        found = "probe-" + i;
      }
    }
    if (found == null) {
      throw new IllegalStateException("no probe key maps to shard " + shard);
    }
    key = found;
    thread = new Thread(() -> {
      for (long i = 0; running.get(); i++) {
        try {
          client.put(keyspace, bytes(key), bytes(Long.toString(i)));
          long now = System.nanoTime();
          long previous = lastAckNanos.getAndSet(now);
          if (previous != Long.MIN_VALUE) {
            maxGapNanos.accumulateAndGet(now - previous, Math::max);
          }
        } catch (BulwarkException e) {
          // Unavailable during a fault: the gap is what this probe measures.
        }
      }
    }, "shard-probe-" + shard);
    thread.start();
  }

  /** Monotonic time of the latest acknowledged probe write ({@code Long.MIN_VALUE} if none). */
  public long lastAckNanos() {
    return lastAckNanos.get();
  }

  /**
   * The longest time between two consecutive acknowledged probe writes since the last {@link
   * #resetMaxGap}: around a fault, the shard's write-unavailability gap as a client sees it
   * (whenever during the window the fault struck and healed).
   */
  public long maxGapNanos() {
    return maxGapNanos.get();
  }

  public void resetMaxGap() {
    maxGapNanos.set(0);
  }

  public String key() {
    return key;
  }

  @Override
  public void close() throws InterruptedException {
    running.set(false);
    thread.join();
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
