package io.bulwark.client;

import java.util.Arrays;
import java.util.Objects;

/**
 * A value as read, with its version (the log index of the entry that last wrote it, DESIGN §3
 * rule 12). Immutable once returned; {@code equals} compares array contents.
 */
public record VersionedValue(byte[] value, long version) {
  public VersionedValue {
    Objects.requireNonNull(value, "value");
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof VersionedValue v && version == v.version && Arrays.equals(value, v.value);
  }

  @Override
  public int hashCode() {
    return Objects.hash(version, Arrays.hashCode(value));
  }

  @Override
  public String toString() {
    return "VersionedValue[value=" + Bytes.show(value) + ", version=" + version + "]";
  }
}
