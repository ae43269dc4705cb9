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
 * @param batchBytesMax most bytes ({@link LogEntry#sizeBytes()}) of entries in one
 *     ReplicatePrepare, and of keys and values in one snapshot chunk (default 1 MiB); a single
 *     larger entry or key still goes, alone, so a message holds at most about
 *     {@code max(batchBytesMax, one entry)} (DESIGN §2: key <= 4 KiB, value <= 1 MiB)
 * @param unackedBytesMax most entry bytes the primary has sent to one follower and not had acked
 *     (default 8 MiB): beyond it the primary waits for acks before it sends more, so a slow or
 *     far-behind learner costs bounded memory on both sides. A batch always goes when nothing is
 *     in flight; a retransmit starts the count afresh
 * @param logRetainEntries applied entries kept in the log for catching up replicas; older ones
 *     are trimmed and a replica that needs them gets a snapshot
 * @param logRetainBytes most bytes ({@link LogEntry#sizeBytes()}) of applied entries kept in
 *     the log (default 2 MiB): the in-memory log must stay bounded by memory, not only by entry
 *     count, or 10,000 retained 1 MiB values would need 10 GB of heap per shard. Entries not yet
 *     applied are never trimmed
 * @param snapshotChunkEntriesMax most keys in one snapshot chunk (bytes: {@code batchBytesMax})
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
    long batchBytesMax,
    long unackedBytesMax,
    int logRetainEntries,
    long logRetainBytes,
    int snapshotChunkEntriesMax,
    long txnTimeoutNanos) {

  /** ρ: the clock-rate drift the design assumes between any two nodes (§3.7). */
  public static final double CLOCK_DRIFT_MAX = 0.01;

  private static final long MS = 1_000_000L;

  /** txn-timeout unless configured. */
  public static final long TXN_TIMEOUT_NANOS_DEFAULT = 2_000 * MS;

  /**
   * batchBytesMax unless configured: a full-size value (1 MiB) goes alone, and a catch-up batch
   * is a few milliseconds of a learner's disk rather than, at 256 entries of 100 KiB, 25 MiB.
   */
  public static final long BATCH_BYTES_MAX_DEFAULT = 1 << 20;

  /**
   * unackedBytesMax unless configured: eight default batches, enough to keep a learner's disk
   * and the link busy while its acks come back (8 MiB per 100 ms round trip is 80 MiB/s), while
   * what one shard sends one follower ahead of its acks stays bounded instead of growing with
   * the log. What a node buffers for a peer across all shards is the transport's bound.
   */
  public static final long UNACKED_BYTES_MAX_DEFAULT = 8L << 20;

  /**
   * logRetainBytes unless configured. A node holds a replica of every shard of every keyspace
   * it serves (16 per keyspace by default), so what each retains is multiplied by dozens: 2 MiB
   * keeps the whole 10,000 entries of 100-byte writes, two full-size values, and about 40 MiB
   * (with the trim's quarter of slack) per default keyspace on a node.
   */
  public static final long LOG_RETAIN_BYTES_DEFAULT = 2L << 20;

  /** Options with the default txn-timeout and catch-up byte bounds. */
  public ReplicaOptions(long leaseNanos, long graceNanos, long beaconNanos, long retransmitNanos,
      int minInsync, KeyspaceSpec.Acks acks, int batchEntriesMax, int logRetainEntries,
      int snapshotChunkEntriesMax) {
    this(leaseNanos, graceNanos, beaconNanos, retransmitNanos, minInsync, acks, batchEntriesMax,
        BATCH_BYTES_MAX_DEFAULT, UNACKED_BYTES_MAX_DEFAULT, logRetainEntries,
        LOG_RETAIN_BYTES_DEFAULT, snapshotChunkEntriesMax, TXN_TIMEOUT_NANOS_DEFAULT);
  }

  public ReplicaOptions withTxnTimeout(long nanos) {
    return new ReplicaOptions(leaseNanos, graceNanos, beaconNanos, retransmitNanos, minInsync,
        acks, batchEntriesMax, batchBytesMax, unackedBytesMax, logRetainEntries,
        logRetainBytes, snapshotChunkEntriesMax, nanos);
  }

  public static ReplicaOptions defaults(int minInsync, KeyspaceSpec.Acks acks) {
    return new ReplicaOptions(300 * MS, 600 * MS, 50 * MS, 100 * MS, minInsync, acks, 256,
        10_000, 1_000);
  }

  public ReplicaOptions withTimes(long leaseNanos, long graceNanos, long beaconNanos) {
    return new ReplicaOptions(leaseNanos, graceNanos, beaconNanos, retransmitNanos, minInsync,
        acks, batchEntriesMax, batchBytesMax, unackedBytesMax, logRetainEntries,
        logRetainBytes, snapshotChunkEntriesMax, txnTimeoutNanos);
  }

  public ReplicaOptions withLogRetainEntries(int entries) {
    return new ReplicaOptions(leaseNanos, graceNanos, beaconNanos, retransmitNanos, minInsync,
        acks, batchEntriesMax, batchBytesMax, unackedBytesMax, entries, logRetainBytes,
        snapshotChunkEntriesMax, txnTimeoutNanos);
  }

  /** These options with another bound on the bytes of applied entries kept in the log. */
  public ReplicaOptions withLogRetainBytes(long bytes) {
    return new ReplicaOptions(leaseNanos, graceNanos, beaconNanos, retransmitNanos, minInsync,
        acks, batchEntriesMax, batchBytesMax, unackedBytesMax, logRetainEntries, bytes,
        snapshotChunkEntriesMax, txnTimeoutNanos);
  }

  /** These options with other catch-up byte bounds (see the record's parameters). */
  public ReplicaOptions withCatchUpBytes(long batchBytesMax, long unackedBytesMax) {
    return new ReplicaOptions(leaseNanos, graceNanos, beaconNanos, retransmitNanos, minInsync,
        acks, batchEntriesMax, batchBytesMax, unackedBytesMax, logRetainEntries,
        logRetainBytes, snapshotChunkEntriesMax, txnTimeoutNanos);
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
    if (batchEntriesMax < 1 || snapshotChunkEntriesMax < 1) {
      return "a batch and a snapshot chunk must allow at least one entry";
    }
    if (batchBytesMax < 1 || unackedBytesMax < 1) {
      return "the catch-up byte bounds (batch, unacked) must be positive";
    }
    if (logRetainEntries < 0 || logRetainBytes < 0) {
      return "the log retention bounds (entries, bytes) must not be negative";
    }
    return null;
  }
}
