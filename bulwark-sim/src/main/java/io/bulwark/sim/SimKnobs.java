package io.bulwark.sim;

import static io.bulwark.sim.SimTime.MS;

import io.bulwark.core.common.KeyspaceSpec;
import io.bulwark.core.pb.ReplicaOptions;
import java.util.SplittableRandom;

/**
 * Everything a seed decides about a run before it starts: cluster shape, the replicas' options
 * and the rates of every fault (swarm testing, STYLE §6: each seed explores its own corner, e.g.
 * tiny log retention that forces snapshots, many drops and no crashes, or the lease right at the
 * legal bound). Options always pass {@link ReplicaOptions#validate()}: the simulator tests the
 * design within its stated assumptions, with clock drift up to {@link SimClock#DRIFT_PPM_MAX}.
 */
final class SimKnobs {
  // Cluster shape.
  final int nodes;
  final int shards;
  final int replicationFactor;
  final int keys;
  final int clients;
  final ReplicaOptions replica;
  /** The runtime's tick period, on each node's own clock. */
  final long tickNanos;
  final long clockDriftPpmMax;

  // Network.
  final long netDelayMinNanos;
  final long netDelayMaxNanos;
  final double netLongDelayRate;
  final long netLongDelayMaxNanos;
  final double netDropRate;
  final double netDuplicateRate;

  // Disk.
  final long fsyncMinNanos;
  final long fsyncMaxNanos;
  final double fsyncSlowRate;
  final long fsyncSlowMaxNanos;

  // Faults during the chaos phase: mean time between two faults, and which kinds happen.
  final long faultIntervalMeanNanos;
  final boolean crashes;
  final boolean crashAll;
  final boolean partitions;
  final boolean coordOutages;
  final double coordLostReplyRate;
  final boolean stalls;
  final boolean clockChanges;
  final boolean reboots;

  // Clients.
  final long clientThinkMaxNanos;
  final long clientAttemptTimeoutNanos;
  final long clientOpDeadlineNanos;
  /** The controller's period (the real one runs once a second). */
  final long controllerPeriodNanos;
  /**
   * Chance per controller period and shard that the controller asks the primary to hand over
   * to a random backup during the chaos phase (§3.8; the real controller does it for a DEGRADED
   * node). Drawn last, so the draws before it are those of seeds from before handovers existed.
   */
  final double handoverRate;

  // Transactions (txn workload only; drawn after everything else, so register seeds are as
  // they were).
  final SimWorkload workload;
  /** Bank accounts and random-transaction keys. */
  final int accounts;
  final int txnKeys;
  /** The nemesis may kill a coordinator's or a participant's node at a chosen protocol step. */
  final boolean txnStepCrashes;
  /**
   * How long a coordinator waits for an answer before it resends a call. Sometimes longer than
   * the txn-timeout, so that a participant's recovery can resolve a transaction between a lost
   * answer and its resend, as on a real network with a long partition (the decide bug of
   * 2026-11-27, found by {@code verify}, needed exactly that and no seed produced it).
   */
  final long coordinatorRetryNanos;

  SimKnobs(SplittableRandom r) {
    this(r, SimWorkload.REGISTER);
  }

