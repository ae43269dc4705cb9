package io.bulwark.sim;

import java.util.Arrays;

/**
 * What the clients of a run do. {@link #REGISTER}: single-key reads, writes, CASes and deletes,
 * judged for linearizability. {@link #TXN}: cross-shard transactions (DESIGN §5) — bank
 * transfers between accounts spread over all shards, audits that read every account, and random
 * read/write transactions — judged for serializability, no partial commit, the bank total and
 * every intent resolved after healing.
 */
public enum SimWorkload {
  REGISTER("register"),
  TXN("txn");

  private final String cliName;

  SimWorkload(String cliName) {
    this.cliName = cliName;
  }

  public String cliName() {
    return cliName;
  }

  public static SimWorkload fromCliName(String name) {
    for (SimWorkload w : values()) {
      if (w.cliName.equals(name)) {
        return w;
      }
    }
    throw new IllegalArgumentException("unknown workload '" + name + "'; use one of "
        + Arrays.stream(values()).map(SimWorkload::cliName).toList());
  }
}
