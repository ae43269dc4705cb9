package io.bulwark.bench;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * What each operation of a run is. Mixed workloads are named by their read share ({@code
 * mixed90}: 90% linearizable reads, 10% puts), so a result names its mix without a second field.
 */
public enum Workload {
  /** Blind writes of a fixed-size value to a random key. */
  PUT("put", 0),
  /** Linearizable reads of a random (preloaded) key. */
  GET("get", 100),
  /** 90% gets, 10% puts. */
  MIXED90("mixed90", 90),
  /** 50% gets, 50% puts. */
  MIXED50("mixed50", 50),
  /**
   * Read-modify-write: a linearizable read of the key's version, then a write conditional on it.
   * One operation is the pair; a write that lost a race is a conflict, not an error.
   */
  CAS("cas", 0),
  /**
   * A two-key read-modify-write transaction: linearizable reads of two distinct random keys,
   * then an atomic write of both, applied only if neither changed since it was read (the keys
   * usually live in different shards, so Bulwark runs two-phase commit). One operation is the
   * whole transaction; one that lost a race is a conflict, not an error.
   */
  TXN("txn", 0);

  private final String cliName;
  private final int readPercent;

  Workload(String cliName, int readPercent) {
    this.cliName = cliName;
    this.readPercent = readPercent;
  }

  /** The name on the command line and in JSON. */
  public String cliName() {
    return cliName;
  }

  /** The share of operations that are gets (0..100); meaningless for {@link #CAS} and {@link #TXN}. */
  public int readPercent() {
    return readPercent;
  }

  /**
   * The workload named {@code name} (case-insensitive).
   *
   * @throws IllegalArgumentException naming the valid names
   */
  public static Workload parse(String name) {
    for (Workload w : values()) {
      if (w.cliName.equals(name.toLowerCase(Locale.ROOT))) {
        return w;
      }
    }
    throw new IllegalArgumentException("unknown workload '" + name + "'; expected one of "
        + names());
  }

  /** The valid names, comma-separated. */
  public static String names() {
    return Arrays.stream(values()).map(Workload::cliName).collect(Collectors.joining(", "));
  }
}