  SimKnobs(SplittableRandom r, SimWorkload workload) {
    this.workload = workload;
    nodes = 3 + r.nextInt(3);
    // Transactions need several shards to be cross-shard: 2..4 instead of 1..3, same draw.
    shards = 1 + r.nextInt(3) + (workload == SimWorkload.TXN ? 1 : 0);
    replicationFactor = 3;
    keys = 3 + r.nextInt(6);
    clients = 2 + r.nextInt(4);
    ReplicaOptions drawn = drawReplicaOptions(r);
    tickNanos = (5 + r.nextInt(16)) * MS;
    clockDriftPpmMax = pick(r, 0L, 1_000L, 5_000L, SimClock.DRIFT_PPM_MAX, SimClock.DRIFT_PPM_MAX);

    netDelayMinNanos = 100_000;
    netDelayMaxNanos = (1 + r.nextInt(10)) * MS / 2;
    netLongDelayRate = pick(r, 0.0, 0.001, 0.01, 0.05);
    netLongDelayMaxNanos = (10 + r.nextInt(290)) * MS;
    netDropRate = pick(r, 0.0, 0.0, 0.01, 0.05, 0.1);
    netDuplicateRate = pick(r, 0.0, 0.01, 0.05);

    fsyncMinNanos = 50_000;
    fsyncMaxNanos = (1 + r.nextInt(8)) * MS / 4;
    fsyncSlowRate = pick(r, 0.0, 0.01, 0.05);
    fsyncSlowMaxNanos = (10 + r.nextInt(190)) * MS;

    faultIntervalMeanNanos = (100 + r.nextInt(900)) * MS;
    crashes = r.nextInt(10) < 7;
    crashAll = r.nextInt(10) < 3;
    partitions = r.nextInt(10) < 7;
    coordOutages = r.nextInt(10) < 6;
    coordLostReplyRate = pick(r, 0.0, 0.1, 0.5);
    stalls = r.nextInt(10) < 5;
    clockChanges = r.nextInt(10) < 5;
    reboots = r.nextInt(10) < 5;

    clientThinkMaxNanos = r.nextInt(20) * MS;
    clientAttemptTimeoutNanos = (100 + r.nextInt(400)) * MS;
    clientOpDeadlineNanos = (1_000 + r.nextInt(2_000)) * MS;
    controllerPeriodNanos = (100 + r.nextInt(900)) * MS;
    handoverRate = pick(r, 0.0, 0.0, 0.1, 0.3, 1.0);
    ReplicaOptions chosen = drawn;
    if (workload == SimWorkload.TXN) {
      // txn-timeout from a few leases to a few graces: recovery races failovers either way.
      chosen = drawn.withTxnTimeout(pick(r, 2L, 3L, 5L) * drawn.graceNanos());
      accounts = 6 + r.nextInt(7);
      txnKeys = 4 + r.nextInt(6);
      txnStepCrashes = r.nextInt(10) < 8;
      coordinatorRetryNanos = r.nextBoolean() ? 100 * MS
          : (1 + r.nextInt(2)) * chosen.txnTimeoutNanos();
    } else {
      accounts = 0;
      txnKeys = 0;
      txnStepCrashes = false;
      coordinatorRetryNanos = 100 * MS;
    }
    // Catch-up byte bounds, drawn last so every draw above is what it was before they existed.
    // The simulator's entries are about 40 bytes and its keys and values a few: 1 byte sends one
    // entry (and one snapshot key) per message, and with 1 byte unacked a follower gets one
    // batch per ack (stop and wait); the defaults never bind here, as before these bounds.
    ReplicaOptions withCatchUp = chosen.withCatchUpBytes(
        pickLong(r, ReplicaOptions.BATCH_BYTES_MAX_DEFAULT, 1L, 100L, 400L),
        pickLong(r, ReplicaOptions.UNACKED_BYTES_MAX_DEFAULT, 1L, 150L, 1_000L));
    // The log's byte retention, drawn after them for the same reason: 0 keeps no applied entry
    // (every lagging follower needs a snapshot), 200 a handful of the simulator's entries.
    replica = withCatchUp.withLogRetainBytes(
        pickLong(r, ReplicaOptions.LOG_RETAIN_BYTES_DEFAULT, ReplicaOptions.LOG_RETAIN_BYTES_DEFAULT,
            0L, 200L, 1_000L));
  }

