package io.bulwark.client;

import java.util.Arrays;
import java.util.Objects;

/**
 * The outcome of a write that the cluster committed. Immutable once returned (the client keeps
 * no reference to the array); {@code equals} compares array contents.
 *
 * @param applied false only for a compare-and-set whose expectation did not hold
 * @param version the key's version after the write: the log index of the committed entry
 *     (DESIGN §3 rule 12); for a failed compare-and-set the current version, 0 if absent
 * @param currentValue for a failed compare-and-set the current value, null if absent; null
 *     otherwise
 */
public record WriteResult(boolean applied, long version, byte[] currentValue) {
  @Override
  public boolean equals(Object o) {
    return o instanceof WriteResult w && applied == w.applied && version == w.version
        && Arrays.equals(currentValue, w.currentValue);
  }

  @Override
  public int hashCode() {
    return Objects.hash(applied, version, Arrays.hashCode(currentValue));
  }

  @Override
  public String toString() {
    return "WriteResult[applied=" + applied + ", version=" + version + ", currentValue="
        + Bytes.show(currentValue) + "]";
  }
}
