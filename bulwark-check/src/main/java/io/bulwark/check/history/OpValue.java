package io.bulwark.check.history;

import java.util.List;
import java.util.Objects;

/**
 * The {@code value} of a history event. Its shape follows {@code f}: {@link Scalar} for read and
 * write, {@link Cas} for cas, {@link Txn} for txn. {@code toString()} renders it as it is written
 * in a history file.
 */
public sealed interface OpValue {

  /** A read result or a written value; null means absent (read) or delete (write). */
  record Scalar(String value) implements OpValue {
    @Override
    public String toString() {
      return OpJson.render(this);
    }
  }

  /**
   * {@code [expected, new]}: sets the key to {@code newValue} only if it currently holds {@code
   * expected}. A null {@code expected} means "absent"; a null {@code newValue} deletes.
   */
  record Cas(String expected, String newValue) implements OpValue {
    @Override
    public String toString() {
      return OpJson.render(this);
    }
  }

  /** The micro-ops of a transaction, in the order the transaction ran them. */
  record Txn(List<MicroOp> microOps) implements OpValue {
    public Txn {
      microOps = List.copyOf(Objects.requireNonNull(microOps, "microOps"));
    }

    @Override
    public String toString() {
      return OpJson.render(this);
    }
  }
}