  /**
   * Lease, grace and beacon anywhere in the legal region, sometimes right at its edge (grace =
   * the smallest value {@link ReplicaOptions#validate()} accepts); log retention small enough
   * to force snapshots in some seeds; tiny batches and chunks to exercise multi-round catch-up
   * (and tiny byte bounds, drawn last in the constructor).
   */
  private static ReplicaOptions drawReplicaOptions(SplittableRandom r) {
    long beacon = (10 + r.nextInt(51)) * MS;
    long lease = beacon * (3 + r.nextInt(6));
    double rho = ReplicaOptions.CLOCK_DRIFT_MAX;
    long floor = (long) Math.ceil(lease * (1 + rho) / (1 - rho) + beacon);
    long grace = r.nextInt(4) == 0 ? floor : floor + r.nextLong(lease + 1);
    long retransmit = (20 + r.nextInt(181)) * MS;
    int minInsync = 1 + r.nextInt(2);
    int batch = pickInt(r, 1, 2, 4, 16, 64, 256);
    int retain = pickInt(r, 4, 8, 16, 64, 10_000);
    int chunk = pickInt(r, 1, 2, 8, 1_000);
    ReplicaOptions o = new ReplicaOptions(lease, grace, beacon, retransmit, minInsync,
        KeyspaceSpec.Acks.ALL, batch, retain, chunk);

    for (int i = 0; i < 8 && o.validate() != null; i++) {
      // Rounding in validate()'s double arithmetic: nudge up by a microsecond at a time.
      o = o.withTimes(lease, o.graceNanos() + 1_000, beacon);
    }
    if (o.validate() != null) {
      throw new IllegalStateException("drew unsafe options: " + o.validate());
    }
    return o;
  }

  @SafeVarargs
  private static <T> T pick(SplittableRandom r, T... choices) {
    return choices[r.nextInt(choices.length)];
  }

  private static int pickInt(SplittableRandom r, int... choices) {
    return choices[r.nextInt(choices.length)];
  }

  private static long pickLong(SplittableRandom r, long... choices) {
    return choices[r.nextInt(choices.length)];
  }

  /** One line naming every knob, printed with a failing seed. */
  String describe() {
    return "nodes=" + nodes + " shards=" + shards + " rf=" + replicationFactor + " keys=" + keys
        + " clients=" + clients
        + " lease=" + replica.leaseNanos() / MS + "ms grace=" + SimTime.format(replica.graceNanos())
        + " beacon=" + replica.beaconNanos() / MS + "ms retransmit="
        + replica.retransmitNanos() / MS + "ms minInsync=" + replica.minInsync()
        + " batch=" + replica.batchEntriesMax() + "/" + replica.batchBytesMax() + "B"
        + " unacked=" + replica.unackedBytesMax() + "B retain=" + replica.logRetainEntries()
        + "/" + replica.logRetainBytes() + "B"
        + " chunk=" + replica.snapshotChunkEntriesMax() + " tick=" + tickNanos / MS + "ms"
        + " driftMax=" + clockDriftPpmMax + "ppm"
        + " net=[" + SimTime.format(netDelayMinNanos) + ".." + SimTime.format(netDelayMaxNanos)
        + " long=" + netLongDelayRate + " drop=" + netDropRate + " dup=" + netDuplicateRate + "]"
        + " fsync=[.." + SimTime.format(fsyncMaxNanos) + " slow=" + fsyncSlowRate + "]"
        + " faults=[every~" + faultIntervalMeanNanos / MS + "ms"
        + (crashes ? " crash" : "") + (crashAll ? " crash-all" : "")
        + (partitions ? " partition" : "") + (coordOutages ? " coord-outage" : "")
        + (coordLostReplyRate > 0 ? " cas-reply-lost=" + coordLostReplyRate : "")
        + (stalls ? " stall" : "") + (clockChanges ? " clock-rate" : "")
        + (reboots ? " reboot" : "") + "]"
        + (handoverRate > 0 ? " handover=" + handoverRate : "")
        + (workload == SimWorkload.TXN ? " txn=[accounts=" + accounts + " keys=" + txnKeys
            + " timeout=" + SimTime.format(replica.txnTimeoutNanos())
            + " coordinator-retry=" + SimTime.format(coordinatorRetryNanos)
            + (txnStepCrashes ? " step-crash" : "") + "]" : "");
  }
}
