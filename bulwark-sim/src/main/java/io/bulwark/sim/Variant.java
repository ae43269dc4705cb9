package io.bulwark.sim;

import java.util.Arrays;

/**
 * Which environment a run simulates. {@link #CORRECT} is the real one. The others each break,
 * on the simulator's side, one promise the design relies on, to show that the simulator catches
 * it (a checker that can fail, STYLE P7); the core under test is the same in all of them.
 */
public enum Variant {
  /** The environment as the design assumes it. */
  CORRECT("correct"),
  /** fsync lies: appends are reported durable when queued, and are lost by a crash. */
  DISK_EARLY_DURABLE("disk-early-durable"),
  /** ZooKeeper's compare-and-set does not compare: every proposal for an epoch wins. */
  COORD_CAS_IGNORES_EPOCH("coord-cas-ignores-epoch"),
  /**
   * The node hosting a transaction coordinator tells it YES for every prepare as soon as it
   * sends it, without waiting for the participant's vote: the coordinator commits without all
   * votes (DESIGN §5). Runs the txn workload.
   */
  TXN_COMMIT_WITHOUT_ALL_VOTES("txn-commit-without-all-votes", SimWorkload.TXN);

  private final String cliName;
  private final SimWorkload workload;

  Variant(String cliName) {
    this(cliName, SimWorkload.REGISTER);
  }

  Variant(String cliName, SimWorkload workload) {
    this.cliName = cliName;
    this.workload = workload;
  }

  /** The workload this variant runs unless told otherwise (its broken promise needs it). */
  public SimWorkload workload() {
    return workload;
  }

  public String cliName() {
    return cliName;
  }

  public static Variant fromCliName(String name) {
    for (Variant v : values()) {
      if (v.cliName.equals(name)) {
        return v;
      }
    }
    throw new IllegalArgumentException("unknown variant '" + name + "'; use one of "
        + Arrays.stream(values()).map(Variant::cliName).toList());
  }
}
