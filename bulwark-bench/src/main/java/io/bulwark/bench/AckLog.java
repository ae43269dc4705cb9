package io.bulwark.bench;

/**
 * The monotonic times of the latest acknowledged writes of one probe, in a ring of {@value
 * #CAPACITY}: enough to look back over the few seconds between a kill and the question "when
 * was the first write acknowledged after it?". Thread-safe.
 */
final class AckLog {
  static final int CAPACITY = 1 << 16;

  private final long[] times = new long[CAPACITY];
  private long count;

  synchronized void record(long nanos) {
    times[(int) (count % CAPACITY)] = nanos;
    count++;
  }

  /** The earliest recorded ack later than {@code nanos}, or {@code Long.MIN_VALUE} if none. */
  synchronized long firstAfter(long nanos) {
    long oldest = Math.max(0, count - CAPACITY);
    for (long i = oldest; i < count; i++) {
      long t = times[(int) (i % CAPACITY)];
      if (t - nanos > 0) {
        return t;
      }
    }
    return Long.MIN_VALUE;
  }

  synchronized long count() {
    return count;
  }
}
