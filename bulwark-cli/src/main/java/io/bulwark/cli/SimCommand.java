package io.bulwark.cli;

import io.bulwark.sim.SimMain;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code sim --seeds N [--seed S] [--steps K] [--workload register|txn]}: runs the
 * deterministic simulator of {@code bulwark-sim} over the real primary-backup core
 * (docs/testing.md). Prints one line per failing seed with the command that replays it, then
 * {@code N passed, M failed}. Exit 0 if every seed passed, 1 if one failed, 2 on a usage error.
 * Needs no cluster.
 */
@Command(
    name = "sim",
    mixinStandardHelpOptions = true,
    description = "Run the deterministic simulator: N seeds of crashes, partitions, clock drift "
        + "and ZooKeeper outages, each checked for linearizability and durability.")
final class SimCommand implements Callable<Integer> {
  private final CliEnvironment env;

  @Option(names = "--seeds", paramLabel = "N", description = "How many seeds (default: 1 "
      + "with --seed, else 100).")
  private Integer seeds;

  @Option(names = "--seed", paramLabel = "S", description = "The first seed (default: 1); "
      + "alone, replays that seed.")
  private Long seed;

  @Option(names = "--steps", paramLabel = "K", description = "Client operations per run in "
      + "the fault phase (default: the simulator's).")
  private Integer steps;

  @Option(names = "--variant", paramLabel = "V", description = "correct (default), or a "
      + "deliberately broken environment: disk-early-durable, coord-cas-ignores-epoch.")
  private String variant;

  @Option(names = "--workload", paramLabel = "W", description = "register (default: "
      + "linearizable reads and writes) or txn (cross-shard transactions: bank transfers and "
      + "audits); a failing seed's replay line names it.")
  private String workload;

  @Option(names = "--threads", paramLabel = "T", description = "Seeds run in parallel "
      + "(default: the number of cores); each seed stays deterministic.")
  private Integer threads;

  @Option(names = "--history", paramLabel = "FILE", description = "Write the history of the "
      + "(single) seed run here.")
  private Path history;

  @Option(names = "--verbose", description = "Print the trace tail of failing seeds.")
  private boolean verbose;

  SimCommand(CliEnvironment env) {
    this.env = env;
  }

  @Override
  public Integer call() {
    List<String> args = new ArrayList<>();
    if (seed != null) {
      args.addAll(List.of("--seed", seed.toString()));
    }
    int n = seeds != null ? seeds : seed != null ? 1 : 100;
    args.addAll(List.of("--seeds", Integer.toString(n)));
    if (steps != null) {
      args.addAll(List.of("--steps", steps.toString()));
    }
    if (variant != null) {
      args.addAll(List.of("--variant", variant));
    }
    if (workload != null) {
      args.addAll(List.of("--workload", workload));
    }
    if (threads != null) {
      args.addAll(List.of("--threads", threads.toString()));
    }
    if (history != null) {
      args.addAll(List.of("--history", history.toString()));
    }
    if (verbose) {
      args.add("--verbose");
    }
    int code = SimMain.execute(args.toArray(String[]::new), env.out(), env.err());
    env.out().flush();
    return code;
  }
}
