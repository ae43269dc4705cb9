package io.bulwark.core.pb;

import java.util.Arrays;

/**
 * A state-machine operation carried by a log entry. Every outcome (a CAS that fails, the version
 * a put creates) is decided when the entry applies, identically on every replica.
 */
public sealed interface Op {

  /** Writes {@code value} at {@code key}; its version becomes the entry's index (DESIGN §3.12). */
  record Put(byte[] key, byte[] value) implements Op {}

  /** Removes {@code key}. Deleting an absent key succeeds. */
  record Delete(byte[] key) implements Op {}

  /**
   * Writes {@code newValue} (or deletes, if null) only if the current state matches: the value
   * equals {@code expectedValue} (null meaning "absent"), and, when {@code expectedVersion >= 0},
   * the version equals it (0 meaning "absent").
   */
  record Cas(byte[] key, byte[] expectedValue, long expectedVersion, byte[] newValue)
      implements Op {
    /** True if a stored value/version pair satisfies this CAS's expectation. */
    public boolean matches(Versioned current) {
      byte[] curValue = current == null ? null : current.value();
      long curVersion = current == null ? 0 : current.version();
      if (expectedVersion >= 0) {
        return curVersion == expectedVersion;
      }
      return Arrays.equals(curValue, expectedValue);
    }
  }

  /**
   * An entry that changes nothing: a new primary appends one when its epoch starts, so the
   * epoch has an entry of its own and reconciliation commits the inherited suffix (§3.10).
   */
  record Noop() implements Op {}
}
