package io.bulwark.check.history;

/**
 * The {@code type} of a history event (DESIGN §9). An operation is one {@link #INVOKE} followed by
 * at most one completion: {@link #OK}, {@link #FAIL} or {@link #INFO}.
 */
public enum OpType {
  /** The client sent the request. */
  INVOKE("invoke"),
  /** It happened, with the result carried in the event's value. */
  OK("ok"),
  /** It certainly did not happen. */
  FAIL("fail"),
  /** Unknown: it may have happened, at any time after its invoke, or never. */
  INFO("info");

  private final String jsonName;

  OpType(String jsonName) {
    this.jsonName = jsonName;
  }

  /** The spelling used in history files. */
  public String jsonName() {
    return jsonName;
  }

  /** True for the three completion types. */
  public boolean isCompletion() {
    return this != INVOKE;
  }

  /** The type spelled {@code name} in a history file, or null if there is none. */
  static OpType fromJsonName(String name) {
    for (OpType type : values()) {
      if (type.jsonName.equals(name)) {
        return type;
      }
    }
    return null;
  }
}
