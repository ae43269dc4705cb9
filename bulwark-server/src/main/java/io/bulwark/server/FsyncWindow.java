package io.bulwark.server;

import io.bulwark.core.detect.LatencyHistogram;

/**
 * Log fsync latencies since the health monitor's last sample: the log writer records each group
 * commit, the monitor takes the window's p99 once per sample and starts a new window.
 * Thread-safe (one lock; recording is O(1)).
 */
final class FsyncWindow {
  /** One closed window. */
  record Summary(long p99Nanos, long count) {}

  private final LatencyHistogram histogram = new LatencyHistogram();

  synchronized void record(long nanos) {
    histogram.record(nanos);
  }

  /** The p99 and count of the window so far, and a fresh window. */
  synchronized Summary takeAndReset() {
    Summary s = new Summary(histogram.quantileNanos(0.99), histogram.count());
    histogram.reset();
    return s;
  }
}
