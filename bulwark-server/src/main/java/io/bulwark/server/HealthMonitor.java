package io.bulwark.server;

import io.bulwark.core.detect.HealthPolicy;
import io.bulwark.core.detect.HealthSample;
import io.bulwark.core.detect.HealthVerdict;
import io.bulwark.core.detect.NodeHealth;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Samples this node's resources once per period on its own thread ({@code bulwark-health}),
 * lets {@link HealthPolicy} judge them, and publishes the verdict (DESIGN §6):
 * <ul>
 *   <li>to ZooKeeper, in this node's membership record, whenever the health, the set of
 *       conditions behind it or the disk-low flag changes (not on every new number); a failed
 *       write is retried on the next sample;</li>
 *   <li>as events {@code health-changed}, {@code disk-low} and {@code disk-ok};</li>
 *   <li>as gauges ({@code bulwark_node_health} and the per-resource ones) on every sample;</li>
 *   <li>to readers of {@link #current()} ({@code /health}, the controller).</li>
 * </ul>
 * Thread-safe: {@link #current()} may be read from any thread.
 */
final class HealthMonitor implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(HealthMonitor.class);

  /** Writes the verdict where other nodes read it ({@code Coordinator.updateHealth}). */
  interface Publisher {
    void publish(NodeHealth health, String reason, boolean diskLow);
  }

  private record Published(NodeHealth health, List<String> conditions, boolean diskLow) {}

  private final HealthPolicy policy;
  private final Supplier<HealthSample> sampler;
  private final Publisher publisher;
  private final EventLog events;
  private final Metrics metrics;
  private final ScheduledExecutorService exec =
      Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "bulwark-health");
        t.setDaemon(true);
        return t;
      });
  private volatile HealthVerdict current =
      new HealthVerdict(NodeHealth.HEALTHY, "", List.of(), false, null);
  /** What ZooKeeper holds: a node registers as HEALTHY. Only the sampling thread touches it. */
  private Published published = new Published(NodeHealth.HEALTHY, List.of(), false);

  HealthMonitor(HealthPolicy policy, Supplier<HealthSample> sampler, Publisher publisher,
      EventLog events, Metrics metrics) {
    this.policy = policy;
    this.sampler = sampler;
    this.publisher = publisher;
    this.events = events;
    this.metrics = metrics;
  }

  void start(long periodMs) {
    exec.scheduleWithFixedDelay(() -> {
      try {
        sampleOnce();
      } catch (RuntimeException e) {
        LOG.warn("event=health-sample-failed reason=\"{}\"", e.getMessage(), e);
      }
    }, periodMs, periodMs, TimeUnit.MILLISECONDS);
  }

  /** The latest verdict; HEALTHY before the first sample. */
  HealthVerdict current() {
    return current;
  }

  /** Takes one sample and acts on the verdict. Called by the monitor's thread (or a test). */
  void sampleOnce() {
    HealthSample s = sampler.get();
    HealthVerdict before = current;
    HealthVerdict v = policy.observe(s);
    current = v;
    gauges(v);
    if (v.health() != before.health()) {
      events.emit("health-changed", "from=" + before.health() + " to=" + v.health()
          + " reason=\"" + v.reason() + "\"");
    }
    if (v.diskLow() != before.diskLow()) {
      events.emit(v.diskLow() ? "disk-low" : "disk-ok", "freeBytes=" + s.diskFreeBytes()
          + " lowBytes=" + policy.limits().diskLowBytes());
    }
    Published next = new Published(v.health(), v.conditions(), v.diskLow());
    if (!next.equals(published)) {
      try {
        publisher.publish(v.health(), v.reason(), v.diskLow());
        published = next;
      } catch (RuntimeException e) {
        LOG.warn("event=health-publish-failed health={} reason=\"{}\" retry=next-sample",
            v.health(), e.getMessage());
      }
    }
  }

  private void gauges(HealthVerdict v) {
    HealthSample s = v.sample();
    metrics.nodeHealth.set(v.health().gaugeValue());
    metrics.diskLow.set(v.diskLow() ? 1 : 0);
    metrics.cpuProcess.set(s.processCpu());
    metrics.cpuSystem.set(s.systemCpu());
    metrics.heapAfterGc.set(s.heapAfterGc());
    metrics.gcTime.set(s.gcTime());
    metrics.diskFree.set(s.diskFreeBytes());
    metrics.fsyncP99.set(s.fsyncP99Nanos() / 1e9);
  }

  @Override
  public void close() {
    exec.shutdownNow();
  }
}
