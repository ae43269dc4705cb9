package io.bulwark.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bulwark.core.detect.HealthPolicy;
import io.bulwark.core.detect.HealthSample;
import io.bulwark.core.detect.HealthThresholds;
import io.bulwark.core.detect.NodeHealth;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Goal: the health monitor publishes to ZooKeeper only when the verdict changes (and retries a
 * failed write), emits health-changed / disk-low / disk-ok, and exports the gauges. Method:
 * scripted samples, a recording publisher, sampleOnce called by hand.
 */
class HealthMonitorTest {
  private static final long MS = 1_000_000L;
  private static final long GIB = 1L << 30;
  private final Deque<HealthSample> samples = new ArrayDeque<>();
  private final List<String> published = new ArrayList<>();
  private final Metrics metrics = new Metrics();
  private final EventLog events = new EventLog("n1", metrics);
  private boolean zookeeperDown;
  private final HealthMonitor monitor = new HealthMonitor(
      new HealthPolicy(HealthThresholds.defaults()), samples::removeFirst,
      (health, reason, diskLow) -> {
        if (zookeeperDown) {
          throw new IllegalStateException("connection loss");
        }
        published.add(health + (diskLow ? " diskLow" : ""));
      }, events, metrics);

  private void feed(long fsyncP99, long diskFree, int times) {
    for (int i = 0; i < times; i++) {
      samples.add(new HealthSample(0.1, 0.2, 0.3, 0.01, diskFree, fsyncP99, 10));
      monitor.sampleOnce();
    }
  }

  private List<String> kinds() {
    List<String> out = new ArrayList<>();
    events.since(0).forEach(e -> out.add(e.kind()));
    return out;
  }

  @Test
  void slowFsync_publishesDegradedOnce_andHealthyAgainAfterRecovery() {
    feed(2 * MS, 50 * GIB, 3);
    assertTrue(published.isEmpty(), "a node registers HEALTHY; nothing to publish");
    feed(90 * MS, 50 * GIB, 6);
    assertEquals(List.of("DEGRADED"), published);
    assertEquals(NodeHealth.DEGRADED, monitor.current().health());
    assertEquals(1.0, metrics.nodeHealth.get());
    feed(2 * MS, 50 * GIB, 10);
    assertEquals(List.of("DEGRADED", "HEALTHY"), published);
    assertEquals(List.of("health-changed", "health-changed"), kinds());
  }

  @Test
  void lowDisk_emitsDiskLowAndPublishesTheFlag_andAFailedWriteIsRetried() {
    zookeeperDown = true;
    feed(2 * MS, GIB / 2, 1);
    assertTrue(published.isEmpty());
    zookeeperDown = false;
    feed(2 * MS, GIB / 2, 1);
    assertEquals(List.of("HEALTHY diskLow"), published);
    assertEquals(List.of("disk-low"), kinds());
    assertEquals(1.0, metrics.diskLow.get());
    feed(2 * MS, 10 * GIB, 10);
    assertEquals("disk-ok", kinds().get(kinds().size() - 1));
  }
}
