package io.bulwark.core.txn;

/**
 * A transaction's fate as its coordinator reports it to the client. COMMITTED and ABORTED are
 * definite; UNKNOWN means the coordinator gave up before it learnt the record's status (the
 * client asks the record shard with {@code TxnResolve}, which answers within about txn-timeout).
 */
public record TxnOutcome(Status status, String reason) {
  /** Outcome kinds. */
  public enum Status { COMMITTED, ABORTED, UNKNOWN }

  public static TxnOutcome committed() {
    return new TxnOutcome(Status.COMMITTED, "");
  }

  public static TxnOutcome aborted(String reason) {
    return new TxnOutcome(Status.ABORTED, reason);
  }
}
