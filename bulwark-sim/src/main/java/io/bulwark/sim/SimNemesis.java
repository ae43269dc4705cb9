package io.bulwark.sim;

import static io.bulwark.sim.SimTime.MS;

import io.bulwark.core.pb.ClientReply;
import io.bulwark.core.pb.Command;
import io.bulwark.core.pb.Op;
import io.bulwark.core.pb.TxnResult;
import io.bulwark.core.txn.TxnEffect;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Injects faults during the chaos phase, each kind only if the seed's {@link SimKnobs} enabled
 * it: crashes (one node, or all at once, restarted later, sometimes with a rebooted clock),
 * network partitions (two-way or one-way, healed later), ZooKeeper outages (for everyone, or
 * one node's session), process stalls (GC pauses), disk stalls and clock-rate changes within
 * ρ. Drops, duplicates and delays are {@link SimNetwork}'s, slow fsyncs {@link SimDisk}'s.
 * {@link #heal} ends every fault for the liveness phase.
 */
final class SimNemesis implements TxnStepHook {
  private enum Kind {
    CRASH, CRASH_ALL, PARTITION, COORD_OUTAGE, STALL, DISK_STALL, CLOCK_RATE, TXN_STEP
  }

  /**
   * Protocol steps of a transaction (DESIGN §5) at which a {@link Kind#TXN_STEP} fault kills a
   * node: the coordinator's, as it is about to send a call of that step, or the serving
   * primary's, as it is about to answer.
   */
  enum TxnStep {
    /** Coordinator, before it creates the record: nothing exists yet. */
    COORDINATOR_BEFORE_RECORD("coordinator-before-record"),
    /** Coordinator, after sending the first prepare and before the others. */
    COORDINATOR_MID_PREPARE("coordinator-mid-prepare"),
    /** Coordinator, with every vote in, before the decide: between prepare and commit. */
    COORDINATOR_BEFORE_DECIDE("coordinator-between-prepare-and-commit"),
    /** Coordinator, after the record committed, before any TxnCommit was delivered. */
    COORDINATOR_BEFORE_TXN_COMMIT("coordinator-after-commit-point"),
    /** A participant's primary, with its YES vote committed but not sent. */
    PARTICIPANT_AFTER_VOTE("participant-after-vote"),
    /** The record shard's primary, with the decide applied but not answered. */
    RECORD_AFTER_DECIDE("record-primary-after-decide");

    final String probe;

    TxnStep(String name) {
      this.probe = "fault:txn-crash:" + name;
    }
  }

  /** The step armed by the last TXN_STEP fault, or null. */
  private TxnStep armed;

  private final SimScheduler scheduler;
  private final SplittableRandom random;
  private final SimKnobs knobs;
  private final List<SimNode> nodes;
  private final SimNetwork network;
  private final SimCoord coord;
  private final SimTrace trace;
  private final List<Kind> enabled = new ArrayList<>();
  private boolean active;
  private boolean partitioned;
  private boolean coordDown;

  SimNemesis(SimScheduler scheduler, SplittableRandom random, SimKnobs knobs,
      List<SimNode> nodes, SimNetwork network, SimCoord coord, SimTrace trace) {
    this.scheduler = scheduler;
    this.random = random;
    this.knobs = knobs;
    this.nodes = nodes;
    this.network = network;
    this.coord = coord;
    this.trace = trace;
    addIf(knobs.crashes, Kind.CRASH);
    addIf(knobs.crashAll, Kind.CRASH_ALL);
    addIf(knobs.partitions, Kind.PARTITION);
    addIf(knobs.coordOutages, Kind.COORD_OUTAGE);
    addIf(knobs.stalls, Kind.STALL);
    addIf(knobs.fsyncSlowRate > 0, Kind.DISK_STALL);
    addIf(knobs.clockChanges, Kind.CLOCK_RATE);
    addIf(knobs.txnStepCrashes, Kind.TXN_STEP);
  }

  private void addIf(boolean on, Kind k) {
    if (on) {
      enabled.add(k);
    }
  }

  void start() {
    active = true;
    scheduleNext();
  }

  private void scheduleNext() {
    // Exponential gaps: faults cluster sometimes, as they do in production.
    double u = 1.0 - random.nextDouble();
    long gap = (long) (-Math.log(u) * knobs.faultIntervalMeanNanos);
    scheduler.after(Math.min(gap, 20 * knobs.faultIntervalMeanNanos), () -> {
      if (active) {
        if (!enabled.isEmpty()) {
          inject(enabled.get(random.nextInt(enabled.size())));
        }
        scheduleNext();
      }
    });
  }

  private void inject(Kind kind) {
    switch (kind) {
      case CRASH -> crash(nodes.get(random.nextInt(nodes.size())), 10 * MS, 2_000 * MS);
      case CRASH_ALL -> {
        trace.record("nemesis", "fault:crash-all", "");
        for (SimNode n : nodes) {
          crash(n, 5 * MS, 1_000 * MS);
        }
      }
      case PARTITION -> partition();
      case COORD_OUTAGE -> coordOutage();
      case STALL -> {
        SimNode n = nodes.get(random.nextInt(nodes.size()));
        n.stall(scheduler.nowNanos() + range(5 * MS, 600 * MS));
      }
      case DISK_STALL -> {
        SimNode n = nodes.get(random.nextInt(nodes.size()));
        long until = scheduler.nowNanos() + range(10 * MS, 500 * MS);
        trace.record(n.id(), "fault:disk-stall", "until=" + SimTime.format(until));
        n.disk().slowUntil(until);
      }
      case CLOCK_RATE -> {
        SimNode n = nodes.get(random.nextInt(nodes.size()));
        long ppm = knobs.clockDriftPpmMax == 0 ? 0
            : random.nextLong(-knobs.clockDriftPpmMax, knobs.clockDriftPpmMax + 1);
        n.clock().setRate(ppm);
        trace.record(n.id(), "fault:clock-rate", ppm + "ppm");
      }
      case TXN_STEP -> {
        if (armed == null) {
          armed = TxnStep.values()[random.nextInt(TxnStep.values().length)];
          trace.record("nemesis", "fault:txn-step-armed", armed.probe);
        }
      }
      default -> throw new IllegalStateException("unknown fault " + kind);
    }
  }

  private void crash(SimNode n, long downMin, long downMax) {
    if (!n.isAlive()) {
      return;
    }
    n.crash();
    // A dead process refuses connections: its peers hear of it within milliseconds (§3.7).
    scheduler.after(REFUSED_AFTER_NANOS, () -> {
      if (!n.isAlive()) {
        signalUnreachable(List.of(n.id()), ids(nodes));
      }
    });
    scheduler.after(range(downMin, downMax), () -> restart(n));
  }

  /** How long after a crash its peers' connections to it are refused. */
  private static final long REFUSED_AFTER_NANOS = 2 * MS;

  /** Tells every live node in {@code to} that each node in {@code gone} is unreachable. */
  private void signalUnreachable(List<String> gone, List<String> to) {
    for (SimNode peer : nodes) {
      if (peer.isAlive() && to.contains(peer.id())) {
        for (String g : gone) {
          if (!g.equals(peer.id())) {
            peer.onPeerUnreachable(g);
          }
        }
      }
    }
  }

  private static List<String> ids(List<SimNode> nodes) {
    List<String> ids = new ArrayList<>();
    for (SimNode n : nodes) {
      ids.add(n.id());
    }
    return ids;
  }

  private void restart(SimNode n) {
    if (n.isAlive()) {
      return;
    }
    if (knobs.reboots && random.nextBoolean()) {
      n.clock().reboot(random.nextLong(-(1L << 50), 1L << 50));
      trace.record(n.id(), "fault:reboot", "clock=" + n.clock().nowNanos());
    }
    n.start();
  }

  private void partition() {
    if (partitioned) {
      return;
    }
    List<SimNode> shuffled = new ArrayList<>(nodes);
    for (int i = shuffled.size() - 1; i > 0; i--) {
      Collections.swap(shuffled, i, random.nextInt(i + 1));
    }
    int cut = 1 + random.nextInt(nodes.size() - 1);
    List<String> side = new ArrayList<>();
    List<String> others = new ArrayList<>();
    for (int i = 0; i < shuffled.size(); i++) {
      (i < cut ? side : others).add(shuffled.get(i).id());
    }
    boolean oneWay = random.nextInt(5) == 0;
    network.partition(side, others, oneWay);
    partitioned = true;
    trace.record("nemesis", "fault:partition", side + (oneWay ? " -/> " : " </> ") + others);
    // Half the two-way partitions reject rather than drop (a firewall's RST): live nodes then
    // look unreachable, a false "process gone" signal the lease must make harmless (§3.7).
    // Decided by the clock, not the random stream, so every seed's other draws stay the same.
    if (!oneWay && (scheduler.nowNanos() / MS) % 2 == 0) {
      trace.record("nemesis", "fault:partition-rejects", "");
      signalUnreachable(side, others);
      signalUnreachable(others, side);
    }
    scheduler.after(range(50 * MS, 3_000 * MS), () -> {
      if (partitioned) {
        network.healPartitions();
        partitioned = false;
        trace.record("nemesis", "fault:partition-healed", "");
      }
    });
  }

  private void coordOutage() {
    if (coordDown) {
      return;
    }
    coordDown = true;
    long duration = range(50 * MS, 2_000 * MS);
    if (random.nextBoolean()) {
      coord.beginOutage();
      trace.record("nemesis", "fault:coord-outage", "for=" + SimTime.format(duration));
      scheduler.after(duration, () -> {
        if (coordDown) {
          coord.endOutage();
          coordDown = false;
          trace.record("nemesis", "fault:coord-outage-ended", "");
        }
      });
    } else {
      SimNode n = nodes.get(random.nextInt(nodes.size()));
      coord.cutOff(n.id());
      trace.record(n.id(), "fault:coord-session-lost", "for=" + SimTime.format(duration));
      scheduler.after(duration, () -> {
        if (coordDown) {
          coord.reconnect(n);
          coordDown = false;
          trace.record(n.id(), "fault:coord-session-restored", "");
        }
      });
    }
  }

  @Override
  public boolean beforeCall(SimNode coordinator, TxnEffect.Call call, int prepareNumber) {
    if (!active || armed == null || !(call.call() instanceof TxnEffect.Write w)) {
      return false;
    }
    Op op = w.command().op();
    boolean hit = switch (armed) {
      case COORDINATOR_BEFORE_RECORD -> op instanceof Op.TxnRecordCreate;
      case COORDINATOR_MID_PREPARE -> SimNode.isPrepare(call) && prepareNumber == 2;
      case COORDINATOR_BEFORE_DECIDE -> op instanceof Op.TxnRecordDecide;
      case COORDINATOR_BEFORE_TXN_COMMIT -> op instanceof Op.TxnCommit;
      default -> false;
    };
    return hit && killAtStep(coordinator, "txn=" + w.command().clientId());
  }

  @Override
  public boolean beforeCallReply(SimNode server, Command command, ClientReply reply) {
    if (!active || armed == null || command == null
        || !(reply instanceof ClientReply.Written written) || written.outcome().txn() == null) {
      return false;
    }
    Op op = command.op();
    boolean hit = switch (armed) {
      case PARTICIPANT_AFTER_VOTE -> op instanceof Op.TxnPrepare p && !p.onePhase()
          && written.outcome().txn().status() == TxnResult.Status.PREPARED;
      case RECORD_AFTER_DECIDE -> op instanceof Op.TxnRecordDecide;
      default -> false;
    };
    return hit && killAtStep(server, "txn=" + command.clientId());
  }

  /**
   * Kills {@code n} at the armed step: it sends nothing more from now (the call or answer in
   * hand is dropped), and the crash itself runs as the next event, outside the node's own
   * dispatch loop.
   */
  private boolean killAtStep(SimNode n, String detail) {
    TxnStep step = armed;
    armed = null;
    trace.record(n.id(), step.probe, detail);
    n.muteTxn();
    scheduler.after(0, () -> crash(n, 10 * MS, 2_000 * MS));
    return true;
  }

  /** Ends every fault: partitions, outages, stalls, dead nodes (restarted now). */
  void heal() {
    armed = null;
    active = false;
    partitioned = false;
    coordDown = false;
    network.heal();
    coord.heal();
    trace.record("nemesis", "heal", "every fault ends now");
    for (SimNode n : nodes) {
      if (!n.isAlive()) {
        n.start();
      }
    }
  }

  private long range(long min, long max) {
    return min + random.nextLong(max - min + 1);
  }
}
