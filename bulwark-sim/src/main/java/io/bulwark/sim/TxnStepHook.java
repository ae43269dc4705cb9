package io.bulwark.sim;

import io.bulwark.core.pb.ClientReply;
import io.bulwark.core.pb.Command;
import io.bulwark.core.txn.TxnEffect;

/**
 * Where the nemesis may kill a node at a chosen step of the transaction protocol (DESIGN §5):
 * the coordinator's node as it is about to send a call, or the node serving a call (a
 * participant's or the record shard's primary) as it is about to send the answer. Each method
 * returns true if it killed the node: the caller then does nothing more.
 */
interface TxnStepHook {
  TxnStepHook NONE = new TxnStepHook() {
    @Override
    public boolean beforeCall(SimNode coordinator, TxnEffect.Call call, int prepareNumber) {
      return false;
    }

    @Override
    public boolean beforeCallReply(SimNode server, Command command, ClientReply reply) {
      return false;
    }
  };

  /**
   * The coordinator on {@code coordinator} is about to send {@code call}; for a prepare,
   * {@code prepareNumber} counts the prepares of this batch so far (1 for the first).
   */
  boolean beforeCall(SimNode coordinator, TxnEffect.Call call, int prepareNumber);

  /** {@code server} is about to answer a coordinator's {@code command} (null: a resolve). */
  boolean beforeCallReply(SimNode server, Command command, ClientReply reply);
}
