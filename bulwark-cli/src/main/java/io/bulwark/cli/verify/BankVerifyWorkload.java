package io.bulwark.cli.verify;

import io.bulwark.check.Model;
import io.bulwark.check.history.HistoryWriter;
import io.bulwark.check.history.OpType;
import io.bulwark.cli.workload.Bank;
import io.bulwark.client.BulwarkClient;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * A {@link Bank} (issue 4 criterion 2, DESIGN §5) of {@value #ACCOUNTS} accounts, spread over the
 * keyspace's shards. Each client transfers a random amount between two random accounts, and one
 * operation in ten is an audit: a read-only transaction of every account. The history is judged
 * by the serializability checker; on top, every committed audit and the final audit must find the
 * bank's total ({@link #invariantViolations}).
 */
final class BankVerifyWorkload extends VerifyWorkload {
  static final int ACCOUNTS = 10;
  static final int AUDIT_PERCENT = 10;

  private final Bank bank;
  private final long seed;
  private final List<String> violations = new CopyOnWriteArrayList<>();

  BankVerifyWorkload(BulwarkClient client, String keyspace, int clients, int opsPerSecond,
      HistoryWriter history, long seed) {
    super(history, "verify-bank-", clients, opsPerSecond);
    this.bank = new Bank(client, keyspace, Bank.accountKeys(ACCOUNTS), recorder);
    this.seed = seed;
  }

  @Override
  String name() {
    return "bank";
  }

  @Override
  Model model() {
    return Model.TXN;
  }

  @Override
  List<String> keys() {
    return bank.accounts();
  }

  /** Opens the accounts (one transaction, retried until it commits), then starts the clients. */
  @Override
  void start() throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (bank.open(recorder.newProcess()).type() != OpType.OK) {
      if (System.nanoTime() - deadline > 0) {
        throw new IllegalStateException("the bank's accounts could not be opened in 120 s: "
            + errors());
      }
      Thread.sleep(200);
    }
    clients.start(c -> new Client(new SplittableRandom(seed * 1_000_003L + c)));
  }

  /** One client: transfers, and audits {@value #AUDIT_PERCENT} % of the time. */
  private final class Client implements Runnable {
    private final SplittableRandom random;
    private long process = recorder.newProcess();

    Client(SplittableRandom random) {
      this.random = random;
    }

    /** One transaction. */
    @Override
    public void run() {
      OpType outcome = random.nextInt(100) < AUDIT_PERCENT ? audit(process)
          : bank.transfer(random, process).type();
      if (outcome == OpType.INFO) {
        process = recorder.newProcess(); // After info a process never invokes again.
      }
    }
  }

  /** An audit; one that commits with the wrong total is a violation. */
  private OpType audit(long process) {
    Bank.Outcome audit = bank.audit(process);
    if (audit.type() == OpType.OK && audit.total() != bank.total()) {
      violations.add("an audit transaction (process " + process + ") committed with a total of "
          + audit.total() + ", not " + bank.total() + ": " + audit.microOps());
    }
    return audit.type();
  }

  /** A final audit, retried until it commits or the deadline passes. */
  @Override
  List<String> finalReads(Duration deadline) throws InterruptedException {
    long end = System.nanoTime() + deadline.toNanos();
    while (System.nanoTime() - end < 0) {
      if (audit(recorder.newProcess()) == OpType.OK) {
        return List.of();
      }
      Thread.sleep(200);
    }
    return bank.accounts();
  }

  @Override
  List<String> invariantViolations() {
    return List.copyOf(violations);
  }
}
