package io.bulwark.sim;

/**
 * A property that must hold at every moment of a run (STYLE §6, after kafka's
 * {@code RaftEventSimulationTest} invariants). {@link #check()} runs after every event and throws
 * {@link SimFailure} naming what broke; some invariants are fed by observers instead and check
 * as things happen.
 */
interface Invariant {
  String name();

  void check();

  /** How many times it was evaluated, to show a checker that never ran. */
  long checks();
}
