package io.bulwark.server;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/**
 * The node's Prometheus metrics, all in one place (STYLE §3 naming):
 * <ul>
 *   <li>{@code bulwark_client_requests_total{op,result}} — client requests by outcome
 *       ({@code ok}, {@code not_primary}, {@code unavailable}, {@code indeterminate},
 *       {@code invalid}, ...).
 *   <li>{@code bulwark_client_request_seconds{op}} — latency of served requests.
 *   <li>{@code bulwark_log_fsync_seconds} — one group-commit write + fsync.
 *   <li>{@code bulwark_log_group_commit_entries} — entries per group commit.
 *   <li>{@code bulwark_events_total{kind}} — event-log entries (failover, role, ...).
 *   <li>{@code bulwark_shard_role{keyspace,shard}} — 0 none, 1 learner, 2 backup, 3 primary.
 *   <li>{@code bulwark_shard_epoch{keyspace,shard}}, {@code bulwark_shard_committed_index},
 *       {@code bulwark_shard_applied_index} — per-shard progress.
 *   <li>{@code bulwark_node_health} — this node's verdict: 0 HEALTHY, 1 DEGRADED, 2 FAILED.
 *   <li>{@code bulwark_node_disk_low} — 1 while the node takes no new replicas for lack of disk.
 *   <li>{@code bulwark_replica_refused_messages_total{message}} — replication messages
 *       ({@code ReplicatePrepare} with entries, {@code SnapshotChunk}) this node dropped unhandled
 *       because its disk was below {@code disk.reserve.bytes} (DESIGN §6).
 *   <li>{@code bulwark_node_cpu_process_ratio}, {@code bulwark_node_cpu_system_ratio},
 *       {@code bulwark_node_heap_after_gc_ratio}, {@code bulwark_node_gc_time_ratio},
 *       {@code bulwark_node_disk_free_bytes}, {@code bulwark_log_fsync_p99_seconds} — the
 *       latest resource sample the health verdict was computed from (DESIGN §6).
 *   <li>{@code bulwark_peer_phi{peer}} — phi-accrual suspicion of each peer;
 *       {@code bulwark_peer_suspected{peer}} — 1 while phi is at or above the threshold.
 *   <li>{@code bulwark_txn_commits_total} — transactions this node coordinated that committed.
 *   <li>{@code bulwark_txn_aborts_total{reason}} — ... that aborted: {@code conflict} (a
 *       participant voted NO), {@code timeout} (txn-timeout passed before the decide) or
 *       {@code other}.
 *   <li>{@code bulwark_txn_in_doubt{keyspace,shard}} — transactions prepared and not yet resolved
 *       in the shards this node is primary of (0 elsewhere), updated once a second.
 *   <li>{@code bulwark_txn_coordinating} — commits and recoveries this node's coordinators work on.
 *   <li>{@code bulwark_txn_recovery_actions_total{action}} — DESIGN §5 recovery: {@code stale}
 *       (a participant primary here found an intent older than txn-timeout), {@code recover} (a
 *       coordinator here started resolving it), {@code resolved} (learnt its fate and told the
 *       participant), {@code timeout-abort} (a record primary here aborted a transaction on
 *       its clock), {@code given-up} (a coordinator here stopped trying: outcome UNKNOWN).
 *   <li>JVM metrics (heap, GC, threads) from the Prometheus JVM instrumentation.
 * </ul>
 * Thread-safe.
 */
public final class Metrics {
  final PrometheusRegistry registry = new PrometheusRegistry();
  private final Counter requests = Counter.builder().name("bulwark_client_requests_total")
      .help("Client requests by operation and result").labelNames("op", "result")
      .register(registry);
  private final Histogram requestSeconds = Histogram.builder()
      .name("bulwark_client_request_seconds").help("Latency of served client requests")
      .labelNames("op").classicUpperBounds(0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1,
          0.25, 0.5, 1, 2.5, 5)
      .register(registry);
  private final Histogram fsyncSeconds = Histogram.builder().name("bulwark_log_fsync_seconds")
      .help("Duration of one group-commit log write and fsync")
      .classicUpperBounds(0.0001, 0.00025, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1,
          0.5)
      .register(registry);
  private final Histogram groupCommitEntries = Histogram.builder()
      .name("bulwark_log_group_commit_entries").help("Log entries made durable by one fsync")
      .classicUpperBounds(1, 2, 4, 8, 16, 32, 64, 128, 256, 1024).register(registry);
  private final Counter events = Counter.builder().name("bulwark_events_total")
      .help("Event-log entries by kind").labelNames("kind").register(registry);
  final Gauge shardRole = Gauge.builder().name("bulwark_shard_role")
      .help("This node's role: 0 none, 1 learner, 2 backup, 3 primary")
      .labelNames("keyspace", "shard").register(registry);
  final Gauge shardEpoch = Gauge.builder().name("bulwark_shard_epoch")
      .help("Configuration epoch this replica knows").labelNames("keyspace", "shard")
      .register(registry);
  final Gauge shardCommitted = Gauge.builder().name("bulwark_shard_committed_index")
      .help("Committed log index known here").labelNames("keyspace", "shard").register(registry);
  final Gauge shardApplied = Gauge.builder().name("bulwark_shard_applied_index")
      .help("Applied log index").labelNames("keyspace", "shard").register(registry);
  final Gauge shardLogBytes = Gauge.builder().name("bulwark_shard_log_bytes")
      .help("Bytes of log entries held in memory: those not yet applied, and the applied ones"
          + " kept for catching up followers (at most 10,000 and 2 MiB)")
      .labelNames("keyspace", "shard").register(registry);

