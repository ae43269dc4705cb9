package io.bulwark.cli.verify;

import io.bulwark.check.Model;
import io.bulwark.check.history.HistoryWriter;
import io.bulwark.check.history.MicroOp;
import io.bulwark.check.history.Op;
import io.bulwark.check.history.OpFunction;
import io.bulwark.check.history.OpType;
import io.bulwark.check.history.OpValue;
import io.bulwark.client.BulwarkClient;
import io.bulwark.client.BulwarkException;
import io.bulwark.client.Transaction;
import io.bulwark.client.VersionedValue;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * A bank (issue 4 criterion 2, DESIGN §5): {@value #ACCOUNTS} accounts of {@value #INITIAL}
 * each, spread over the keyspace's shards. Each client transfers a random amount between two
 * random accounts, one transaction per transfer (read both balances, write both), and one
 * operation in ten is an audit: a read-only transaction of every account. Every transaction is
 * recorded as a DESIGN §9 {@code txn} operation and the history is judged by the serializability
 * checker; on top, every committed audit and the final audit must find the total of
 * {@code ACCOUNTS × INITIAL} ({@link #invariantViolations}). A balance is written as
 * {@code amount@txnId}, so every value is unique and a read names the transaction it saw.
 */
final class BankVerifyWorkload extends VerifyWorkload {
  static final int ACCOUNTS = 10;
  static final long INITIAL = 100;
  static final int AUDIT_PERCENT = 10;
  /** Transfer at most this much; at most the balance, so no account goes negative. */
  static final int AMOUNT_MAX = 20;

  private final BulwarkClient client;
  private final String keyspace;
  private final long seed;
  private final List<String> accounts = new ArrayList<>();
  private final List<String> violations = new CopyOnWriteArrayList<>();

  BankVerifyWorkload(BulwarkClient client, String keyspace, int clients, int opsPerSecond,
      HistoryWriter history, long seed) {
    super(history, "verify-bank-", clients, opsPerSecond);
    this.client = client;
    this.keyspace = keyspace;
    this.seed = seed;
    for (int i = 0; i < ACCOUNTS; i++) {
      accounts.add("acct-" + i);
    }
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
    return List.copyOf(accounts);
  }

  /** Opens the accounts (one transaction, retried until it commits), then starts the clients. */
  @Override
  void start() throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (run(Kind.OPEN, accounts, 0, recorder.newProcess()) != OpType.OK) {
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
      OpType outcome;
      if (random.nextInt(100) < AUDIT_PERCENT) {
        outcome = BankVerifyWorkload.this.run(Kind.AUDIT, accounts, 0, process);
      } else {
        int a = random.nextInt(ACCOUNTS);
        int b = (a + 1 + random.nextInt(ACCOUNTS - 1)) % ACCOUNTS;
        outcome = BankVerifyWorkload.this.run(Kind.TRANSFER,
            List.of(accounts.get(a), accounts.get(b)), 1 + random.nextInt(AMOUNT_MAX), process);
      }
      if (outcome == OpType.INFO) {
        process = recorder.newProcess(); // After info a process never invokes again.
      }
    }
  }

  private enum Kind { OPEN, TRANSFER, AUDIT }

  /**
   * One transaction, recorded. OPEN writes {@value #INITIAL} to every account; TRANSFER reads
   * two balances and moves {@code amount} (capped by the balance) from the first to the second;
   * AUDIT reads every account and, when it commits, checks the total. Returns the recorded
   * outcome, or FAIL if a read failed before anything was invoked (nothing is recorded then).
   */
  private OpType run(Kind kind, List<String> keys, long amount, long process) {
    Transaction tx = client.begin(keyspace);
    List<MicroOp> invoke = new ArrayList<>();
    List<MicroOp> done = new ArrayList<>();
    long sum = 0;
    try {
      if (kind == Kind.OPEN) {
        for (String k : keys) {
          String v = INITIAL + "@" + tx.txnId();
          tx.put(bytes(k), bytes(v));
          invoke.add(MicroOp.write(k, v));
        }
        done.addAll(invoke);
      } else {
        List<Optional<VersionedValue>> read = new ArrayList<>();
        for (String k : keys) {
          Optional<VersionedValue> v = tx.get(bytes(k));
          read.add(v);
          sum += v.map(BankVerifyWorkload::balance).orElse(0L);
          invoke.add(MicroOp.read(k, null));
          done.add(MicroOp.read(k, v.map(BankVerifyWorkload::text).orElse(null)));
        }
        if (kind == Kind.TRANSFER && read.get(0).isPresent() && read.get(1).isPresent()) {
          long moved = Math.min(amount, balance(read.get(0).get()));
          if (moved > 0) {
            String from = (balance(read.get(0).get()) - moved) + "@" + tx.txnId();
            String to = (balance(read.get(1).get()) + moved) + "@" + tx.txnId();
            tx.put(bytes(keys.get(0)), bytes(from));
            tx.put(bytes(keys.get(1)), bytes(to));
            for (MicroOp w : List.of(MicroOp.write(keys.get(0), from),
                MicroOp.write(keys.get(1), to))) {
              invoke.add(w);
              done.add(w);
            }
          }
        }
      }
    } catch (BulwarkException e) {
      recorder.countError(e);
      return OpType.FAIL; // A read failed: nothing was invoked, nothing recorded.
    }
    Op inv = recorder.invoke(process, OpFunction.TXN, null, new OpValue.Txn(invoke));
    OpType outcome;
    try {
      tx.commit();
      outcome = OpType.OK;
    } catch (BulwarkException e) {
      // An abort (TransactionAbortedException) is definite and counts as ABORTED.
      recorder.countError(e);
      outcome = e.definite() ? OpType.FAIL : OpType.INFO;
    }
    Op completion = outcome == OpType.OK
        ? recorder.complete(inv, OpType.OK, new OpValue.Txn(done))
        : recorder.complete(inv, outcome);
    if (outcome == OpType.OK && kind != Kind.AUDIT) {
      keys.forEach(k -> recorder.writeAcked(k, completion.timeNanos()));
    }
    if (outcome == OpType.OK && kind == Kind.AUDIT && sum != ACCOUNTS * INITIAL) {
      violations.add("an audit transaction (process " + process + ") committed with a total of "
          + sum + ", not " + ACCOUNTS * INITIAL + ": " + done);
    }
    return outcome;
  }

  /** A final audit, retried until it commits or the deadline passes. */
  @Override
  List<String> finalReads(Duration deadline) throws InterruptedException {
    long end = System.nanoTime() + deadline.toNanos();
    while (System.nanoTime() - end < 0) {
      if (run(Kind.AUDIT, accounts, 0, recorder.newProcess()) == OpType.OK) {
        return List.of();
      }
      Thread.sleep(200);
    }
    return List.copyOf(accounts);
  }

  @Override
  List<String> invariantViolations() {
    return List.copyOf(violations);
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
