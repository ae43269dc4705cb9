package io.bulwark.cli.local;

/**
 * Restart delays for a crashing node: {@value #INITIAL_MS} ms, doubling up to {@value #MAX_MS}
 * ms. Only a run of at least {@value #STABLE_MS} ms before the exit starts the sequence over, as
 * Kubernetes resets its crash-loop back-off only after a container ran for a while without a
 * problem: one crash a day is restarted at once, while a node that crashes every 10 or 20 s is a
 * crash loop and backs off. (A 10 s threshold once let a node that lived 10–13 s each time
 * restart every 100 ms for ever.) Not thread-safe; the supervisor's monitor loop owns it.
 */
public final class Backoff {
  public static final long INITIAL_MS = 100;
  public static final long MAX_MS = 5_000;
  public static final long STABLE_MS = 60_000;

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
