package io.bulwark.sim;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Runs seeds from the command line.
 *
 * <pre>
 *   SimMain [--seeds N] [--seed S] [--steps K] [--workload register|txn] [--variant V]
 *           [--threads T] [--history FILE] [--verbose]
 * </pre>
 *
 * {@code --seed S} alone replays seed S (printing the trace tail if it fails); with
 * {@code --seeds N} it runs seeds S..S+N-1 (S defaults to 1). Prints one line per failing seed,
 * with the command that replays it, then {@code N passed, M failed}. Exit 0 if all passed,
 * 1 if any failed, 2 on a usage error.
 */
public final class SimMain {
  private SimMain() {}

  /** Parsed command line. */
  record Options(long firstSeed, int seeds, int steps, Variant variant, SimWorkload workload,
      int threads, Path history, boolean verbose) {}

  public static void main(String[] args) {
    System.exit(execute(args, System.out, System.err));
  }

  /**
   * Runs the command line {@code args}; returns the exit code (0 all passed, 1 a seed failed,
   * 2 usage error). Used by {@code bin/bulwark sim} and {@link #main}.
   */
  public static int execute(String[] args, PrintStream out, PrintStream err) {
    Options o;
    try {
      o = parse(args);
    } catch (IllegalArgumentException e) {
      err.println("usage: sim [--seeds N] [--seed S] [--steps K] [--workload register|txn]"
          + " [--variant correct|disk-early-durable|coord-cas-ignores-epoch"
          + "|txn-commit-without-all-votes] [--threads T] [--history FILE] [--verbose]\n"
          + e.getMessage());
      return 2;
    }
    return run(o, out) ? 0 : 1;
  }

  static Options parse(String[] args) {
    long seed = 1;
    int seeds = 1;
    boolean seedsGiven = false;
    int steps = SimRun.STEPS_DEFAULT;
    Variant variant = Variant.CORRECT;
    SimWorkload workload = null;
    int threads = Math.max(1, Runtime.getRuntime().availableProcessors());
    Path history = null;
    boolean verbose = false;
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (a.equals("--verbose")) {
        verbose = true;
        continue;
      }
      if (i + 1 >= args.length) {
        throw new IllegalArgumentException(a + " needs a value");
      }
      String v = args[++i];
      switch (a) {
        case "--seed" -> seed = Long.parseLong(v);
        case "--seeds" -> {
          seeds = Integer.parseInt(v);
          seedsGiven = true;
        }
        case "--steps" -> steps = Integer.parseInt(v);
        case "--variant" -> variant = Variant.fromCliName(v);
        case "--workload" -> workload = SimWorkload.fromCliName(v);
        case "--threads" -> threads = Integer.parseInt(v);
        case "--history" -> history = Path.of(v);
        default -> throw new IllegalArgumentException("unknown option " + a);
      }
    }
    if (seeds < 1 || steps < 1 || threads < 1) {
      throw new IllegalArgumentException("--seeds, --steps and --threads must be positive");
    }
    if (!seedsGiven) {
      seeds = 1;
    }
    if (workload == null) {
      workload = variant.workload();
    }
    if (variant.workload() == SimWorkload.TXN && workload != SimWorkload.TXN) {
      throw new IllegalArgumentException("--variant " + variant.cliName()
          + " breaks transactions: it needs --workload txn");
    }
    return new Options(seed, seeds, steps, variant, workload, threads, history, verbose);
  }

  /** Runs the batch, printing as described above; true if every seed passed. */
  static boolean run(Options o, PrintStream out) {
    boolean single = o.seeds() == 1;
    PrintStream verbose = single && o.verbose() ? out : null;
    List<SimResult> results;
    if (single) {
      results = List.of(SimRun.run(o.firstSeed(), o.steps(), o.variant(), o.workload(),
          verbose));
      if (!results.get(0).passed()) {
        out.println(failureLine(results.get(0)));
      }
    } else {
      // Failures are printed as their wave completes, so a long batch reports early.
      results = SimBatch.runUntil(o.firstSeed(), o.seeds(), o.steps(), o.variant(),
          o.workload(), o.threads(), r -> {
            if (!r.passed()) {
              out.println(failureLine(r));
            }
            return false;
          });
    }
    if (single) {
      describeSingle(results.get(0), o, out);
    }
    long failed = results.stream().filter(r -> !r.passed()).count();
    if (!single) {
      reportCoverage(results, o.workload(), o.verbose(), out);
    }
    out.println((results.size() - failed) + " passed, " + failed + " failed");
    return failed == 0;
  }

  /** One line naming a failed seed, why, and the command that replays it. */
  static String failureLine(SimResult r) {
    return "seed " + r.seed() + " FAILED: " + r.failure() + " | replay: " + r.replayCommand();
  }

  private static void describeSingle(SimResult r, Options o, PrintStream out) {
    out.println("seed " + r.seed() + ": " + r.knobs());
    out.println("simulated " + SimTime.format(r.simNanos()) + ", " + r.events() + " events, "
        + "recovery after healing " + (r.recoveryNanos() < 0 ? "-" : SimTime.format(
            r.recoveryNanos())) + ", history " + r.history().length + " bytes, check "
        + r.checkMillis() + " ms");
    out.println("counts: " + r.counts());
    if (!r.passed() && !o.verbose()) {
      out.println("last " + r.traceTail().size() + " trace lines:");
      r.traceTail().forEach(l -> out.println("  " + l));
    }
    if (o.history() != null) {
      try {
        Files.write(o.history(), r.history());
        out.println("history written to " + o.history());
      } catch (IOException e) {
        out.println("could not write the history to " + o.history() + ": " + e.getMessage());
      }
    }
  }

  /** Core events that never fired in the batch: protocol paths the seeds did not reach. */
  private static void reportCoverage(List<SimResult> results, SimWorkload workload,
      boolean all, PrintStream out) {
    Map<String, Long> total = new TreeMap<>();
    for (SimResult r : results) {
      r.counts().forEach((k, v) -> total.merge(k, v, Long::sum));
    }
    List<String> never = new ArrayList<>();
    for (String probe : CoverageProbes.expected(workload)) {
      if (total.getOrDefault(probe, 0L) == 0) {
        never.add(probe);
      }
    }
    long maxRecovery = results.stream().mapToLong(SimResult::recoveryNanos).max().orElse(-1);
    if (all) {
      out.println("probes: " + total);
    }
    out.println("never fired: " + (never.isEmpty() ? "none" : never)
        + "; slowest recovery after healing " + SimTime.format(maxRecovery));
  }
}
