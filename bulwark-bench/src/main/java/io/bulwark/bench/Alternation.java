package io.bulwark.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Runs the same workload against every system, alternating: round 1 is bulwark, then each peer;
 * round 2 again; and so on. Interleaving spreads slow periods of a shared machine over every
 * system instead of charging them to whichever ran during them.
 */
public final class Alternation {
  private final ClosedLoopRunner runner;
  private final Consumer<String> progress;

  /** @param progress receives one line per run started and finished (for standard error) */
  public Alternation(ClosedLoopRunner runner, Consumer<String> progress) {
    this.runner = runner;
    this.progress = progress;
  }

  /**
   * Runs {@code rounds} rounds over {@code systems} in their order.
   *
   * @return one result per system, in the order given
   * @throws BenchException if a run cannot be set up (the message names the system)
   */
  public List<SystemResult> run(List<BenchSystem> systems, BenchConfig config, int rounds)
      throws Exception {
    Map<String, List<RunResult>> results = new LinkedHashMap<>();
    systems.forEach(s -> results.put(s.name(), new ArrayList<>()));
    for (int round = 1; round <= rounds; round++) {
      for (BenchSystem system : systems) {
        progress.accept(String.format("round %d/%d: %s, %s, %d clients, %d s ...", round, rounds,
            system.name(), config.workload().cliName(), config.clients(),
            config.durationSeconds()));
        RunResult r;
        try (Target target = system.openTarget()) {
          r = runner.run(target, config, round, new ProcessCpu(system::serverPids));
        }
        progress.accept(String.format("round %d/%d: %s: %.0f ops/s, p50 %.2f ms, p99 %.2f ms, "
            + "errors %d", round, rounds, system.name(), r.opsPerSec(), r.p50Ms(), r.p99Ms(),
            r.errors()));
        results.get(system.name()).add(r);
      }
    }
    List<SystemResult> out = new ArrayList<>();
    results.forEach((name, runs) -> out.add(new SystemResult(name, runs)));
    return out;
  }
}
