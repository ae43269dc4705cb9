package io.bulwark.core.pb;

import java.util.Arrays;

/**
 * The participant's vote (DESIGN §5), shared by every {@link ShardStateMachine} so that all
 * replicas and implementations decide alike. Pure; reads the state through the interface.
 */
public final class TxnRules {
  private TxnRules() {}

  /**
   * The vote of {@code prepare} against the current applied state: NO (ABORTED, with the reason)
   * if a read key carries another transaction's intent, a written key carries another
   * transaction's intent or read lock, or a read key's version (0 when absent) is not the one
   * read; YES (PREPARED) otherwise. Read locks are shared (DESIGN §5), so two transactions that
   * only read a key do not conflict.
   */
  public static TxnResult vote(Op.TxnPrepare prepare, ShardStateMachine state) {
    for (Op.TxnRead r : prepare.reads()) {
      // Read locks are shared: only another transaction's intent conflicts with a read.
      Intent intent = state.intentOn(r.key());
      String holder = intent == null || intent.txnId().equals(prepare.txnId()) ? null
          : intent.txnId();
      if (holder != null) {
        return new TxnResult(TxnResult.Status.ABORTED, "read key " + show(r.key())
            + " is locked by txn " + holder);
      }
    }
    for (Op.TxnWrite w : prepare.writes()) {
      String holder = state.lockHolder(w.key(), prepare.txnId());
      if (holder != null) {
        return new TxnResult(TxnResult.Status.ABORTED, "written key " + show(w.key())
            + " is locked by txn " + holder);
      }
    }
    for (Op.TxnRead r : prepare.reads()) {
      Versioned cur = state.get(r.key());
      long version = cur == null ? 0 : cur.version();
      if (version != r.version()) {
        return new TxnResult(TxnResult.Status.ABORTED, "read key " + show(r.key())
            + " changed: version " + r.version() + " read, " + version + " now");
      }
    }
    return TxnResult.of(TxnResult.Status.PREPARED);
  }

  /** The outcome of a plain write of {@code key} that met {@code holder}'s lock when it applied. */
  public static Outcome lockedOutcome(byte[] key, String holder, Versioned current) {
    return new Outcome(false, current == null ? 0 : current.version(),
        current == null ? null : current.value(),
        new TxnResult(TxnResult.Status.LOCKED, "key " + show(key) + " is locked by txn " + holder));
  }

  /** The key this plain op writes, or null if it writes none. */
  public static byte[] plainWriteKey(Op op) {
    if (op instanceof Op.Put p) {
      return p.key();
    }
    if (op instanceof Op.Delete d) {
      return d.key();
    }
    if (op instanceof Op.Cas c) {
      return c.key();
    }
    return null;
  }

  static String show(byte[] key) {
    String s = new String(key, java.nio.charset.StandardCharsets.UTF_8);
    return s.length() > 64 ? s.substring(0, 64) + "..." + Arrays.hashCode(key) : s;
  }
}
