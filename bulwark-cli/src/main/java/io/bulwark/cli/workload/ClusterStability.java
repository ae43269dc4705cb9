package io.bulwark.cli.workload;

import io.bulwark.client.BulwarkClient;
import io.bulwark.client.ShardLocation;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Waits until a keyspace is fully replicated and its configurations have stopped changing for a
 * while: a freshly started cluster settles (first connections, JIT warm-up, the controller
 * re-adding a backup removed during a slow start) before a demo or a test injects its fault, so
 * the fault meets the configuration the caller read.
 */
public final class ClusterStability {
  static final long POLL_MS = 100;

  private ClusterStability() {}

  /**
   * Returns once every shard of {@code keyspace} has {@code replicas} members and no learner, and
   * no configuration of it changed for {@code stableFor}; throws {@link IllegalStateException}
   * naming the last configuration seen if {@code deadline} passes first.
   */
  public static void await(BulwarkClient client, String keyspace, int replicas,
      Duration stableFor, Duration deadline) throws InterruptedException {
    long end = System.nanoTime() + deadline.toNanos();
    List<ShardLocation> last = null;
    long stableSince = System.nanoTime();
    while (System.nanoTime() < end) {
      List<ShardLocation> now;
      try {
        now = client.status().shards().stream()
            .filter(s -> s.keyspace().equals(keyspace)).toList();
      } catch (RuntimeException e) {
        now = null; // Not answering yet: not stable.
      }
      boolean full = now != null && !now.isEmpty() && now.stream()
          .allMatch(s -> s.backups().size() + 1 == replicas && s.learners().isEmpty());
      if (!full || !Objects.equals(now, last)) {
        stableSince = System.nanoTime();
        last = now;
      } else if (System.nanoTime() - stableSince >= stableFor.toNanos()) {
        return;
      }
      Thread.sleep(POLL_MS);
    }
    throw new IllegalStateException("keyspace " + keyspace + " did not settle with " + replicas
        + " replicas per shard within " + deadline + "; last seen: " + last);
  }
}
