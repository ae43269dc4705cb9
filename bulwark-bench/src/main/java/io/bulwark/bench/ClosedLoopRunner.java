package io.bulwark.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;
import org.HdrHistogram.Histogram;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one closed-loop measurement against one {@link Target}: {@code clients} clients, each
 * sending its next request only when the previous one is answered, first for the warm-up, then
 * for the measured window. Clients of put, get and mixed use the session's asynchronous calls
 * and send the next request from the completion of the previous one, so the load costs no
 * thread wake-up per request on the bench's side, for every system alike; cas and txn, which
 * chain several calls, run one thread per client.
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
    boolean async = config.workload() != Workload.CAS && config.workload() != Workload.TXN;
    ScheduledExecutorService pauses = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "bench-error-pause");
      t.setDaemon(true);
      return t;
    });
    List<Tally> clients = new ArrayList<>();
    try {
      for (int i = 0; i < sessions.size(); i++) {
        Tally c = async
            ? new AsyncClient(sessions.get(i), config, config.seed() + i, window, pauses)
            : new Client(sessions.get(i), config, config.seed() + i, window);
        clients.add(c);
        Thread t = new Thread(c, "bench-client-" + i);
        t.setDaemon(true);
        t.start();
      }
      long overrunDeadline = System.nanoTime()
          + TimeUnit.SECONDS.toNanos(config.warmupSeconds() + config.durationSeconds())
          + TimeUnit.MILLISECONDS.toNanos(OVERRUN_MAX_MS);
      for (Tally c : clients) {
        long left = overrunDeadline - System.nanoTime();
        if (!c.finished.await(Math.max(0, left), TimeUnit.NANOSECONDS)) {
          throw new BenchException(system + ": a client was still waiting for an answer "
              + OVERRUN_MAX_MS + " ms after the measured window ended; the system is stuck");
        }
      }
    } finally {
      pauses.shutdownNow();
    }
    Histogram merged = RunResult.newHistogram();
    long errors = 0;
    long conflicts = 0;
    String firstError = null;
    for (Tally c : clients) {
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

  /**
   * One closed-loop client's state and counters. A client has one operation in flight at a time,
   * so its counters are written by one thread at a time, each completion happening after the
   * previous; they are read only after {@link #finished}.
   */
  private abstract class Tally implements Runnable {
    final Target.Session session;
    final BenchConfig config;
    final SplittableRandom random;
    final Window window;
    final byte[] value;
    final Histogram latencyMicros = RunResult.newHistogram();
    final CountDownLatch finished = new CountDownLatch(1);
    long errors;
    long conflicts;
    String firstError;

    Tally(Target.Session session, BenchConfig config, long seed, Window window) {
      this.session = session;
      this.config = config;
      this.random = new SplittableRandom(seed);
      this.window = window;
      this.value = Keys.value(config.valueSizeBytes(), seed);
    }

    /** Counts an operation that ran from {@code start}, if the window holds all of it. */
    void record(long start, boolean conflict, Throwable failure) {
      long end = nanoClock.getAsLong();
      window.observe(end);
      if (!window.contains(start, end)) {
        return;
      }
      if (failure == null) {
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
  }

  /**
   * A client of the put, get and mixed workloads: it sends each request through the session's
   * asynchronous call and the next one from the completion, so no thread waits per request. Its
   * thread only sends the first request (with a session whose calls complete at once, it runs the
   * whole loop, as a blocking client would).
   */
  private final class AsyncClient extends Tally {
    private final ScheduledExecutorService pauses;

    AsyncClient(Target.Session session, BenchConfig config, long seed, Window window,
        ScheduledExecutorService pauses) {
      super(session, config, seed, window);
      this.pauses = pauses;
    }

    @Override
    public void run() {
      // A loop, not recursion, for operations that complete before their callback is set.
      while (true) {
        long start = nanoClock.getAsLong();
        window.observe(start);
        if (window.over(start)) {
          finished.countDown();
          return;
        }
        CompletableFuture<?> op;
        try {
          op = once().toCompletableFuture();
        } catch (RuntimeException e) {
          op = CompletableFuture.failedFuture(e);
        }
        if (!op.isDone()) {
          op.whenComplete((r, e) -> afterOp(start, e, true));
          return;
        }
        Throwable failure = null;
        try {
          op.join();
        } catch (CompletionException | CancellationException e) {
          failure = e;
        }
        if (!afterOp(start, failure, false)) {
          return;
        }
      }
    }

    /**
     * Records the operation; then, if {@code resume}, goes on with the next one. Returns whether
     * the caller's loop should go on itself (false: the next operation is scheduled after an
     * error pause, or already running).
     */
    private boolean afterOp(long start, Throwable failure, boolean resume) {
      Throwable cause = failure instanceof CompletionException && failure.getCause() != null
          ? failure.getCause() : failure;
      record(start, false, cause);
      if (cause != null && errorPauseMillis > 0) {
        try {
          pauses.schedule(this, errorPauseMillis, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException abandoned) {
          finished.countDown(); // The run is over (it gave up on a stuck client).
        }
        return false;
      }
      if (resume) {
        run();
        return false;
      }
      return true;
    }

    private CompletionStage<?> once() {
      byte[] key = Keys.key(random.nextInt(config.keys()));
      if (config.workload() != Workload.PUT
          && random.nextInt(100) < config.workload().readPercent()) {
        return session.getAsync(key);
      }
      return session.putAsync(key, value);
    }
  }

  /** A client of the cas and txn workloads, each operation several blocking calls. */
  private final class Client extends Tally {
    Client(Target.Session session, BenchConfig config, long seed, Window window) {
      super(session, config, seed, window);
    }

    @Override
    public void run() {
      try {
        loop();
      } finally {
        finished.countDown();
      }
    }

    private void loop() {
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
        record(start, conflict, failure);
        if (failure instanceof InterruptedException) {
          Thread.currentThread().interrupt();
          return;
        }
        if (!ok && !pauseAfterError()) {
          return;
        }
      }
    }

    /** One cas or txn; false if it lost its race. */
    private boolean once() throws Exception {
      int index = random.nextInt(config.keys());
      byte[] key = Keys.key(index);
      if (config.workload() == Workload.CAS) {
        return session.cas(key, value);
      }
      // A second key other than the first: shift by 1..keys-1.
      int other = (index + 1 + random.nextInt(config.keys() - 1)) % config.keys();
      return session.txn(key, Keys.key(other), value);
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
