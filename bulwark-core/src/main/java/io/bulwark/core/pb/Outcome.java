package io.bulwark.core.pb;

/**
 * The result of applying one command. {@code applied} is false only for a CAS whose expectation
 * did not hold, a plain write that met a transaction's lock ({@code txn} is then LOCKED), or a
 * transaction entry that voted NO or aborted; then {@code version}/{@code current} describe what
 * is stored (CAS). When applied, {@code version} is the entry's index (the key's new version).
 * {@code txn} is null for plain operations that applied, and says what a transaction entry
 * decided (DESIGN §5).
 */
public record Outcome(boolean applied, long version, byte[] current, TxnResult txn) {

  /** A plain operation's outcome (no transaction result). */
  public Outcome(boolean applied, long version, byte[] current) {
    this(applied, version, current, null);
  }

  public static Outcome applied(long version) {
    return new Outcome(true, version, null);
  }

  /** A transaction entry's outcome at {@code index}; applied unless it voted NO or aborted. */
  public static Outcome txn(long index, TxnResult result) {
    boolean ok = result.status() != TxnResult.Status.ABORTED
        && result.status() != TxnResult.Status.LOCKED
        && result.status() != TxnResult.Status.ABSENT;
    return new Outcome(ok, index, null, result);
  }
}
