/**
 * The transaction check behind {@link io.bulwark.check.TxnChecker}, in the manner of Elle's
 * rw-register analysis: per-read checks, inferred version orders, the dependency graph over
 * committed txns and its cycles. Entry point {@link io.bulwark.check.internals.txn.TxnAnalyzer}.
 * Not API.
 */
package io.bulwark.check.internals.txn;
