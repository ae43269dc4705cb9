package io.bulwark.check.history;

import java.util.Objects;

/**
 * One step of a transaction, written {@code ["r",key,value]} or {@code ["w",key,value]} in a
 * history. In an invoke, a read's value is null (not yet known); in an ok completion it is the
 * value read, null meaning absent. A write's value is the value written, null meaning delete.
 */
public record MicroOp(Kind kind, String key, String value) {

  /** Read or write. */
  public enum Kind {
    READ("r"),
    WRITE("w");

    private final String jsonName;

    Kind(String jsonName) {
      this.jsonName = jsonName;
    }

    /** The spelling used in history files. */
    public String jsonName() {
      return jsonName;
    }
  }

  public MicroOp {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(key, "key");
  }

  /** A read of {@code key} that returned {@code value}. */
  public static MicroOp read(String key, String value) {
    return new MicroOp(Kind.READ, key, value);
  }

  /** A write of {@code value} to {@code key}. */
  public static MicroOp write(String key, String value) {
    return new MicroOp(Kind.WRITE, key, value);
  }

  public boolean isRead() {
    return kind == Kind.READ;
  }

  public boolean isWrite() {
    return kind == Kind.WRITE;
  }

  @Override
  public String toString() {
    return OpJson.render(this);
  }
}
