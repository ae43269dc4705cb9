/**
 * Cross-shard transactions (DESIGN §5, docs/transactions.md): the {@link
 * io.bulwark.core.txn.TxnCoordinator}, a pure state machine a node hosts for the transactions
 * clients ask it to commit and for the recovery of stale intents. The participant and record
 * rules live in the apply path of {@link io.bulwark.core.pb.ShardStateMachine} (they must be
 * deterministic on every replica); the record primary's timeout lives in {@link
 * io.bulwark.core.pb.ShardReplica} ({@link io.bulwark.core.pb.Input.TxnResolve}).
 */
package io.bulwark.core.txn;
