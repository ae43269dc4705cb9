package io.bulwark.core.placement;

/**
 * A node's resource health as the controller sees it (DESIGN §6: HEALTHY, DEGRADED, FAILED).
 * The default, in bulwark-server, reports no node as degraded; the health monitor plugs in a
 * view of what nodes publish in their ZooKeeper records. Implementations are thread-safe.
 */
public interface NodeHealthView {
  /** True if {@code node} reports DEGRADED (or worse) resource health now. */
  boolean degraded(String node);
}
