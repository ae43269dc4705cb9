package io.bulwark.cli.workload;

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
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;

/**
 * A bank in one keyspace (DESIGN §5): accounts opened with {@value #INITIAL} each, transfers
 * between two of them and audits of all, each one transaction recorded as a DESIGN §9 {@code txn}
 * operation through a {@link HistoryRecorder}. What {@code bulwark verify --workload bank} and
 * TxnBankIT run; they judge the history with the txn checker and the audits by {@link #total()}.
 *
 * <p>A balance is written as {@code amount@txnId}, so every value is unique and a read names the
 * transaction it saw, as the txn checker requires. A transfer moves at most the balance, so no
 * account goes negative. Outcomes: a commit that aborted or failed definitely is {@code fail}, an
 * unknown outcome {@code info} (the caller then takes a new process); a read that fails before
 * the commit leaves nothing in the history (nothing was invoked) and comes back as {@code fail}.
 * The recorder counts every error and notes acknowledged writes. Thread-safe: clients share one
 * bank.
 */
public final class Bank {
  /** Every account's opening balance. */
  public static final long INITIAL = 100;
  /** A transfer moves between 1 and this much (capped by the balance). */
  public static final int AMOUNT_MAX = 20;

  /**
   * What one transaction came to.
   *
   * @param type ok (committed), fail or info, as recorded
   * @param total the sum of the balances it read (for an audit: the bank's total, if it holds)
   * @param microOps its micro-ops with the values read; empty if a read failed
   */
  public record Outcome(OpType type, long total, List<MicroOp> microOps) {}

  private final BulwarkClient client;
  private final String keyspace;
  private final List<String> accounts;
  private final HistoryRecorder recorder;

  /** A bank of {@code accounts} (two at least) in {@code keyspace}, recorded by {@code recorder}. */
  public Bank(BulwarkClient client, String keyspace, List<String> accounts,
      HistoryRecorder recorder) {
    if (accounts.size() < 2) {
      throw new IllegalArgumentException("a transfer needs two accounts: " + accounts);
    }
    this.client = client;
    this.keyspace = keyspace;
    this.accounts = List.copyOf(accounts);
    this.recorder = recorder;
  }

  /** Account keys {@code acct-0} to {@code acct-<count-1>}. */
  public static List<String> accountKeys(int count) {
    List<String> keys = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      keys.add("acct-" + i);
    }
    return keys;
  }

  public List<String> accounts() {
    return accounts;
  }

  /** What every audit must find: the money the accounts were opened with. */
  public long total() {
    return accounts.size() * INITIAL;
  }

  /** The amount in a balance as stored ({@code amount@txnId}). */
  public static long balance(VersionedValue v) {
    String s = text(v);
    return Long.parseLong(s.substring(0, s.indexOf('@')));
  }

  /** Writes {@value #INITIAL} to every account, whatever it held. */
  public Outcome open(long process) {
    Attempt txn = new Attempt();
    accounts.forEach(k -> txn.write(k, INITIAL));
    return txn.commit(process, accounts);
  }

  /**
   * Reads two distinct accounts drawn from {@code random} and moves an amount from 1 to {@value
   * #AMOUNT_MAX}, also drawn, capped by the first one's balance, from the first to the second.
   */
  public Outcome transfer(SplittableRandom random, long process) {
    int a = random.nextInt(accounts.size());
    int b = (a + 1 + random.nextInt(accounts.size() - 1)) % accounts.size();
    long amount = 1 + random.nextInt(AMOUNT_MAX);
    String from = accounts.get(a);
    String to = accounts.get(b);
    Attempt txn = new Attempt();
    try {
      Optional<VersionedValue> fromBalance = txn.read(from);
      Optional<VersionedValue> toBalance = txn.read(to);
      long moved = Math.min(amount, fromBalance.map(Bank::balance).orElse(0L));
      if (moved > 0 && toBalance.isPresent()) {
        txn.write(from, balance(fromBalance.get()) - moved);
        txn.write(to, balance(toBalance.get()) + moved);
      }
    } catch (BulwarkException e) {
      return notInvoked(e);
    }
    return txn.commit(process, List.of(from, to));
  }

  /** Reads every account in one read-only transaction; the outcome's total is their sum. */
  public Outcome audit(long process) {
    Attempt txn = new Attempt();
    try {
      accounts.forEach(txn::read);
    } catch (BulwarkException e) {
      return notInvoked(e);
    }
    return txn.commit(process, List.of());
  }

  /** A read failed before the commit: the transaction is dropped, nothing was recorded. */
  private Outcome notInvoked(BulwarkException e) {
    recorder.countError(e);
    return new Outcome(OpType.FAIL, 0, List.of());
  }

  /** One transaction being built, with the micro-ops of its invoke and of its completion. */
  private final class Attempt {
    private final Transaction tx = client.begin(keyspace);
    private final List<MicroOp> invoked = new ArrayList<>();
    private final List<MicroOp> completed = new ArrayList<>();
    private long total;

    /**
     * Reads {@code key}'s balance within the transaction.
     *
     * @throws BulwarkException if the read fails
     */
    Optional<VersionedValue> read(String key) {
      Optional<VersionedValue> v = tx.get(bytes(key));
      total += v.map(Bank::balance).orElse(0L);
      invoked.add(MicroOp.read(key, null));
      completed.add(MicroOp.read(key, v.map(Bank::text).orElse(null)));
      return v;
    }

    void write(String key, long balance) {
      MicroOp write = MicroOp.write(key, balance + "@" + tx.txnId());
      tx.put(bytes(key), bytes(write.value()));
      invoked.add(write);
      completed.add(write);
    }

    /** Records the invoke, commits, records the outcome; {@code written} are acked if it commits. */
    Outcome commit(long process, List<String> written) {
      Op invoke = recorder.invoke(process, OpFunction.TXN, null, new OpValue.Txn(invoked));
      OpType type;
      try {
        tx.commit();
        type = OpType.OK;
      } catch (BulwarkException e) {
        // An abort (TransactionAbortedException) is definite and counted as ABORTED.
        recorder.countError(e);
        type = e.definite() ? OpType.FAIL : OpType.INFO;
      }
      Op completion = type == OpType.OK
          ? recorder.complete(invoke, type, new OpValue.Txn(completed))
          : recorder.complete(invoke, type);
      if (type == OpType.OK) {
        written.forEach(k -> recorder.writeAcked(k, completion.timeNanos()));
      }
      return new Outcome(type, total, List.copyOf(completed));
    }
  }

  private static String text(VersionedValue v) {
    return new String(v.value(), StandardCharsets.UTF_8);
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
