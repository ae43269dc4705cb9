package io.bulwark.core.pb;

import io.bulwark.core.common.KeyspaceSpec;

/**
 * Timing and sizing knobs of one replica (DESIGN §3). All durations are monotonic nanoseconds.
 *
 * @param leaseNanos how long a beacon acked by every backup lets the primary serve (default 300 ms)
 * @param graceNanos how long a backup waits after its own last ack before proposing itself
 *     (default 600 ms); must exceed {@code lease·(1+ρ)/(1−ρ) + beacon} (§3.7)
 * @param beaconNanos the beacon interval (default 50 ms)
 * @param retransmitNanos how long the primary waits for an ack before resending (default 100 ms)
 * @param minInsync members (primary included) a configuration needs to accept new writes
 * @param acks when a write is acknowledged: after every member holds it, or the primary alone
 * @param batchEntriesMax most entries in one ReplicatePrepare
 * @param logRetainEntries applied entries kept in the log for catching up replicas; older ones
 *     are trimmed and a replica that needs them gets a snapshot
 * @param snapshotChunkEntriesMax most keys in one snapshot chunk
 * @param txnTimeoutNanos how long a transaction may stay prepared (participant) or PENDING
 *     (record shard primary) by a primary's own clock before recovery aborts it if it has not
 *     committed (DESIGN §5; default 2 s)
 */
public record ReplicaOptions(
    long leaseNanos,
    long graceNanos,
    long beaconNanos,
    long retransmitNanos,
    int minInsync,
    KeyspaceSpec.Acks acks,
    int batchEntriesMax,
    int logRetainEntries,
    int snapshotChunkEntriesMax,
    long txnTimeoutNanos) {

  /** ρ: the clock-rate drift the design assumes between any two nodes (§3.7). */
  public static final double CLOCK_DRIFT_MAX = 0.01;

  private static final long MS = 1_000_000L;

  /** txn-timeout unless configured. */
  public static final long TXN_TIMEOUT_NANOS_DEFAULT = 2_000 * MS;

  /** Options with the default txn-timeout. */
  public ReplicaOptions(long leaseNanos, long graceNanos, long beaconNanos, long retransmitNanos,
      int minInsync, KeyspaceSpec.Acks acks, int batchEntriesMax, int logRetainEntries,
      int snapshotChunkEntriesMax) {
    this(leaseNanos, graceNanos, beaconNanos, retransmitNanos, minInsync, acks, batchEntriesMax,
        logRetainEntries, snapshotChunkEntriesMax, TXN_TIMEOUT_NANOS_DEFAULT);
  }

  public ReplicaOptions withTxnTimeout(long nanos) {
    return new ReplicaOptions(leaseNanos, graceNanos, beaconNanos, retransmitNanos, minInsync,
        acks, batchEntriesMax, logRetainEntries, snapshotChunkEntriesMax, nanos);
  }

  public static ReplicaOptions defaults(int minInsync, KeyspaceSpec.Acks acks) {
    return new ReplicaOptions(300 * MS, 600 * MS, 50 * MS, 100 * MS, minInsync, acks, 256,
        10_000, 1_000);
  }

  public ReplicaOptions withTimes(long leaseNanos, long graceNanos, long beaconNanos) {
    return new ReplicaOptions(leaseNanos, graceNanos, beaconNanos, retransmitNanos, minInsync,
        acks, batchEntriesMax, logRetainEntries, snapshotChunkEntriesMax, txnTimeoutNanos);
  }

  public ReplicaOptions withLogRetainEntries(int entries) {
    return new ReplicaOptions(leaseNanos, graceNanos, beaconNanos, retransmitNanos, minInsync,
        acks, batchEntriesMax, entries, snapshotChunkEntriesMax, txnTimeoutNanos);
  }

  /**
   * The shortest wait after a backup's last ack that a drifting clock cannot make shorter than
   * the primary's lease: {@code lease·(1+ρ)/(1−ρ) + beacon} (§3.7). A grace may not be below it;
   * a backup that knows its primary's process is gone waits only this long.
   */
  public long graceFloorNanos() {
    return (long) Math.ceil(leaseNanos * (1 + CLOCK_DRIFT_MAX) / (1 - CLOCK_DRIFT_MAX))
        + beaconNanos;
  }

  /**
   * Why these options are unsafe, or null if they are safe. Start-up refuses a grace that a
   * drifting clock could make shorter than the primary's lease (§3.7).
   */
  public String validate() {
    long floor = graceFloorNanos();
    if (graceNanos < floor) {
      return String.format(
          "grace (%d ms) must be at least lease*(1+p)/(1-p) + beacon = %.1f ms (p = %.2f)",
          graceNanos / MS, floor / (double) MS, CLOCK_DRIFT_MAX);
    }
    if (beaconNanos <= 0 || beaconNanos >= leaseNanos) {
      return "beacon interval must be positive and shorter than the lease";
    }
    if (txnTimeoutNanos <= 0) {
      return "txn-timeout must be positive";
    }
    if (minInsync < 1) {
      return "min-insync must be at least 1";
    }
    return null;
  }
}
