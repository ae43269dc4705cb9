package io.bulwark.core.placement;

/**
 * Whether a node counts as gone for placement decisions (DESIGN §6). The default, in
 * bulwark-server, is "holds no ZooKeeper session" (no ephemeral {@code nodes/<id>} znode); the
 * failure detector may refine it with phi-accrual suspicion. Implementations are thread-safe.
 */
public interface NodeLiveness {
  boolean gone(String node);
}
