package io.bulwark.sim;

import java.util.List;

/**
 * Rare paths a batch of seeds should reach (STYLE §6, after FoundationDB's code probes): core
 * events and simulator faults. {@link SimMain} lists those that never fired, which says where
 * the swarm needs new knobs — a path never exercised is a path never tested.
 */
final class CoverageProbes {
  private CoverageProbes() {}

  static final List<String> EXPECTED = List.of(
      "core:became-primary", "core:reconciled", "core:stepped-down", "core:grace-expired",
      "core:failover", "core:log-truncated", "core:snapshot-sent", "core:snapshot-installed",
      "core:config-changed", "core:propose", "core:handover",
      "core:handover:done", "core:handover:cas-failed", "core:handover:aborted-resumed",
      "controller:replica-added", "controller:handover-asked", "coord:cas-lost", "coord:proposal-unreachable",
      "node:crashed", "node:stalled", "node:read-release-delayed",
      "fault:partition", "fault:crash-all", "fault:coord-outage", "fault:coord-session-lost",
      "fault:reboot", "fault:clock-rate", "fault:disk-stall",
      "client:write:info", "client:cas:fail");

  /** What the txn workload should reach besides the core's paths (DESIGN §5). */
  static final List<String> TXN_EXPECTED = List.of(
      "coordinator:txn-committed", "coordinator:txn-aborted", "coordinator:txn-recovery",
      "coordinator:txn-recovered", "core:txn-stale", "core:txn-timeout-abort",
      "client:txn:ok", "client:txn:fail", "client:txn:resolving",
      "client:txn-read-met-intent", "fault:txn-crash:coordinator-before-record",
      "fault:txn-crash:coordinator-mid-prepare",
      "fault:txn-crash:coordinator-between-prepare-and-commit",
      "fault:txn-crash:coordinator-after-commit-point", "fault:txn-crash:participant-after-vote",
      "fault:txn-crash:record-primary-after-decide");

  /** The probes a batch of {@code workload} seeds should all fire. */
  static List<String> expected(SimWorkload workload) {
    if (workload == SimWorkload.REGISTER) {
      return EXPECTED;
    }
    List<String> all = new java.util.ArrayList<>(EXPECTED);
    all.removeIf(p -> p.startsWith("client:"));
    all.addAll(TXN_EXPECTED);
    return all;
  }
}
