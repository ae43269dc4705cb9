package io.bulwark.bench;

import java.util.Comparator;
import java.util.List;

/**
 * One system's runs across the rounds, and the one reported: the round with the most
 * operations per second ("best of"). Other load on a shared machine can only slow a window
 * down, so the best round is the least disturbed; every round stays in the JSON.
 */
public record SystemResult(String name, List<RunResult> rounds) {
  public SystemResult {
    if (rounds.isEmpty()) {
      throw new IllegalArgumentException("no rounds for " + name);
    }
    rounds = List.copyOf(rounds);
  }

  /** The reported round: the one with the highest ops/s (the first of equals). */
  public RunResult best() {
    return rounds.stream().max(Comparator.comparingDouble(RunResult::opsPerSec)).orElseThrow();
  }

  /** Errors summed over every round, so an error in a round that was not chosen still shows. */
  public long errorsAllRounds() {
    return rounds.stream().mapToLong(RunResult::errors).sum();
  }

  /** True if any round acknowledged nothing. */
  public boolean failed() {
    return rounds.stream().anyMatch(RunResult::failed);
  }
}
