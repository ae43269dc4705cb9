package io.bulwark.bench;

import java.time.Duration;
import java.util.concurrent.Callable;

/** Waiting for a named condition with a deadline (never an unbounded or blind sleep). */
final class Waits {
  static final long POLL_MS = 100;

  private Waits() {}

  /**
   * Polls {@code condition} every {@value #POLL_MS} ms until it returns true.
   *
   * @param what the condition, for the message ("etcd to elect a leader")
   * @param detail called for the message when the deadline passes (last state seen, logs)
   * @throws BenchException naming {@code what} and the detail if {@code deadline} passes
   */
  static void until(String what, Duration deadline, Callable<Boolean> condition,
      Callable<String> detail) throws Exception {
    long end = System.nanoTime() + deadline.toNanos();
    while (true) {
      if (condition.call()) {
        return;
      }
      if (System.nanoTime() - end > 0) {
        throw new BenchException("timed out after " + deadline.toSeconds() + " s waiting for "
            + what + "; " + detail.call());
      }
      Thread.sleep(POLL_MS);
    }
  }
}
