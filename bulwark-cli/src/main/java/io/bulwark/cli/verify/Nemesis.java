package io.bulwark.cli.verify;

import java.util.SplittableRandom;

/**
 * One kind of real fault. {@link NemesisRunner} calls {@link #inject} and, after a hold time
 * drawn from the seed, {@link #heal} with what it returned; at most one fault of a nemesis is
 * active at a time. Implementations act only on what the run created.
 */
interface Nemesis {
  /** The name on the command line and in the verdict. */
  String kind();

  /** Injects one fault, choosing its target with {@code random}; returns what it did. */
  Fault inject(SplittableRandom random) throws Exception;

  /** Undoes {@code fault}; returns once the fault is gone (not once the cluster recovered). */
  void heal(Fault fault) throws Exception;
}
