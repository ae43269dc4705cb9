package io.bulwark.cli.local;

/**
 * Restart delays for a crashing node: {@value #INITIAL_MS} ms, doubling up to {@value #MAX_MS}
 * ms. A node that stayed up for {@value #STABLE_MS} ms before it exited starts again from the
 * initial delay, so one crash a day is restarted at once while a crash loop backs off. Not
 * thread-safe; the supervisor's monitor loop owns it.
 */
public final class Backoff {
  public static final long INITIAL_MS = 100;
  public static final long MAX_MS = 5_000;
  public static final long STABLE_MS = 10_000;

  private long nextMs = INITIAL_MS;

  /**
   * The delay before the next restart of a process that ran for {@code uptimeMs}; advances the
   * sequence.
   */
  public long nextDelayMs(long uptimeMs) {
    if (uptimeMs >= STABLE_MS) {
      reset();
    }
    long delay = nextMs;
    nextMs = Math.min(nextMs * 2, MAX_MS);
    return delay;
  }

  /** Back to the initial delay (after a deliberate revive). */
  public void reset() {
    nextMs = INITIAL_MS;
  }
}
