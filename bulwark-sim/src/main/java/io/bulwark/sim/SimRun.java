package io.bulwark.sim;

import static io.bulwark.sim.SimTime.MS;
import static io.bulwark.sim.SimTime.SECOND;

import io.bulwark.check.CheckResult;
import io.bulwark.check.Checker;
import io.bulwark.check.Model;
import io.bulwark.check.Verdict;
import io.bulwark.check.history.History;
import io.bulwark.check.history.HistoryFormatException;
import io.bulwark.core.common.Invariants;
import io.bulwark.core.common.ShardConfig;
import io.bulwark.core.common.ShardId;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * One simulated run of one seed: builds the cluster the seed describes, then
 *
 * <ol>
 *   <li><b>chaos</b>: clients run {@code steps} operations while {@link SimNemesis} injects
 *       faults; the invariants are checked after every event;
 *   <li><b>liveness</b>: every fault is healed, and every client must complete a write of each
 *       of its keys within {@link #LIVENESS_BOUND_NANOS};
 *   <li><b>final reads</b>: every key is read (through the protocol, into the history), then the
 *       cluster idles for {@link #SETTLE_NANOS};
 *   <li><b>judgement</b>: replicas converged ({@link ConvergenceCheck}), no acknowledged write
 *       was lost ({@link DurabilityCheck}), and the history is linearizable ({@link Checker},
 *       register model; UNKNOWN is retried with a larger limit, then counts as a failure).
 * </ol>
 *
 * <p>Single-threaded and deterministic: the same seed, steps and variant give the same history
 * bytes. Not thread-safe; separate runs share nothing and may run in parallel.
 */
public final class SimRun {
  public static final int STEPS_DEFAULT = 300;
  static final long SETUP_NANOS = 300 * MS;
  static final long CHAOS_MAX_NANOS = 120 * SECOND;
  static final long LIVENESS_BOUND_NANOS = 30 * SECOND;
  static final long FINAL_READS_BOUND_NANOS = 10 * SECOND;
  static final long SETTLE_NANOS = 2 * SECOND;
  static final long EVENTS_MAX = 30_000_000;
  static final Duration CHECK_LIMIT = Duration.ofSeconds(10);
  static final Duration CHECK_LIMIT_RETRY = Duration.ofSeconds(60);

  private final long seed;
  private final int steps;
  private final Variant variant;
  private final SimWorkload workload;
  private final List<SimTxnClient> txnClients = new ArrayList<>();
  private final SimKnobs knobs;
  private final SimScheduler scheduler = new SimScheduler(EVENTS_MAX);
  private final SimTrace trace;
  private final List<SimNode> nodes = new ArrayList<>();
  private final Map<String, SimNode> byId = new TreeMap<>();
  private final List<SimClient> clients = new ArrayList<>();
  private final SimHistory history = new SimHistory();
  private final SimKeys keys;
  private final SimNetwork network;
  private final SimCoord coord;
  private final SimController controller;
  private final SimNemesis nemesis;
  private final List<Invariant> invariants = new ArrayList<>();
  private final SplittableRandom workloadRandom;
  private long recoveryNanos = -1;
  private long checkMillis;
  /** The txn workload's bank (audit sums). */
  private TxnWorkloads.Bank bank;
  /** Key -> value read by the final reads (null: absent). */
  private Map<String, String> finalValues = Map.of();

  private SimRun(long seed, int steps, Variant variant, SimWorkload workload,
      PrintStream verbose) {
    this.seed = seed;
    this.steps = steps;
    this.variant = variant;
    this.workload = workload;
    SplittableRandom root = new SplittableRandom(seed);
    this.knobs = new SimKnobs(root.split(), workload);
    this.trace = new SimTrace(scheduler, verbose);
    this.keys = new SimKeys(knobs);
    CommittedEntriesAgree ledger = new CommittedEntriesAgree(trace);
    MonotonicEpochs epochs = new MonotonicEpochs(() -> nodes);
    invariants.add(new SingleServingPrimary(() -> nodes));
    invariants.add(epochs);
    invariants.add(ledger);
    this.network = new SimNetwork(scheduler, root.split(), knobs, trace, byId::get);
    this.coord = new SimCoord(scheduler, root.split(), knobs, trace, epochs,
        variant == Variant.COORD_CAS_IGNORES_EPOCH, () -> nodes);
    for (int i = 1; i <= knobs.nodes; i++) {
      SplittableRandom r = root.split();
      String id = "n" + i;
      long ppm = knobs.clockDriftPpmMax == 0 ? 0
          : r.nextLong(-knobs.clockDriftPpmMax, knobs.clockDriftPpmMax + 1);
      SimClock clock = new SimClock(scheduler, r.nextLong(-(1L << 50), 1L << 50), ppm);
      SimDisk disk = new SimDisk(id, scheduler, r.split(), knobs, trace,
          variant == Variant.DISK_EARLY_DURABLE);
      SimNode node = new SimNode(id, scheduler, r.split(), knobs, trace, clock, disk, ledger);
      node.wire(network, coord);
      nodes.add(node);
      byId.put(id, node);
    }
    this.nemesis = new SimNemesis(scheduler, root.split(), knobs, nodes, network, coord, trace);
    for (int i = 0; i < knobs.clients; i++) {
      if (workload == SimWorkload.TXN) {
        txnClients.add(new SimTxnClient("c" + i, scheduler, root.split(), knobs, network, nodes,
            coord, history, trace, keys));
      } else {
        clients.add(new SimClient("c" + i, scheduler, root.split(), knobs, network, nodes,
            history, trace, keys));
      }
    }
    if (workload == SimWorkload.TXN) {
      for (SimNode n : nodes) {
        n.wireTxn(byId::get, k -> keys.shardOf(new String(k, StandardCharsets.UTF_8)),
            nemesis, variant == Variant.TXN_COMMIT_WITHOUT_ALL_VOTES);
      }
    }
    this.workloadRandom = root.split();
    // Split last, so every earlier component draws what it drew before handovers existed.
    this.controller = new SimController(scheduler, knobs, coord, nodes, trace, root.split());
  }

  /** Runs one seed of the register workload (or of the txn one, for a txn variant). */
  public static SimResult run(long seed, int steps, Variant variant, PrintStream verbose) {
    return run(seed, steps, variant, variant.workload(), verbose);
  }

  /** Runs one seed; never throws for a bug found, only reports it in the result. */
  public static SimResult run(long seed, int steps, Variant variant, SimWorkload workload,
      PrintStream verbose) {
    SimRun run = new SimRun(seed, steps, variant, workload, verbose);
    String failure = run.runAndJudge();
    return new SimResult(seed, steps, variant, workload, failure, run.knobs.describe(),
        run.history.bytes(), run.trace.recent(), run.trace.counts(), run.recoveryNanos,
        run.scheduler.nowNanos(), run.scheduler.eventsExecuted(), run.checkMillis);
  }

  private String runAndJudge() {
    try {
      if (workload == SimWorkload.TXN) {
        simulateTxn();
        return judgeTxn();
      }
      simulate();
      return judge();
    } catch (SimFailure f) {
      return f.getMessage();
    } catch (Invariants.InvariantViolation v) {
      return "core invariant violated: " + v.getMessage() + " at " + where(v);
    } catch (RuntimeException e) {
      return "exception " + e + " at " + where(e);
    }
  }

  private static String where(Throwable t) {
    StackTraceElement[] st = t.getStackTrace();
    List<String> frames = new ArrayList<>();
    for (int i = 0; i < st.length && frames.size() < 4; i++) {
      frames.add(st[i].getClassName().replaceAll(".*\\.", "") + "." + st[i].getMethodName()
          + ":" + st[i].getLineNumber());
    }
    return String.join(" < ", frames);
  }

  private void simulate() {
    startCluster();

    Workloads.Values values = new Workloads.Values();
    Workloads.Mixed mixed = new Workloads.Mixed(workloadRandom, keys.names(), values, steps);
    startChaos();
    clients.forEach(c -> c.use(mixed));
    scheduler.runUntil(scheduler.nowNanos() + CHAOS_MAX_NANOS, mixed::done);

    long healedAt = healEverything();
    Workloads.WriteEachKeyOnce liveness =
        new Workloads.WriteEachKeyOnce(clients, keys.names(), values);
    clients.forEach(c -> c.use(liveness));
    scheduler.runUntil(healedAt + LIVENESS_BOUND_NANOS, liveness::done);
    if (!liveness.done()) {
      throw new SimFailure("liveness: " + SimTime.format(LIVENESS_BOUND_NANOS) + " after healing,"
          + " these clients still had no successful write of these keys: " + liveness.pending()
          + "; configurations " + coord.configs());
    }
    recoveryNanos = scheduler.nowNanos() - healedAt;

    Workloads.ReadEveryKey reads = new Workloads.ReadEveryKey(clients.get(0).id(), keys.names());
    clients.forEach(c -> c.use(reads));
    long readsFrom = scheduler.nowNanos();
    scheduler.runUntil(readsFrom + FINAL_READS_BOUND_NANOS, reads::done);
    if (!reads.done()) {
      throw new SimFailure("liveness: final reads did not all succeed within "
          + SimTime.format(FINAL_READS_BOUND_NANOS) + "; read " + reads.finalValues().keySet());
    }
    finalValues = reads.finalValues();
    scheduler.runUntil(scheduler.nowNanos() + SETTLE_NANOS, () -> false);
  }

  private void startCluster() {
    scheduler.afterEach(() -> {
      for (Invariant inv : invariants) {
        inv.check();
      }
    });
    place();
    for (SimNode n : nodes) {
      n.start();
    }
    controller.start();
    scheduler.runUntil(scheduler.nowNanos() + SETUP_NANOS, () -> false);
  }

  private void startChaos() {
    for (SimNode n : nodes) {
      n.releaseDelays(knobs.stalls);
    }
    nemesis.start();
  }

  /** Ends every fault and the controller's handovers; returns when that happened. */
  private long healEverything() {
    long healedAt = scheduler.nowNanos();
    nemesis.heal();
    controller.stopHandovers();
    for (SimNode n : nodes) {
      n.releaseDelays(false);
    }
    return healedAt;
  }

  /**
   * The txn workload's phases: chaos with transactions (and, among the faults, crashes at
   * chosen protocol steps), healing and one committed transfer per client plus a final audit
   * within {@link #LIVENESS_BOUND_NANOS}, then time for every intent to resolve.
   */
  private void simulateTxn() {
    startCluster();
    TxnWorkloads.Tags tags = new TxnWorkloads.Tags();
    bank = new TxnWorkloads.Bank(keys.accounts());
    TxnWorkloads.Mix mix = new TxnWorkloads.Mix(workloadRandom, keys.accounts(), keys.txnKeys(),
        tags, bank, steps);
    startChaos();
    txnClients.forEach(c -> c.use(mix));
    scheduler.runUntil(scheduler.nowNanos() + CHAOS_MAX_NANOS, mix::done);

    long healedAt = healEverything();
    TxnWorkloads.CommitOnceEach liveness = new TxnWorkloads.CommitOnceEach(workloadRandom,
        txnClients, keys.accounts(), tags, bank);
    txnClients.forEach(c -> c.use(liveness));
    scheduler.runUntil(healedAt + LIVENESS_BOUND_NANOS, liveness::done);
    if (!liveness.done()) {
      throw new SimFailure("liveness: " + SimTime.format(LIVENESS_BOUND_NANOS) + " after healing,"
          + " " + liveness.pending() + "; configurations " + coord.configs());
    }
    recoveryNanos = scheduler.nowNanos() - healedAt;
    // Every intent must resolve: participants' recovery needs txn-timeout, a few times over
    // when a failover or a busy record shard makes it retry.
    long bound = scheduler.nowNanos() + 4 * knobs.replica.txnTimeoutNanos() + 10 * SECOND;
    scheduler.runUntil(bound, () -> TxnResolution.unresolved(coord, nodes) == null
        && txnClients.stream().noneMatch(SimTxnClient::isBusy));
    scheduler.runUntil(scheduler.nowNanos() + SETTLE_NANOS, () -> false);
  }

  private String judgeTxn() {
    String divergence = ConvergenceCheck.findDivergence(coord, nodes);
    if (divergence != null) {
      return "convergence: " + divergence;
    }
    String unresolved = TxnResolution.unresolved(coord, nodes);
    if (unresolved != null) {
      return "txn-unresolved: after healing and " + SimTime.format(4 * knobs.replica
          .txnTimeoutNanos() + 10 * SECOND) + " " + unresolved;
    }
    if (!bank.badAudits.isEmpty()) {
      return "bank: a committed audit saw money created or lost: " + bank.badAudits;
    }
    return judgeHistory(history.toHistory(), Model.TXN, "serializability");
  }

  /** Initial placement: shard i's replicas are rf consecutive nodes starting at node i. */
  private void place() {
    for (ShardId shard : keys.shards()) {
      List<String> replicas = new ArrayList<>();
      for (int j = 0; j < Math.min(knobs.replicationFactor, nodes.size()); j++) {
        replicas.add(nodes.get((shard.shard() + j) % nodes.size()).id());
      }
      coord.create(new ShardConfig(shard, 1, replicas.get(0),
          replicas.subList(1, replicas.size()), List.of()));
    }
  }

  /**
   * The limit is on the real clock, not the simulated one: the scheduler's clock stands still
   * while the checker works after the run, so on it the limit would never be reached and a
   * pathological history would hang the seed instead of coming back UNKNOWN.
   */
  private static CheckResult check(History h, Model model, Duration limit) {
    try {
      return Checker.check(h, model, limit, System::nanoTime);
    } catch (HistoryFormatException e) {
      throw new SimFailure("the simulator wrote a history the checker cannot judge: "
          + e.getMessage());
    }
  }

  private String judge() {
    String divergence = ConvergenceCheck.findDivergence(coord, nodes);
    if (divergence != null) {
      return "convergence: " + divergence;
    }
    History h = history.toHistory();
    String lost = DurabilityCheck.findLostWrite(h, finalValues);
    if (lost != null) {
      return "durability: " + lost;
    }
    return judgeHistory(h, Model.REGISTER, "linearizability");
  }

  /**
   * Checks the history against {@code model}; an UNKNOWN verdict is retried with a larger limit
   * and then fails the run. Returns the failure, prefixed with {@code what}, or null.
   */
  private String judgeHistory(History h, Model model, String what) {
    long start = System.nanoTime();
    CheckResult r = check(h, model, CHECK_LIMIT);
    if (r.verdict() == Verdict.UNKNOWN) {
      r = check(h, model, CHECK_LIMIT_RETRY);
    }
    checkMillis = (System.nanoTime() - start) / 1_000_000;
    if (r.verdict() == Verdict.INVALID) {
      return what + ": " + r.anomaly().replace('\n', ' ');
    }
    if (r.verdict() == Verdict.UNKNOWN) {
      return what + " check gave up (UNKNOWN, investigate with a larger limit): "
          + r.anomaly();
    }
    return null;
  }
}
