package io.bulwark.sim;

import java.util.List;
import java.util.Map;

/**
 * The outcome of one seed.
 *
 * @param seed the seed; with {@code steps}, {@code variant} and {@code workload} it replays the
 *     run exactly
 * @param failure why the run failed, one line; null if it passed
 * @param knobs what the seed chose ({@link SimKnobs#describe()})
 * @param history the DESIGN §9 history, as {@code bulwark check} reads it
 * @param traceTail the last lines of the trace, oldest first
 * @param counts how often each kind of trace line happened (core events, faults, outcomes)
 * @param recoveryNanos simulated time from healing to every client having written (-1: never)
 * @param simNanos simulated time the run covered
 * @param events scheduler events executed
 * @param checkMillis wall-clock time the linearizability check took
 */
public record SimResult(
    long seed, int steps, Variant variant, SimWorkload workload, String failure, String knobs, byte[] history,
    List<String> traceTail, Map<String, Long> counts, long recoveryNanos, long simNanos,
    long events, long checkMillis) {

  public boolean passed() {
    return failure == null;
  }

  /** The command that replays this run, from the repository root. */
  public String replayCommand() {
    return "bin/bulwark sim --seed " + seed + " --steps " + steps
        + (workload == variant.workload() ? "" : " --workload " + workload.cliName())
        + (variant == Variant.CORRECT ? "" : " --variant " + variant.cliName());
  }
}
