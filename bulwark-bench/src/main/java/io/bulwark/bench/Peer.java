package io.bulwark.bench;

/**
 * A peer system the bench runs itself: three members on loopback, in a temporary directory,
 * started by {@link #start} and stopped (directory removed) by {@link #close}. Every method
 * waits with a deadline and throws {@link BenchException} naming what did not happen and the
 * member's log.
 */
public interface Peer extends BenchSystem, AutoCloseable {
  /** Starts every member and waits until they have elected a leader that all of them follow. */
  void start() throws Exception;

  /** The index (0..2) of the current leader, as the members report it. */
  int leader() throws Exception;

  /** SIGKILL to member {@code index}; returns once the process is gone. */
  void kill(int index) throws Exception;

  /** Starts member {@code index} again (same data) and waits until all members serve again. */
  void restart(int index) throws Exception;

  /**
   * Stops every member (SIGTERM, then SIGKILL) and removes the directory unless asked to keep
   * it. Idempotent.
   */
  @Override
  void close();
}
