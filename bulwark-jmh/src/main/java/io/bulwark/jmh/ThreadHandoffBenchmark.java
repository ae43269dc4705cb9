package io.bulwark.jmh;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What one hand-off between two threads costs a lone request on this machine: the benchmark
 * thread queues a task for a worker thread that waits on a {@link LinkedBlockingQueue} (as
 * {@code ReplicaLoop} and the log writer wait for work), and the task answers on a second queue
 * the benchmark thread waits on. One operation is one round trip: two wake-ups of a parked
 * thread, with nothing else to do in between.
 *
 * <p>Why it matters: a lone client's put crosses threads about eight times on its way through
 * the primary and a backup (network thread, replica loop, log writer and back, on each node),
 * so this figure times eight, plus one fsync and the loopback round trips, is what the
 * single-client latency is made of (docs/benchmarks.md).
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms256m", "-Xmx256m"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@State(Scope.Benchmark)
public class ThreadHandoffBenchmark {
  private final BlockingQueue<Runnable> work = new LinkedBlockingQueue<>();
  private final BlockingQueue<Long> answers = new ArrayBlockingQueue<>(1);
  private Thread worker;
  private long sent;

  @Setup(Level.Trial)
  public void start() {
    worker = new Thread(() -> {
      try {
        while (!Thread.currentThread().isInterrupted()) {
          work.take().run();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "handoff-worker");
    worker.setDaemon(true);
    worker.start();
  }

  @TearDown(Level.Trial)
  public void stop() throws InterruptedException {
    worker.interrupt();
    worker.join(5_000);
  }

  /** Queue a task for the parked worker and wait for its answer: two hand-offs. */
  @Benchmark
  public long roundTrip() throws InterruptedException {
    long value = ++sent;
    work.put(() -> answers.add(value));
    return answers.take();
  }
}
