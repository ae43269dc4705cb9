package io.bulwark.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * Measures write unavailability after kill -9 of the serving member, {@code kills} times, under
 * a steady put load of a few clients.
 *
 * <p><b>The gap.</b> A probe session writes one key back to back and logs when each write is
 * acknowledged ({@link AckLog}). For each kill: wait until the system is healthy and the probe
 * is being acknowledged, note the time, kill the member serving the probe key and wait until its
 * process is gone, then wait for the first probe write acknowledged after that moment. The gap
 * is from the noted time to that acknowledgement: it includes failure detection, the election or
 * configuration change, and the client finding the new leader or primary (ZooKeeper's client,
 * for one, waits a random 0-1 s before reconnecting). A write acknowledged after the victim was
 * gone cannot have come from it. The time to issue the kill is in the gap (small against it).
 */
public final class FailoverRunner {
  static final Duration RESUME_DEADLINE = Duration.ofSeconds(60);
  static final int LOAD_KEYS = 1000;
  static final int VALUE_SIZE_BYTES = 100;
  static final byte[] PROBE_KEY = Keys.key(LOAD_KEYS); // Outside the load's keys.

  private final int loadClients;
  private final Consumer<String> progress;

  public FailoverRunner(int loadClients, Consumer<String> progress) {
    this.loadClients = loadClients;
    this.progress = progress;
  }

  public FailoverResult run(FailoverSubject subject, int kills) throws Exception {
    subject.awaitHealthy();
    List<Double> gaps = new ArrayList<>();
    List<String> victims = new ArrayList<>();
    try (Target target = subject.openTarget()) {
      Target.Session probeSession = target.openSession(0);
      byte[] value = Keys.value(VALUE_SIZE_BYTES, 1);
      probeSession.load(PROBE_KEY, value);
      for (int k = 0; k < LOAD_KEYS; k++) {
        probeSession.load(Keys.key(k), value);
      }
      AtomicBoolean running = new AtomicBoolean(true);
      AckLog acks = new AckLog();
      List<Thread> threads = new ArrayList<>();
      threads.add(loop("failover-probe", running, () -> {
        probeSession.put(PROBE_KEY, value);
        acks.record(System.nanoTime());
      }));
      for (int c = 0; c < loadClients; c++) {
        Target.Session s = target.openSession(c + 1);
        SplittableRandom random = new SplittableRandom(c);
        threads.add(loop("failover-load-" + c, running,
            () -> s.put(Keys.key(random.nextInt(LOAD_KEYS)), value)));
      }
      try {
        for (int i = 1; i <= kills; i++) {
          subject.awaitHealthy();
          awaitAck(acks, System.nanoTime(), subject.name() + " to acknowledge probe writes");
          long killNanos = System.nanoTime();
          String victim = subject.killServing(PROBE_KEY);
          long goneNanos = System.nanoTime();
          long firstAck = awaitAck(acks, goneNanos,
              subject.name() + " to acknowledge a write after " + victim + " was killed");
          double gapMs = (firstAck - killNanos) / 1e6;
          gaps.add(gapMs);
          victims.add(victim);
          progress.accept(String.format("%s kill %d/%d: %s, writes resumed after %.0f ms",
              subject.name(), i, kills, victim, gapMs));
          subject.recover();
        }
      } finally {
        running.set(false);
        for (Thread t : threads) {
          t.join(TimeUnit.SECONDS.toMillis(30));
        }
      }
    }
    return new FailoverResult(subject.name(), gaps, victims);
  }

  /** The first ack after {@code afterNanos}, waiting at most {@link #RESUME_DEADLINE}. */
  private static long awaitAck(AckLog acks, long afterNanos, String what) throws Exception {
    long[] found = new long[1];
    Waits.until(what, RESUME_DEADLINE,
        () -> (found[0] = acks.firstAfter(afterNanos)) != Long.MIN_VALUE,
        () -> "probe writes acknowledged so far: " + acks.count());
    return found[0];
  }

  /** An operation repeated until {@code running} is cleared; failures are the point here. */
  private interface Op {
    void run() throws Exception;
  }

  private static Thread loop(String name, AtomicBoolean running, Op op) {
    Thread t = new Thread(() -> {
      while (running.get()) {
        try {
          op.run();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        } catch (Exception e) {
          // Refused or timed out while the system fails over: the gap measures exactly this.
          // Pause briefly so a client that fails at once does not spin.
          try {
            Thread.sleep(5);
          } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
            return;
          }
        }
      }
    }, name);
    t.setDaemon(true);
    t.start();
    return t;
  }
}
