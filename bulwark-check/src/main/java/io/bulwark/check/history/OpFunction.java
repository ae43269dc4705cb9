package io.bulwark.check.history;

/**
 * The {@code f} of a history event: what the client asked for (DESIGN §9). A delete is a {@link
 * #WRITE} of null.
 */
public enum OpFunction {
  /** Read one key; the ok value is the value read, null if the key is absent. */
  READ("read"),
  /** Write one key; a null value deletes it. */
  WRITE("write"),
  /** Compare-and-set one key: value is {@code [expected, new]}, null meaning absent. */
  CAS("cas"),
  /** A transaction: value is a list of micro-ops {@code [["r",key,value],["w",key,value]]}. */
  TXN("txn");

  private final String jsonName;

  OpFunction(String jsonName) {
    this.jsonName = jsonName;
  }

  /** The spelling used in history files. */
  public String jsonName() {
    return jsonName;
  }

  /** True for the single-key functions checked by the register model. */
  public boolean isRegister() {
    return this != TXN;
  }

  /** The function spelled {@code name} in a history file, or null if there is none. */
  static OpFunction fromJsonName(String name) {
    for (OpFunction f : values()) {
      if (f.jsonName.equals(name)) {
        return f;
      }
    }
    return null;
  }
}
