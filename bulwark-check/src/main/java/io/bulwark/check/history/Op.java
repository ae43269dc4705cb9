package io.bulwark.check.history;

import java.util.Objects;

/**
 * One event of a history: one line of the JSON Lines file described in DESIGN §9.
 *
 * <p>The constructor enforces the shape rules, so every {@code Op} can be written and read back:
 * {@code key} is required for read, write and cas and absent (null) for txn, and {@code value} is a
 * {@link OpValue.Scalar} for read and write, an {@link OpValue.Cas} for cas and an {@link
 * OpValue.Txn} for txn. A completion echoes its invoke's value, except that an ok read (or an ok
 * txn's reads) carries the value read. {@code timeNanos} is a monotonic clock reading (the {@code
 * time} field); only differences between readings matter. The constructor throws {@link
 * IllegalArgumentException} if the shape rules are broken.
 */
public record Op(
    long process, OpType type, OpFunction f, String key, OpValue value, long timeNanos) {

  public Op {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(f, "f");
    Objects.requireNonNull(value, "value");
    if (f == OpFunction.TXN) {
      require(key == null, "a txn has no key (its micro-ops name the keys)");
      require(value instanceof OpValue.Txn, "a txn value must be a list of micro-ops");
    } else {
      require(key != null, "f " + f.jsonName() + " needs a key");
      if (f == OpFunction.CAS) {
        require(value instanceof OpValue.Cas, "a cas value must be [expected, new]");
      } else {
        require(
            value instanceof OpValue.Scalar,
            "a " + f.jsonName() + " value must be a string or null");
      }
    }
  }

  /** The completion of this invoke with the given type, value and time. */
  public Op complete(OpType completionType, OpValue completionValue, long completionNanos) {
    require(type == OpType.INVOKE, "only an invoke can be completed");
    require(completionType.isCompletion(), "a completion type is ok, fail or info");
    return new Op(process, completionType, f, key, completionValue, completionNanos);
  }

  /** The completion of this invoke that echoes its value. */
  public Op complete(OpType completionType, long completionNanos) {
    return complete(completionType, value, completionNanos);
  }

  @Override
  public String toString() {
    return OpJson.toJson(this);
  }

  private static void require(boolean condition, String message) {
    if (!condition) {
      throw new IllegalArgumentException(message);
    }
  }
}
