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
    groupCommitEntries.observe(entries);
  }

  public void event(String kind) {
    events.labelValues(kind).inc();
  }

  public PrometheusRegistry registry() {
    return registry;
  }
}
