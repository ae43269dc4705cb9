package io.bulwark.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bulwark.check.CheckResult;
import io.bulwark.check.TxnChecker;
import io.bulwark.check.Verdict;
import io.bulwark.check.history.HistoryWriter;
import io.bulwark.check.history.MicroOp;
import io.bulwark.check.history.Op;
import io.bulwark.check.history.OpFunction;
import io.bulwark.check.history.OpType;
import io.bulwark.check.history.OpValue;
import io.bulwark.cli.workload.HistoryFiles;
import io.bulwark.client.BulwarkClient;
import io.bulwark.client.BulwarkException;
import io.bulwark.client.ClientOptions;
import io.bulwark.client.Transaction;
import io.bulwark.client.TransactionAbortedException;
import io.bulwark.client.VersionedValue;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 5, criterion 3: a bank conserves its total under kill -9 of a node.
 *
 * <p>Method: a real 3-node cluster and a keyspace {@code bank} of 8 shards with {@value
 * #ACCOUNTS} accounts covering every shard, {@value #INITIAL} each. {@value #THREADS} client
 * threads transfer random amounts between random accounts, each transfer one transaction (read
 * both balances, write both), for {@link #RUN}; meanwhile one node is killed with SIGKILL and
 * later revived. Every attempt is recorded in a DESIGN §9 txn history (an abort is {@code fail};
 * an unknown outcome {@code info}, and that process never invokes again). A balance is stored as
 * {@code "<amount>@<txn id>"}, so every written value is unique, as the txn checker requires.
 *
 * <p>Judged by: the sum of all balances, read in one transaction and again key by key after every
 * intent resolved, equals the initial total; {@link TxnChecker} finds the history serializable
 * (no cycle, no read of an aborted or partial write); and most transfers committed.
 */
class TxnBankIT {
  static final int ACCOUNTS = 10;
  static final int SHARDS = 8;
  static final int INITIAL = 100;
  static final int THREADS = 4;
  static final Duration RUN = Duration.ofSeconds(30);

  private final AtomicInteger nextProcess = new AtomicInteger();
  private final AtomicLong committed = new AtomicLong();
  private final AtomicLong aborted = new AtomicLong();
  private final AtomicLong unknown = new AtomicLong();

  @Test
  void transfersUnderKillNine_totalConserved_historySerializable(@TempDir Path tmp)
      throws Exception {
    Path historyFile = tmp.resolve("bank-history.jsonl");
    try (LocalCluster cluster = LocalCluster.start(3, tmp.resolve("cluster"),
            List.of(LocalCluster.LOADED_LEASE, LocalCluster.LOADED_GRACE));
        BulwarkClient client = BulwarkClient.connect(List.of(cluster.endpoints().split(",")),
            ClientOptions.defaults());
        HistoryWriter history = HistoryFiles.open(historyFile)) {
      LocalCluster.await("keyspace bank is created", Duration.ofSeconds(60), () -> {
        client.createKeyspace("bank", 3, SHARDS, 2, "all");
        return true;
      });
      List<String> accounts = new ArrayList<>();
      LocalCluster.await("bank's shards are placed", Duration.ofSeconds(60), () -> {
        accounts.clear();
        accounts.addAll(accounts(client));
        return true;
      });
      LocalCluster.await("the accounts are opened", Duration.ofSeconds(60), () -> {
        record(history, client, accounts, Kind.OPEN, 0, nextProcess.getAndIncrement());
        return committed.get() == 1;
      });

      long end = System.nanoTime() + RUN.toNanos();
      List<Thread> workers = new ArrayList<>();
      for (int t = 0; t < THREADS; t++) {
        SplittableRandom random = new SplittableRandom(t);
        Thread th = new Thread(() -> transfer(history, client, accounts, random, end), "bank-" + t);
        workers.add(th);
        th.start();
      }
      String victim = "n" + (1 + new SplittableRandom().nextInt(3));
      Thread.sleep(RUN.toMillis() / 4);
      cluster.kill(victim);
      Thread.sleep(RUN.toMillis() / 4);
      cluster.revive(victim);
      for (Thread th : workers) {
        th.join(RUN.toMillis() + 120_000);
      }

      LocalCluster.await("no prepared transaction left", Duration.ofSeconds(60),
          () -> noneInDoubt(cluster));
      long total = 0;
      for (String a : accounts) {
        Optional<VersionedValue> v = client.get("bank", bytes(a));
        assertTrue(v.isPresent(), "account " + a + " vanished");
        total += balance(v.get());
      }
      long before = committed.get();
      LocalCluster.await("a read-only audit transaction commits", Duration.ofSeconds(60), () -> {
        record(history, client, accounts, Kind.AUDIT, 0, nextProcess.getAndIncrement());
        return committed.get() > before;
      });
      assertEquals((long) ACCOUNTS * INITIAL, auditTotal.get(), "the audit transaction's total");
      history.close();
      CheckResult check = new TxnChecker().check(HistoryFiles.read(historyFile),
          Duration.ofSeconds(60), System::nanoTime);
      System.out.printf("bank: %d committed, %d aborted, %d unknown; killed %s; total %d; "
          + "checker %s %s%n", committed.get(), aborted.get(), unknown.get(), victim, total,
          check.verdict(), check.anomaly());
      assertEquals((long) ACCOUNTS * INITIAL, total, "money was created or lost");
      assertEquals(Verdict.VALID, check.verdict(), check.anomaly());
      assertTrue(committed.get() >= 20, "too few transfers committed: " + committed.get());
    }
  }

  /** Account keys covering every shard of {@code bank}, {@value #ACCOUNTS} in all. */
  private static List<String> accounts(BulwarkClient client) {
    List<String> keys = new ArrayList<>();
    Set<Integer> shards = new HashSet<>();
    for (int i = 0; keys.size() < ACCOUNTS && i < 10_000; i++) {
      String k = "acct-" + i;
      int shard = client.locate("bank", bytes(k)).shard();
      if (shards.add(shard) || shards.size() == SHARDS) {
        keys.add(k);
      }
    }
    assertEquals(SHARDS, shards.size(), "accounts do not cover every shard");
    return keys;
  }

  private void transfer(HistoryWriter history, BulwarkClient client, List<String> accounts,
      SplittableRandom random, long end) {
    int process = nextProcess.getAndIncrement();
    while (System.nanoTime() < end) {
      int a = random.nextInt(accounts.size());
      int b = (a + 1 + random.nextInt(accounts.size() - 1)) % accounts.size();
      List<String> pair = List.of(accounts.get(a), accounts.get(b));
      if (!record(history, client, pair, Kind.TRANSFER, 1 + random.nextInt(20), process)) {
        process = nextProcess.getAndIncrement(); // after info, a process never invokes again
      }
    }
  }

  /** What a recorded transaction does. */
  private enum Kind { OPEN, TRANSFER, AUDIT }

  private final AtomicLong auditTotal = new AtomicLong();

  /**
   * One transaction, recorded: OPEN writes {@value #INITIAL} to every key; TRANSFER reads two
   * balances and moves {@code amount} from the first to the second (capped by the balance);
   * AUDIT reads every key and, if it commits, sets {@link #auditTotal}. Returns false if the
   * outcome is unknown.
   */
  private boolean record(HistoryWriter history, BulwarkClient client, List<String> keys,
      Kind kind, int amount, int process) {
    Transaction tx = client.begin("bank");
    List<MicroOp> invoke = new ArrayList<>();
    List<MicroOp> done = new ArrayList<>();
    long sum = 0;
    try {
      if (kind == Kind.AUDIT) {
        for (String k : keys) {
          Optional<VersionedValue> v = tx.get(bytes(k));
          sum += v.map(TxnBankIT::balance).orElse(0L);
          invoke.add(MicroOp.read(k, null));
          done.add(MicroOp.read(k, v.map(TxnBankIT::text).orElse(null)));
        }
      } else if (kind == Kind.OPEN) {
        for (String k : keys) {
          String v = INITIAL + "@" + tx.txnId();
          tx.put(bytes(k), bytes(v));
          invoke.add(MicroOp.write(k, v));
        }
        done.addAll(invoke);
      } else {
        Optional<VersionedValue> from = tx.get(bytes(keys.get(0)));
        Optional<VersionedValue> to = tx.get(bytes(keys.get(1)));
        long moved = Math.min(amount, from.map(TxnBankIT::balance).orElse(0L));
        invoke.add(MicroOp.read(keys.get(0), null));
        invoke.add(MicroOp.read(keys.get(1), null));
        done.add(MicroOp.read(keys.get(0), from.map(TxnBankIT::text).orElse(null)));
        done.add(MicroOp.read(keys.get(1), to.map(TxnBankIT::text).orElse(null)));
        if (moved > 0 && from.isPresent() && to.isPresent()) {
          String fromV = (balance(from.get()) - moved) + "@" + tx.txnId();
          String toV = (balance(to.get()) + moved) + "@" + tx.txnId();
          tx.put(bytes(keys.get(0)), bytes(fromV));
          tx.put(bytes(keys.get(1)), bytes(toV));
          for (MicroOp w : List.of(MicroOp.write(keys.get(0), fromV),
              MicroOp.write(keys.get(1), toV))) {
            invoke.add(w);
            done.add(w);
          }
        }
      }
    } catch (BulwarkException e) {
      return true; // A read failed: nothing was invoked.
    }
    Op inv = new Op(process, OpType.INVOKE, OpFunction.TXN, null, new OpValue.Txn(invoke),
        System.nanoTime());
    append(history, inv);
    try {
      tx.commit();
      committed.incrementAndGet();
      if (kind == Kind.AUDIT) {
        auditTotal.set(sum);
      }
      append(history, inv.complete(OpType.OK, new OpValue.Txn(done), System.nanoTime()));
      return true;
    } catch (TransactionAbortedException e) {
      aborted.incrementAndGet();
      append(history, inv.complete(OpType.FAIL, System.nanoTime()));
      return true;
    } catch (BulwarkException e) {
      boolean definite = e.definite();
      (definite ? aborted : unknown).incrementAndGet();
      append(history, inv.complete(definite ? OpType.FAIL : OpType.INFO, System.nanoTime()));
      return definite;
    }
  }

  private static boolean noneInDoubt(LocalCluster cluster) {
    try {
      return cluster.metricSum("bulwark_txn_in_doubt") == 0;
    } catch (IOException e) {
      return false;
    }
  }

  private static void append(HistoryWriter history, Op op) {
    try {
      history.append(op);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static String text(VersionedValue v) {
    return new String(v.value(), StandardCharsets.UTF_8);
  }

  private static long balance(VersionedValue v) {
    String s = text(v);
    return Long.parseLong(s.substring(0, s.indexOf('@')));
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
