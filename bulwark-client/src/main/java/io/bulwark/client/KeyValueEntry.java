package io.bulwark.client;

import java.util.Arrays;
import java.util.Objects;

/**
 * One key of a {@link BulwarkClient#scan} result. Immutable once returned; {@code equals}
 * compares array contents.
 */
public record KeyValueEntry(byte[] key, byte[] value, long version) {
  public KeyValueEntry {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(value, "value");
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof KeyValueEntry e && version == e.version && Arrays.equals(key, e.key)
        && Arrays.equals(value, e.value);
  }

  @Override
  public int hashCode() {
    return Objects.hash(version, Arrays.hashCode(key), Arrays.hashCode(value));
  }

  @Override
  public String toString() {
    return "KeyValueEntry[key=" + Bytes.show(key) + ", value=" + Bytes.show(value) + ", version="
        + version + "]";
  }
}