  final Gauge nodeHealth = Gauge.builder().name("bulwark_node_health")
      .help("This node's health: 0 HEALTHY, 1 DEGRADED, 2 FAILED").register(registry);
  final Gauge diskLow = Gauge.builder().name("bulwark_node_disk_low")
      .help("1 while this node takes no new replicas because its disk is low").register(registry);
  private final Counter replicaRefused = Counter.builder()
      .name("bulwark_replica_refused_messages_total")
      .help("Replication messages dropped unhandled because the disk is below its reserve")
      .labelNames("message").register(registry);
  final Gauge cpuProcess = Gauge.builder().name("bulwark_node_cpu_process_ratio")
      .help("This process's share of all CPUs in the last health sample").register(registry);
  final Gauge cpuSystem = Gauge.builder().name("bulwark_node_cpu_system_ratio")
      .help("The machine's CPU use in the last health sample").register(registry);
  final Gauge heapAfterGc = Gauge.builder().name("bulwark_node_heap_after_gc_ratio")
      .help("Heap in use after the latest GC, as a share of the maximum heap").register(registry);
  final Gauge gcTime = Gauge.builder().name("bulwark_node_gc_time_ratio")
      .help("Share of the last health sample interval spent in GC pauses").register(registry);
  final Gauge diskFree = Gauge.builder().name("bulwark_node_disk_free_bytes")
      .help("Usable space on the data directory's file system").register(registry);
  final Gauge fsyncP99 = Gauge.builder().name("bulwark_log_fsync_p99_seconds")
      .help("p99 of log fsync latency in the last health sample interval")
      .register(registry);
  final Gauge peerPhi = Gauge.builder().name("bulwark_peer_phi")
      .help("Phi-accrual suspicion of a peer (suspected at or above the threshold)")
      .labelNames("peer").register(registry);
  final Gauge peerSuspected = Gauge.builder().name("bulwark_peer_suspected")
      .help("1 while this node suspects the peer").labelNames("peer").register(registry);
  private final Counter txnCommits = Counter.builder().name("bulwark_txn_commits_total")
      .help("Transactions coordinated here that committed").register(registry);
  private final Counter txnAborts = Counter.builder().name("bulwark_txn_aborts_total")
      .help("Transactions coordinated here that aborted, by reason").labelNames("reason")
      .register(registry);
  final Gauge txnInDoubt = Gauge.builder().name("bulwark_txn_in_doubt")
      .help("Prepared, unresolved transactions in shards this node is primary of")
      .labelNames("keyspace", "shard").register(registry);
  final Gauge txnCoordinating = Gauge.builder().name("bulwark_txn_coordinating")
      .help("Commits and recoveries in progress in this node's coordinators").register(registry);
  private final Counter txnRecovery = Counter.builder().name("bulwark_txn_recovery_actions_total")
      .help("Transaction recovery actions (DESIGN §5) by kind").labelNames("action")
      .register(registry);
  private final FsyncWindow fsyncWindow = new FsyncWindow();

  public Metrics() {
    JvmMetrics.builder().register(registry);
  }

  public void request(String op, String result, long nanos) {
    requests.labelValues(op, result).inc();
    if ("ok".equals(result)) {
      requestSeconds.labelValues(op).observe(nanos / 1e9);
    }
  }

  public void fsync(long nanos, int entries) {
    fsyncSeconds.observe(nanos / 1e9);
    fsyncWindow.record(nanos);
    groupCommitEntries.observe(entries);
  }

  /** Counts a transaction event (a coordinator's or a replica's Emit) in the txn metrics. */
  public void txnEvent(String event, String detail) {
    switch (event) {
      case "txn-committed" -> txnCommits.inc();
      case "txn-aborted" -> txnAborts.labelValues(abortReason(detail)).inc();
      case "txn-stale" -> txnRecovery.labelValues("stale").inc();
      case "txn-recovery" -> txnRecovery.labelValues("recover").inc();
      case "txn-recovered" -> txnRecovery.labelValues("resolved").inc();
      case "txn-timeout-abort" -> txnRecovery.labelValues("timeout-abort").inc();
      case "txn-given-up" -> txnRecovery.labelValues("given-up").inc();
      default -> { }
    }
  }

  /** A bounded label for an abort's reason text (labels never carry keys or ids). */
  static String abortReason(String detail) {
    if (detail.contains("voted NO")) {
      return "conflict";
    }
    if (detail.contains("timeout") || detail.contains("timed out")) {
      return "timeout";
    }
    return "other";
  }

  /** Counts a replication message dropped for lack of disk ({@code message}: its type). */
  void replicaRefused(String message) {
    replicaRefused.labelValues(message).inc();
  }

  public void event(String kind) {
    events.labelValues(kind).inc();
  }

  /** Fsync latencies since the health monitor's last sample. */
  FsyncWindow fsyncWindow() {
    return fsyncWindow;
  }

  public PrometheusRegistry registry() {
    return registry;
  }
}
