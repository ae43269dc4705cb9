package io.bulwark.sim;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Predicate;

/**
 * Runs many seeds on a few threads. Each run is single-threaded and shares nothing with the
 * others, so parallelism changes no run; results come back in seed order.
 */
public final class SimBatch {
  private SimBatch() {}

  /** Runs seeds {@code first .. first+count-1}. */
  public static List<SimResult> run(long first, int count, int steps, Variant variant,
      int threads) {
    return runUntil(first, count, steps, variant, threads, r -> false);
  }

  /** Runs seeds {@code first .. first+count-1} of {@code workload}. */
  public static List<SimResult> run(long first, int count, int steps, Variant variant,
      SimWorkload workload, int threads) {
    return runUntil(first, count, steps, variant, workload, threads, r -> false);
  }

  /** {@link #runUntil(long, int, int, Variant, SimWorkload, int, Predicate)} of the variant's. */
  public static List<SimResult> runUntil(long first, int count, int steps, Variant variant,
      int threads, Predicate<SimResult> stop) {
    return runUntil(first, count, steps, variant, variant.workload(), threads, stop);
  }

  /**
   * Runs seeds from {@code first} in order, in waves of {@code threads}, and stops after the
   * wave in which {@code stop} first holds (at most {@code count} seeds).
   */
  public static List<SimResult> runUntil(long first, int count, int steps, Variant variant,
      SimWorkload workload, int threads, Predicate<SimResult> stop) {
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    List<SimResult> results = new ArrayList<>();
    try {
      for (int done = 0; done < count; ) {
        int wave = Math.min(count - done, Math.max(threads, 1) * 4);
        List<Future<SimResult>> futures = new ArrayList<>();
        for (int i = 0; i < wave; i++) {
          long seed = first + done + i;
          futures.add(pool.submit(() -> SimRun.run(seed, steps, variant, workload, null)));
        }
        boolean stopped = false;
        for (Future<SimResult> f : futures) {
          SimResult r = f.get();
          results.add(r);
          stopped |= stop.test(r);
        }
        done += wave;
        if (stopped) {
          break;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while running seeds", e);
    } catch (ExecutionException e) {
      throw new IllegalStateException("a run crashed the simulator itself", e.getCause());
    } finally {
      pool.shutdownNow();
    }
    return results;
  }
}
