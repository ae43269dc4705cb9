package io.bulwark.server;

import io.bulwark.core.common.ShardId;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes the shards this node holds dormant (data on disk, not a replica) in its ZooKeeper
 * record, so that any controller — also one that took over after this node was removed — re-adds
 * it to them first instead of copying the shard elsewhere (DESIGN §6). Offered the current list
 * once a second by the replica loop; writes only a list that differs from the last one written,
 * on {@code executor} (ZooKeeper calls must not block the loop), and tries again on the next
 * offer when a write fails (e.g. before the node has registered).
 */
final class DormantPublisher {
  private static final Logger LOG = LoggerFactory.getLogger(DormantPublisher.class);

  private final Consumer<List<ShardId>> write;
  private final Executor executor;
  /** What the record holds; a node registers with none. Written on the executor only. */
  private volatile List<ShardId> published = List.of();

  DormantPublisher(Consumer<List<ShardId>> write, Executor executor) {
    this.write = write;
    this.executor = executor;
  }

  void offer(List<ShardId> dormant) {
    if (dormant.equals(published)) {
      return;
    }
    List<ShardId> next = List.copyOf(dormant);
    executor.execute(() -> {
      if (next.equals(published)) {
        return;
      }
      try {
        write.accept(next);
        published = next;
      } catch (RuntimeException e) {
        LOG.debug("event=dormant-publish-failed retry=next-offer reason=\"{}\"", e.getMessage());
      }
    });
  }
}
