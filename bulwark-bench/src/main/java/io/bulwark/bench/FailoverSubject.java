package io.bulwark.bench;

/**
 * A system whose serving member the failover bench can kill and bring back: for Bulwark the
 * primary of the probe key's shard, for a peer its leader.
 */
public interface FailoverSubject {
  String name();

  /** A fresh target for the load and the probe; the caller closes it. */
  Target openTarget() throws Exception;

  /** Returns once the system is fully replicated and settled (before each kill). */
  void awaitHealthy() throws Exception;

  /**
   * Kills with SIGKILL the member that acknowledges writes of {@code probeKey}, and returns once
   * that process is gone.
   *
   * @return the victim's name, for the report
   */
  String killServing(byte[] probeKey) throws Exception;

  /** Starts the victim of the last kill again and waits until it is back in service. */
  void recover() throws Exception;
}
