package io.bulwark.cli.verify;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * The fault schedule: a quiet time, one fault (the nemeses in a shuffled order, round after
 * round), a hold time, the heal, then a wait (bounded) until the cluster has recovered — every
 * shard fully replicated again — so that each fault meets a whole cluster and its
 * unavailability is its own; again until the run's time is up — and at least until every
 * nemesis has struck once, so a short run still exercises each. Every choice (order, quiet and
 * hold times, targets) comes from one {@link SplittableRandom} seeded by the run's seed. One
 * fault at a time; after each heal, a node process that died on its own is recorded as a crash
 * and started again.
 */
final class NemesisRunner {
  /** Bounds of the times drawn for each fault, in milliseconds. */
  record Schedule(long quietMinMs, long quietMaxMs, long holdMinMs, long holdMaxMs) {
    static final Schedule DEFAULT = new Schedule(1_000, 3_000, 1_000, 4_000);
  }

  /** Waits until the cluster has recovered from a healed fault. */
  interface Recovery {
    /** Null once recovered; else what was still missing when its deadline passed. */
    String await() throws InterruptedException;
  }

  private final List<Nemesis> nemeses;
  private final SplittableRandom random;
  private final FaultTimeline timeline;
  private final VerifyCluster cluster;
  private final Schedule schedule;
  private final Recovery recovery;
  private volatile boolean stopped;
  private Nemesis activeNemesis;
  private Fault activeFault;

  NemesisRunner(List<Nemesis> nemeses, SplittableRandom random, FaultTimeline timeline,
      VerifyCluster cluster, Schedule schedule, Recovery recovery) {
    this.nemeses = List.copyOf(nemeses);
    this.random = random;
    this.timeline = timeline;
    this.cluster = cluster;
    this.schedule = schedule;
    this.recovery = recovery;
  }

  /** Runs faults until {@code endNanos} (and every nemesis struck once) or {@link #stop}. */
  void run(long endNanos) throws Exception {
    List<Nemesis> order = new ArrayList<>(nemeses);
    Set<String> struck = new HashSet<>();
    int next = order.size();
    while (!stopped) {
      if (System.nanoTime() - endNanos >= 0 && struck.size() == nemeses.size()) {
        return;
      }
      if (next == order.size()) {
        Collections.shuffle(order, new Random(random.nextLong()));
        next = 0;
      }
      pause(between(schedule.quietMinMs(), schedule.quietMaxMs()));
      if (stopped || nemeses.isEmpty()) {
        return;
      }
      Nemesis n = order.get(next++);
      strike(n);
      struck.add(n.kind());
      pause(between(schedule.holdMinMs(), schedule.holdMaxMs()));
      healActive();
      reviveCrashed();
      awaitRecovery();
    }
  }

  private void strike(Nemesis n) throws Exception {
    Fault f;
    try {
      f = n.inject(random);
    } catch (Exception e) {
      timeline.error(n.kind(), "inject failed: " + e);
      throw e;
    }
    synchronized (this) {
      activeNemesis = n;
      activeFault = f;
    }
    timeline.injected(f, f.atNanos() != 0 ? f.atNanos() : System.nanoTime());
  }

  /** Heals the fault in force, if any. Idempotent; called by the run's end and on shutdown. */
  void healActive() throws Exception {
    Nemesis n;
    Fault f;
    synchronized (this) {
      n = activeNemesis;
      f = activeFault;
      activeNemesis = null;
      activeFault = null;
    }
    if (n == null) {
      return;
    }
    try {
      n.heal(f);
    } catch (Exception e) {
      timeline.error(n.kind(), "heal of " + f.target() + " failed: " + e);
      throw e;
    }
    timeline.healed(f, System.nanoTime());
  }

  private void awaitRecovery() throws InterruptedException {
    long from = System.nanoTime();
    String missing = recovery.await();
    long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - from);
    timeline.recovered(missing == null ? "recovered " + ms + " ms after the heal"
        : "not recovered " + ms + " ms after the heal: " + missing);
  }

  /** Records and restarts every node that exited on its own. */
  void reviveCrashed() throws Exception {
    for (Map.Entry<String, Integer> e : cluster.crashed().entrySet()) {
      timeline.crashed(e.getKey(), e.getValue());
      cluster.revive(e.getKey());
    }
  }

  /** Ends the schedule early (the caller then heals the active fault). */
  void stop() {
    stopped = true;
    synchronized (this) {
      notifyAll();
    }
  }

  private long between(long min, long max) {
    return min + (max > min ? random.nextLong(max - min + 1) : 0);
  }

  /** Waits {@code ms}, waking early on {@link #stop}. */
  private synchronized void pause(long ms) throws InterruptedException {
    long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ms);
    long left;
    while (!stopped && (left = end - System.nanoTime()) > 0) {
      TimeUnit.NANOSECONDS.timedWait(this, left);
    }
  }
}
