package io.bulwark.sim;

/**
 * A simulation run found a bug (a broken invariant, a lost write, no progress after healing) or
 * could not go on. Thrown from inside the event loop and turned into a failed seed by
 * {@link SimRun}; never caught anywhere else.
 */
final class SimFailure extends RuntimeException {
  private static final long serialVersionUID = 1L;

  SimFailure(String message) {
    super(message);
  }
}
