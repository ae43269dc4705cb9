package io.bulwark.cli.verify;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;

/**
 * The client threads of a verify workload, paced: each runs its client's operations one after
 * another, spaced so that all clients together make {@code opsPerSecond}. A client that falls
 * behind (a fault held an operation up) starts afresh from now rather than bursting to catch up,
 * which would hit the cluster hardest just as it recovers. {@link #start} once; {@link #stop}
 * from any thread.
 */
final class PacedClients {
  private final String threadNamePrefix;
  private final int clients;
  private final long opIntervalNanos;
  private final List<Thread> threads = new ArrayList<>();
  private volatile boolean running = true;

  PacedClients(String threadNamePrefix, int clients, int opsPerSecond) {
    this.threadNamePrefix = threadNamePrefix;
    this.clients = clients;
    this.opIntervalNanos = TimeUnit.SECONDS.toNanos(1) * clients / opsPerSecond;
  }

  /**
   * Starts one thread per client; client {@code c} runs {@code operationOf.apply(c)} (one
   * operation per call) until {@link #stop}. The operations are made here, on the caller's thread.
   */
  void start(IntFunction<Runnable> operationOf) {
    for (int c = 0; c < clients; c++) {
      Runnable operation = operationOf.apply(c);
      threads.add(new Thread(() -> loop(operation), threadNamePrefix + c));
    }
    threads.forEach(Thread::start);
  }

  /** Stops the clients and waits for them; each finishes its operation in flight. */
  void stop() throws InterruptedException {
    running = false;
    for (Thread t : threads) {
      t.join();
    }
  }

  private void loop(Runnable operation) {
    long next = System.nanoTime();
    while (running) {
      operation.run();
      next += opIntervalNanos;
      long wait = next - System.nanoTime();
      if (wait > 0) {
        sleepNanos(wait);
      } else {
        next = System.nanoTime();
      }
    }
  }

  private void sleepNanos(long nanos) {
    try {
      TimeUnit.NANOSECONDS.sleep(nanos);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      running = false;
    }
  }
}
