package io.bulwark.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bulwark.check.CheckResult;
import io.bulwark.check.TxnChecker;
import io.bulwark.check.Verdict;
import io.bulwark.check.history.HistoryWriter;
import io.bulwark.check.history.OpType;
import io.bulwark.cli.workload.Bank;
import io.bulwark.cli.workload.HistoryFiles;
import io.bulwark.cli.workload.HistoryRecorder;
import io.bulwark.client.BulwarkClient;
import io.bulwark.client.ClientOptions;
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
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 5, criterion 3: a bank conserves its total under kill -9 of a node.
 *
 * <p>Method: a real 3-node cluster and a keyspace {@code bank} of 8 shards with {@value
 * #ACCOUNTS} accounts covering every shard, {@link Bank#INITIAL} each. {@value #THREADS} client
 * threads run {@link Bank} transfers of random amounts between random accounts, each transfer
 * one transaction (read both balances, write both), for {@link #RUN}; meanwhile one node is
 * killed with SIGKILL and later revived. Every attempt is recorded in a DESIGN §9 txn history (an
 * abort is {@code fail}; an unknown outcome {@code info}, and that process never invokes again).
 *
 * <p>Judged by: the sum of all balances, read in one transaction and again key by key after every
 * intent resolved, equals the initial total; {@link TxnChecker} finds the history serializable
 * (no cycle, no read of an aborted or partial write); and most transfers committed.
 */
class TxnBankIT {
  static final int ACCOUNTS = 10;
  static final int SHARDS = 8;
  static final int THREADS = 4;
  static final Duration RUN = Duration.ofSeconds(30);

  private final AtomicLong committed = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
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
      LocalCluster.createKeyspace(client, "bank", 3, SHARDS, 2, "all");
      List<String> accounts = new ArrayList<>();
      LocalCluster.await("bank's shards are placed", Duration.ofSeconds(60), () -> {
        accounts.clear();
        accounts.addAll(accounts(client));
        return true;
      });
      HistoryRecorder recorder = new HistoryRecorder(history);
      Bank bank = new Bank(client, "bank", accounts, recorder);
      LocalCluster.await("the accounts are opened", Duration.ofSeconds(60),
          () -> count(bank.open(recorder.newProcess())) == OpType.OK);

      long end = System.nanoTime() + RUN.toNanos();
      List<Thread> workers = new ArrayList<>();
      for (int t = 0; t < THREADS; t++) {
        SplittableRandom random = new SplittableRandom(t);
        Thread th = new Thread(() -> transfer(bank, recorder, random, end), "bank-" + t);
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
        total += Bank.balance(v.get());
      }
      AtomicLong auditTotal = new AtomicLong();
      LocalCluster.await("a read-only audit transaction commits", Duration.ofSeconds(60), () -> {
        Bank.Outcome audit = bank.audit(recorder.newProcess());
        auditTotal.set(audit.total());
        return count(audit) == OpType.OK;
      });
      assertEquals(bank.total(), auditTotal.get(), "the audit transaction's total");
      history.close();
      CheckResult check = new TxnChecker().check(HistoryFiles.read(historyFile),
          Duration.ofSeconds(60), System::nanoTime);
      System.out.printf("bank: %d committed, %d failed (aborted or a read refused), %d unknown; "
          + "killed %s; total %d; checker %s %s%n", committed.get(), failed.get(), unknown.get(),
          victim, total, check.verdict(), check.anomaly());
      assertEquals(bank.total(), total, "money was created or lost");
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

  private void transfer(Bank bank, HistoryRecorder recorder, SplittableRandom random, long end) {
    long process = recorder.newProcess();
    while (System.nanoTime() < end) {
      if (count(bank.transfer(random, process)) == OpType.INFO) {
        process = recorder.newProcess(); // after info, a process never invokes again
      }
    }
  }

  /** Counts a transaction's outcome and returns it. */
  private OpType count(Bank.Outcome outcome) {
    switch (outcome.type()) {
      case OK:
        committed.incrementAndGet();
        break;
      case FAIL:
        failed.incrementAndGet();
        break;
      default:
        unknown.incrementAndGet();
    }
    return outcome.type();
  }

  private static boolean noneInDoubt(LocalCluster cluster) {
    try {
      return cluster.metricSum("bulwark_txn_in_doubt") == 0;
    } catch (IOException e) {
      return false;
    }
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
