package io.bulwark.client;

/**
 * A transaction aborted (DESIGN §5): definitely none of its writes happened. {@link #getMessage()}
 * says why — a conflict (which key, which other transaction) or txn-timeout.
 * {@link BulwarkClient#transact} retries these; {@link Transaction#commit()} throws them.
 */
public final class TransactionAbortedException extends BulwarkException {
  private static final long serialVersionUID = 1L;

  private final String reason;

  public TransactionAbortedException(String txnId, String reason) {
    super(ErrorCode.ABORTED, true, "transaction " + txnId + " aborted: " + reason);
    this.reason = reason;
  }

  /** Why it aborted, without the transaction id. */
  public String reason() {
    return reason;
  }
}
