package io.bulwark.core.detect;

/**
 * A fixed-size latency histogram for windowed percentiles (the fsync p99 of one health sample):
 * constant memory and O(1) recording however many operations a window sees. Buckets grow by a
 * factor of 2^(1/4) (~19 %) from 1 µs to ~2 min, so a percentile is reported as its bucket's
 * upper bound: at most 19 % high, never low. Values below 1 µs land in the first bucket, above
 * the last bound in the last.
 *
 * <p>Not thread-safe.
 */
public final class LatencyHistogram {
  private static final long FIRST_BOUND_NANOS = 1_000;
  private static final double GROWTH = Math.pow(2, 0.25);
  private static final int BUCKETS = 108; // 1 µs · 2^(107/4) ~ 113 s
  private static final long[] BOUNDS = bounds();

  private final long[] counts = new long[BUCKETS];
  private long total;
  private long maxNanos;

  private static long[] bounds() {
    long[] b = new long[BUCKETS];
    double v = FIRST_BOUND_NANOS;
    for (int i = 0; i < BUCKETS; i++) {
      b[i] = (long) Math.ceil(v);
      v *= GROWTH;
    }
    return b;
  }

  public void record(long nanos) {
    int i = bucketOf(nanos);
    counts[i]++;
    total++;
    maxNanos = Math.max(maxNanos, nanos);
  }

  private static int bucketOf(long nanos) {
    int lo = 0;
    int hi = BUCKETS - 1;
    while (lo < hi) { // the first bound >= nanos
      int mid = (lo + hi) >>> 1;
      if (BOUNDS[mid] >= nanos) {
        hi = mid;
      } else {
        lo = mid + 1;
      }
    }
    return lo;
  }

  /** Values recorded since the last {@link #reset}. */
  public long count() {
    return total;
  }

  /** The largest value recorded since the last reset, 0 if none. */
  public long maxNanos() {
    return maxNanos;
  }

  /**
   * The {@code q}-quantile (0 < q <= 1) as a bucket upper bound, capped at the largest value
   * seen; 0 when nothing was recorded.
   *
   * @throws IllegalArgumentException if q is outside (0, 1]
   */
  public long quantileNanos(double q) {
    if (!(q > 0 && q <= 1)) {
      throw new IllegalArgumentException("quantile must be in (0, 1], was " + q);
    }
    if (total == 0) {
      return 0;
    }
    long rank = (long) Math.ceil(q * total);
    long seen = 0;
    for (int i = 0; i < BUCKETS; i++) {
      seen += counts[i];
      if (seen >= rank) {
        return Math.min(BOUNDS[i], maxNanos);
      }
    }
    return maxNanos;
  }

  public void reset() {
    java.util.Arrays.fill(counts, 0);
    total = 0;
    maxNanos = 0;
  }
}
