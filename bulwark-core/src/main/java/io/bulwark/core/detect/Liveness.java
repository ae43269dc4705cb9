package io.bulwark.core.detect;

/**
 * Whether a peer is there, from two independent signals (DESIGN §6): its ephemeral ZooKeeper
 * membership znode and this node's phi-accrual suspicion of it. Only both together make a node
 * {@link #GONE}: a ZooKeeper outage expires every session at once while the nodes still hear
 * each other, and a slow network or a long GC makes phi suspect a node whose session is fine.
 * Neither alone may trigger re-replication.
 */
public enum Liveness {
  /** Registered and heard from. */
  ALIVE,
  /** Registered, but its heartbeats have stopped arriving here (phi above the threshold). */
  SUSPECTED,
  /** Heard from, but its znode is missing (its session expired, or ZooKeeper is unreachable). */
  UNREGISTERED,
  /** Neither registered nor heard from: gone for placement decisions. */
  GONE;

  /** The liveness of a node with ({@code registered}, {@code suspected}). */
  public static Liveness of(boolean registered, boolean suspected) {
    if (registered) {
      return suspected ? SUSPECTED : ALIVE;
    }
    return suspected ? GONE : UNREGISTERED;
  }
}
