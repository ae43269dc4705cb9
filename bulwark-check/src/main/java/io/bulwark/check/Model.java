package io.bulwark.check;

/** The consistency model a history is checked against (DESIGN §9). */
public enum Model {
  /** Linearizability of read, write and cas, per key, each key a register starting absent. */
  REGISTER("register"),
  /** Serializability of committed txns, with no txn seen partly applied. */
  TXN("txn");

  private final String cliName;

  Model(String cliName) {
    this.cliName = cliName;
  }

  /** The spelling of {@code --model}. */
  public String cliName() {
    return cliName;
  }

  /**
   * The model spelled {@code name} on the command line.
   *
   * @throws IllegalArgumentException listing the valid names if there is none
   */
  public static Model fromCliName(String name) {
    for (Model model : values()) {
      if (model.cliName.equals(name)) {
        return model;
      }
    }
    throw new IllegalArgumentException("unknown model '" + name + "'; use register or txn");
  }
}
