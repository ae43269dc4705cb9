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
  COORD_CAS_IGNORES_EPOCH("coord-cas-ignores-epoch");

  private final String cliName;

  Variant(String cliName) {
    this.cliName = cliName;
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
