package io.bulwark.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;
import org.HdrHistogram.Histogram;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one closed-loop measurement against one {@link Target}: {@code clients} threads, each
 * sending its next request only when the previous one is answered, first for the warm-up, then
 * for the measured window.
 *
 * <p><b>What is counted.</b> An operation is recorded only if it both started and ended inside
 * the measured window {@code [start + warmup, start + warmup + duration)}; one that straddles an
 * edge is dropped, so the window's operations are exactly those it contains. Acknowledged
 * operations go to a per-thread HdrHistogram (microseconds), merged at the end; failed ones
 * (the session threw) are counted as errors. After an error a client pauses {@code
 * errorPauseMillis} so that a system refusing at once is not hammered in a tight loop.
 *
 * <p><b>Preloading.</b> Before the clock starts every key is written once ({@link
 * Target.Session#load}), spread over the sessions, so gets always hit and ZooKeeper's znodes
 * exist.
 *
 * <p><b>Time.</b> Read only through the injected clock, so tests can drive a run with a clock
 * that advances per operation. CPU readings are taken by whichever client first sees a window
 * edge pass, not by a sleeping coordinator.
 *
 * <p>Not thread-safe: one run at a time.
 */
public final class ClosedLoopRunner {
  private static final Logger LOG = LoggerFactory.getLogger(ClosedLoopRunner.class);
  /** How long clients may overrun the window (a request in flight) before the run gives up. */
  static final long OVERRUN_MAX_MS = 60_000;
  /** Preload threads at most: enough to hide round trips, few enough for 2 cores. */
  static final int PRELOAD_THREADS_MAX = 16;

  private final LongSupplier nanoClock;
  private final long errorPauseMillis;

  /** A runner on {@link System#nanoTime} that pauses 10 ms after each error. */
  public ClosedLoopRunner() {
    this(System::nanoTime, 10);
  }

  /** For tests: a given clock and error pause. */
  public ClosedLoopRunner(LongSupplier nanoClock, long errorPauseMillis) {
    this.nanoClock = nanoClock;
    this.errorPauseMillis = errorPauseMillis;
  }

  /**
   * Preloads the keys, runs the warm-up and the measured window, and closes the sessions.
   *
   * @throws BenchException if a session cannot be opened or the preload fails (with its cause)
   */
  public RunResult run(Target target, BenchConfig config, int round, CpuMeter cpu)
      throws InterruptedException {
    String problem = config.problem();
    if (problem != null) {
      throw new IllegalArgumentException(problem);
    }
    List<Target.Session> sessions = open(target, config.clients());
    try {
      preload(target.name(), sessions, config);
      return measure(target.name(), sessions, config, round, cpu);
    } finally {
      for (Target.Session s : sessions) {
        try {
          s.close();
        } catch (Exception e) {
          LOG.warn("event=bench-session-close-failed system={} error=\"{}\"", target.name(),
              e.toString());
        }
      }
    }
  }

  private static List<Target.Session> open(Target target, int clients) {
    List<Target.Session> sessions = new ArrayList<>();
    for (int i = 0; i < clients; i++) {
      try {
        sessions.add(target.openSession(i));
      } catch (Exception e) {
        for (Target.Session s : sessions) {
          try {
            s.close();
          } catch (Exception suppressed) {
            e.addSuppressed(suppressed);
          }
        }
        throw new BenchException(target.name() + ": could not open client session " + i + ": "
            + e, e);
      }
    }
    return sessions;
  }

  private static void preload(String system, List<Target.Session> sessions, BenchConfig config)
      throws InterruptedException {
    int threads = Math.min(sessions.size(), PRELOAD_THREADS_MAX);
    byte[] value = Keys.value(config.valueSizeBytes(), config.seed());
    AtomicReference<Exception> failure = new AtomicReference<>();
    List<Thread> workers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      Target.Session session = sessions.get(t);
      int first = t;
      Thread w = new Thread(() -> {
        for (int k = first; k < config.keys() && failure.get() == null; k += threads) {
          try {
            session.load(Keys.key(k), value);
          } catch (Exception e) {
            failure.compareAndSet(null, e);
          }
        }
      }, "bench-preload-" + t);
      w.setDaemon(true);
      w.start();
      workers.add(w);
    }
    for (Thread w : workers) {
      w.join();
    }
    if (failure.get() != null) {
      throw new BenchException(system + ": preloading " + config.keys() + " keys failed: "
          + failure.get(), failure.get());
    }
  }

  private RunResult measure(String system, List<Target.Session> sessions, BenchConfig config,
      int round, CpuMeter cpu) throws InterruptedException {
    long startNanos = nanoClock.getAsLong();
    Window window = new Window(startNanos + TimeUnit.SECONDS.toNanos(config.warmupSeconds()),
        TimeUnit.SECONDS.toNanos(config.durationSeconds()), cpu);
    List<Client> clients = new ArrayList<>();
    List<Thread> threads = new ArrayList<>();
    for (int i = 0; i < sessions.size(); i++) {
      Client c = new Client(sessions.get(i), config, config.seed() + i, window);
      clients.add(c);
      Thread t = new Thread(c, "bench-client-" + i);
      t.setDaemon(true);
      t.start();
      threads.add(t);
    }
    long overrunDeadline = System.nanoTime()
        + TimeUnit.SECONDS.toNanos(config.warmupSeconds() + config.durationSeconds())
        + TimeUnit.MILLISECONDS.toNanos(OVERRUN_MAX_MS);
    for (Thread t : threads) {
      long left = overrunDeadline - System.nanoTime();
      if (left > 0) {
        TimeUnit.NANOSECONDS.timedJoin(t, left);
      }
      if (t.isAlive()) {
        throw new BenchException(system + ": a client was still waiting for an answer "
            + OVERRUN_MAX_MS + " ms after the measured window ended; the system is stuck");
      }
    }
    Histogram merged = RunResult.newHistogram();
    long errors = 0;
    long conflicts = 0;
    String firstError = null;
    for (Client c : clients) {
      merged.add(c.latencyMicros);
      errors += c.errors;
      conflicts += c.conflicts;
      if (firstError == null) {
        firstError = c.firstError;
      }
    }
    CpuMeter.Reading begin = window.cpuAtStart.get();
    CpuMeter.Reading end = window.cpuAtEnd.get();
    double clientCpu = begin == null || end == null ? -1
        : CpuMeter.Reading.clientSecondsSince(begin, end);
    double serverCpu = begin == null || end == null ? -1
        : CpuMeter.Reading.serverSecondsSince(begin, end);
    return RunResult.of(system, round, merged, errors, conflicts, config.durationSeconds(),
        clientCpu, serverCpu, firstError);
  }

  /** The measured window, and the CPU readings its first observer of each edge takes. */
  private static final class Window {
    final long startNanos;
    final long endNanos;
    final CpuMeter cpu;
    final AtomicBoolean startSeen = new AtomicBoolean();
    final AtomicBoolean endSeen = new AtomicBoolean();
    final AtomicReference<CpuMeter.Reading> cpuAtStart = new AtomicReference<>();
    final AtomicReference<CpuMeter.Reading> cpuAtEnd = new AtomicReference<>();

    Window(long startNanos, long lengthNanos, CpuMeter cpu) {
      this.startNanos = startNanos;
      this.endNanos = startNanos + lengthNanos;
      this.cpu = cpu;
    }

    /** Notes that {@code now} was observed; the first observer past an edge reads the CPU. */
    void observe(long now) {
      if (now - startNanos >= 0 && startSeen.compareAndSet(false, true)) {
        cpuAtStart.set(cpu.read());
      }
      if (now - endNanos >= 0 && endSeen.compareAndSet(false, true)) {
        cpuAtEnd.set(cpu.read());
      }
    }

    boolean contains(long from, long to) {
      return from - startNanos >= 0 && endNanos - to >= 0;
    }

    boolean over(long now) {
      return now - endNanos >= 0;
    }
  }

  /** One closed-loop client. Its counters are read only after its thread ended. */
  private final class Client implements Runnable {
    final Target.Session session;
    final BenchConfig config;
    final SplittableRandom random;
    final Window window;
    final byte[] value;
    final Histogram latencyMicros = RunResult.newHistogram();
    long errors;
    long conflicts;
    String firstError;

    Client(Target.Session session, BenchConfig config, long seed, Window window) {
      this.session = session;
      this.config = config;
      this.random = new SplittableRandom(seed);
      this.window = window;
      this.value = Keys.value(config.valueSizeBytes(), seed);
    }

    @Override
    public void run() {
      while (true) {
        long start = nanoClock.getAsLong();
        window.observe(start);
        if (window.over(start)) {
          return;
        }
        boolean ok;
        boolean conflict = false;
        Exception failure = null;
        try {
          conflict = !once();
          ok = true;
        } catch (Exception e) {
          ok = false;
          failure = e;
        }
        long end = nanoClock.getAsLong();
        window.observe(end);
        if (window.contains(start, end)) {
          if (ok) {
            latencyMicros.recordValue(
                Math.min(Math.max(1, (end - start) / 1000), RunResult.LATENCY_MICROS_MAX));
            conflicts += conflict ? 1 : 0;
          } else {
            errors++;
            if (firstError == null) {
              firstError = String.valueOf(failure);
            }
          }
        }
        if (failure instanceof InterruptedException) {
          Thread.currentThread().interrupt();
          return;
        }
        if (!ok && !pauseAfterError()) {
          return;
        }
      }
    }

    /** One operation of the workload; false only for a cas or txn that lost its race. */
    private boolean once() throws Exception {
      int index = random.nextInt(config.keys());
      byte[] key = Keys.key(index);
      switch (config.workload()) {
        case CAS:
          return session.cas(key, value);
        case TXN:
          // A second key other than the first: shift by 1..keys-1.
          int other = (index + 1 + random.nextInt(config.keys() - 1)) % config.keys();
          return session.txn(key, Keys.key(other), value);
        case PUT:
          session.put(key, value);
          return true;
        default:
          if (random.nextInt(100) < config.workload().readPercent()) {
            session.get(key);
          } else {
            session.put(key, value);
          }
          return true;
      }
    }

    /** False if interrupted (the run is being abandoned). */
    private boolean pauseAfterError() {
      if (errorPauseMillis <= 0) {
        return true;
      }
      try {
        Thread.sleep(errorPauseMillis);
        return true;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
  }
}
