package io.bulwark.coord;

import java.time.Duration;

/**
 * ZooKeeper could not be used: it was unreachable within the configured time, the call was
 * interrupted, or it returned something this module does not understand. The message names the
 * ZooKeeper address and what was being done, e.g. "cannot reach ZooKeeper at 127.0.0.1:2181
 * within 10 s".
 *
 * <p>Expected outcomes (a keyspace already exists, a compare-and-set lost) are never reported
 * with this exception; they are return values. When {@link #outcomeUnknown()} is true, a write
 * may or may not have been applied: re-read (after a sync) before acting on it.
 */
public final class CoordinationException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final boolean outcomeUnknown;

  public CoordinationException(String message) {
    this(message, null, false);
  }

  public CoordinationException(String message, Throwable cause) {
    this(message, cause, false);
  }

  public CoordinationException(String message, Throwable cause, boolean outcomeUnknown) {
    super(message, cause);
    this.outcomeUnknown = outcomeUnknown;
  }

  /** True if the failed call was a write whose effect on ZooKeeper is not known. */
  public boolean outcomeUnknown() {
    return outcomeUnknown;
  }

  /** "10 s" for whole seconds, "1500 ms" otherwise: how durations appear in messages. */
  static String describe(Duration d) {
    long ms = d.toMillis();
    return ms % 1000 == 0 ? (ms / 1000) + " s" : ms + " ms";
  }
}
