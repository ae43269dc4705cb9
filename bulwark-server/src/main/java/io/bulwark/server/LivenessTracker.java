package io.bulwark.server;

import io.bulwark.core.detect.Liveness;
import java.util.Collection;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import java.util.function.Predicate;

/**
 * Which nodes are gone, for placement and re-replication decisions (DESIGN §6): a node is
 * {@link Liveness#GONE} only while its ephemeral znode is missing <em>and</em> this node's
 * failure detector suspects it. A ZooKeeper outage (every znode gone, heartbeats still
 * flowing) or a slow peer (suspected, session fine) is not enough.
 *
 * <p>{@link #update} is called after every failure-detector tick; it records since when each
 * node has been gone (for {@code replace-after}) and emits {@code node-failed} when a node
 * becomes gone and {@code node-returned} when it stops being gone. The queries read what the
 * latest update saw. Thread-safe.
 *
 * <p>Use from the controller: {@code isGone(id)} to skip a node, {@code goneForNanos(id, now)}
 * to decide that its replicas must be re-created elsewhere.
 */
final class LivenessTracker implements io.bulwark.core.placement.NodeLiveness {
  private record State(Liveness liveness, long sinceNanos) {}

  private final Predicate<String> registered;
  private final Predicate<String> suspected;
  private final BiConsumer<String, String> emit;
  private final Map<String, State> states = new ConcurrentHashMap<>();

  /**
   * @param registered whether a node's membership znode exists (the watched cluster view)
   * @param suspected whether the failure detector suspects a node
   * @param emit where events go: (kind, detail)
   */
  LivenessTracker(Predicate<String> registered, Predicate<String> suspected,
      BiConsumer<String, String> emit) {
    this.registered = registered;
    this.suspected = suspected;
    this.emit = emit;
  }

  /** Re-evaluates {@code nodes} at {@code nowNanos}; emits an event for every gone change. */
  void update(Collection<String> nodes, long nowNanos) {
    for (String id : nodes) {
      Liveness now = liveness(registered.test(id), suspected.test(id));
      State before = states.get(id);
      if (before != null && before.liveness() == now) {
        continue;
      }
      states.put(id, new State(now, nowNanos));
      if (now == Liveness.GONE) {
        emit.accept("node-failed", "node=" + id + " reason=\"no membership znode and suspected "
            + "by the failure detector\"");
      } else if (before != null && before.liveness() == Liveness.GONE) {
        emit.accept("node-returned", "node=" + id + " liveness=" + now + " goneMs="
            + (nowNanos - before.sinceNanos()) / 1_000_000);
      }
    }
  }

  private static Liveness liveness(boolean registered, boolean suspected) {
    return Liveness.of(registered, suspected);
  }

  /**
   * The liveness of {@code id} at the latest update; {@link Liveness#ALIVE} for a node never
   * evaluated (this node has no evidence against it).
   */
  Liveness liveness(String id) {
    State s = states.get(id);
    return s == null ? Liveness.ALIVE : s.liveness();
  }

  boolean isGone(String id) {
    return liveness(id) == Liveness.GONE;
  }

  /** For placement (the controller's replace-after clock): the same as {@link #isGone}. */
  @Override
  public boolean gone(String node) {
    return isGone(node);
  }

  /** How long {@code id} has been gone at {@code nowNanos}; empty if it is not gone. */
  OptionalLong goneForNanos(String id, long nowNanos) {
    State s = states.get(id);
    if (s == null || s.liveness() != Liveness.GONE) {
      return OptionalLong.empty();
    }
    return OptionalLong.of(Math.max(0, nowNanos - s.sinceNanos()));
  }
}
