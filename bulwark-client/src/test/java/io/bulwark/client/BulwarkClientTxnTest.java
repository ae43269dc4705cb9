package io.bulwark.client;

import static io.bulwark.client.Fixtures.b;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bulwark.proto.v1.CommitTxnReply;
import io.bulwark.proto.v1.CommitTxnRequest;
import io.bulwark.proto.v1.TxnOutcomeMsg;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Goal: the transaction API sends what api.proto asks and handles each outcome as
 * docs/transactions.md says: reads record versions and writes are buffered into one CommitTxn at
 * the record shard's primary; transact reruns aborted transactions and gives up after its bound,
 * naming the last reason; an UNKNOWN two-shard commit is resolved at the record shard (never sent
 * again), an UNKNOWN one-shard commit is sent again under the same id. Method: a
 * {@link FakeCluster} with scripted CommitTxn and ResolveTxn answers.
 */
class BulwarkClientTxnTest {
  private final FakeCluster cluster = new FakeCluster("n1", "n2");

  @AfterEach
  void tearDown() {
    cluster.close();
  }

  private static CommitTxnReply reply(TxnOutcomeMsg o, String reason) {
    return CommitTxnReply.newBuilder().setOutcome(o).setReason(reason).build();
  }

  @Test
  void commit_sendsReadVersionsAndBufferedWrites_toTheRecordShard() {
    cluster.addKeyspace("ks", 4, "n1");
    try (BulwarkClient client = cluster.client(Fixtures.fast(), "n2")) {
      long version = client.put("ks", b("a"), b("1")).version();
      Transaction tx = client.begin("ks");
      assertEquals(version, tx.get(b("a")).orElseThrow().version());
      tx.put(b("b"), b("2"));
      tx.delete(b("c"));
      assertEquals("2", new String(tx.get(b("b")).orElseThrow().value()), "reads its own write");
      tx.commit();
      CommitTxnRequest sent = (CommitTxnRequest) cluster.received("CommitTxn").get(0).request();
      assertEquals(tx.txnId(), sent.getTxnId());
      assertEquals(version, sent.getReads(0).getVersion());
      assertEquals(2, sent.getWritesCount());
      assertTrue(!sent.getWrites(1).hasValue(), "a delete carries no value");
      assertThrows(IllegalStateException.class, () -> tx.put(b("x"), b("y")));
    }
  }

  @Test
  void transact_rerunsAbortedTransactions_andGivesUpAfterItsBound() {
    cluster.addKeyspace("ks", 1, "n1");
    try (BulwarkClient client = cluster.client(Fixtures.fast(), "n1")) {
      cluster.commitReplies.add(reply(TxnOutcomeMsg.OUTCOME_ABORTED, "conflict one"));
      cluster.commitReplies.add(reply(TxnOutcomeMsg.OUTCOME_ABORTED, "conflict two"));
      AtomicInteger runs = new AtomicInteger();
      String out = client.transact("ks", 5, tx -> {
        runs.incrementAndGet();
        tx.put(b("k"), b("v"));
        return "done";
      });
      assertEquals("done", out);
      assertEquals(3, runs.get());

      for (int i = 0; i < 3; i++) {
        cluster.commitReplies.add(reply(TxnOutcomeMsg.OUTCOME_ABORTED, "conflict " + i));
      }
      TransactionAbortedException e = assertThrows(TransactionAbortedException.class,
          () -> client.transact("ks", 3, tx -> {
            tx.put(b("k"), b("v"));
            return null;
          }));
      assertTrue(e.getMessage().contains("3 aborted attempts") && e.getMessage()
          .contains("conflict 2"), e.getMessage());
      assertTrue(e.definite());
    }
  }

  @Test
  void unknownOutcome_twoShards_asksTheRecord_oneShard_commitsAgain() {
    cluster.addKeyspace("ks", 16, "n1");
    try (BulwarkClient client = cluster.client(Fixtures.fast(), "n1")) {
      String k1 = "k0";
      String k2 = null;
      int s1 = client.locate("ks", b(k1)).shard();
      for (int i = 1; k2 == null; i++) {
        if (client.locate("ks", b("k" + i)).shard() != s1) {
          k2 = "k" + i;
        }
      }
      cluster.commitReplies.add(reply(TxnOutcomeMsg.OUTCOME_UNKNOWN, "gave up"));
      cluster.resolveOutcome = TxnOutcomeMsg.OUTCOME_ABORTED;
      Transaction two = client.begin("ks");
      two.put(b(k1), b("1"));
      two.put(b(k2), b("2"));
      assertThrows(TransactionAbortedException.class, two::commit);
      assertEquals(1, cluster.received("CommitTxn").size(), "a two-shard commit is sent once");
      assertEquals(1, cluster.received("ResolveTxn").size());

      cluster.commitReplies.add(reply(TxnOutcomeMsg.OUTCOME_UNKNOWN, "gave up"));
      Transaction one = client.begin("ks");
      one.put(b(k1), b("3"));
      one.commit();
      assertEquals(3, cluster.received("CommitTxn").size(), "a one-shard commit is sent again");
      assertEquals(1, cluster.received("ResolveTxn").size());
    }
  }
}
