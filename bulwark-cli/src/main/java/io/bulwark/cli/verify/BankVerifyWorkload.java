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
import io.bulwark.client.TransactionAbortedException;
import io.bulwark.client.VersionedValue;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

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
final class BankVerifyWorkload implements VerifyWorkload {
  static final int ACCOUNTS = 10;
  static final long INITIAL = 100;
  static final int AUDIT_PERCENT = 10;
  /** Transfer at most this much; at most the balance, so no account goes negative. */
  static final int AMOUNT_MAX = 20;

  private final BulwarkClient client;
  private final String keyspace;
  private final int clients;
  private final long opIntervalNanos;
  private final HistoryWriter history;
  private final long seed;
  private final List<String> accounts = new ArrayList<>();
  private final AtomicLong processes = new AtomicLong();
  private final Map<String, AtomicLong> errors = new ConcurrentHashMap<>();
  private final Map<String, AtomicLong> lastWriteAck = new ConcurrentHashMap<>();
  private final List<String> violations = new CopyOnWriteArrayList<>();
  private final List<Thread> threads = new ArrayList<>();
  private volatile boolean running = true;

  BankVerifyWorkload(BulwarkClient client, String keyspace, int clients, int opsPerSecond,
      HistoryWriter history, long seed) {
    this.client = client;
    this.keyspace = keyspace;
    this.clients = clients;
    this.opIntervalNanos = TimeUnit.SECONDS.toNanos(1) * clients / opsPerSecond;
    this.history = history;
    this.seed = seed;
    for (int i = 0; i < ACCOUNTS; i++) {
      accounts.add("acct-" + i);
    }
  }

  @Override
  public String name() {
    return "bank";
  }

  @Override
  public Model model() {
    return Model.TXN;
  }

  @Override
  public List<String> keys() {
    return List.copyOf(accounts);
  }

  /** Opens the accounts (one transaction, retried until it commits), then starts the clients. */
  @Override
  public void start() {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (run(Kind.OPEN, accounts, 0, processes.getAndIncrement()) != OpType.OK) {
      if (System.nanoTime() - deadline > 0) {
        throw new IllegalStateException("the bank's accounts could not be opened in 120 s: "
            + errors());
      }
      sleepNanos(TimeUnit.MILLISECONDS.toNanos(200));
    }
    for (int c = 0; c < clients; c++) {
      SplittableRandom random = new SplittableRandom(seed * 1_000_003L + c);
      threads.add(new Thread(() -> clientLoop(random), "verify-bank-" + c));
    }
    threads.forEach(Thread::start);
  }

  private void clientLoop(SplittableRandom random) {
    long process = processes.getAndIncrement();
    long next = System.nanoTime();
    while (running) {
      OpType outcome;
      if (random.nextInt(100) < AUDIT_PERCENT) {
        outcome = run(Kind.AUDIT, accounts, 0, process);
      } else {
        int a = random.nextInt(ACCOUNTS);
        int b = (a + 1 + random.nextInt(ACCOUNTS - 1)) % ACCOUNTS;
        outcome = run(Kind.TRANSFER, List.of(accounts.get(a), accounts.get(b)),
            1 + random.nextInt(AMOUNT_MAX), process);
      }
      if (outcome == OpType.INFO) {
        process = processes.getAndIncrement(); // After info a process never invokes again.
      }
      next += opIntervalNanos;
      long wait = next - System.nanoTime();
      if (wait > 0) {
        sleepNanos(wait);
      } else {
        next = System.nanoTime();
      }
    }
  }

  private enum Kind { OPEN, TRANSFER, AUDIT }

  /**
   * One transaction, recorded. OPEN writes {@value #INITIAL} to every account; TRANSFER reads
   * two balances and moves {@code amount} (capped by the balance) from the first to the second;
   * AUDIT reads every account and, when it commits, checks the total. Returns the recorded
   * outcome, or null if a read failed before anything was invoked (nothing is recorded then).
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
      countError(e.code().name());
      return OpType.FAIL; // A read failed: nothing was invoked, nothing recorded.
    }
    Op inv = new Op(process, OpType.INVOKE, OpFunction.TXN, null, new OpValue.Txn(invoke),
        System.nanoTime());
    record(inv);
    OpType outcome;
    try {
      tx.commit();
      outcome = OpType.OK;
    } catch (TransactionAbortedException e) {
      countError("ABORTED");
      outcome = OpType.FAIL;
    } catch (BulwarkException e) {
      countError(e.code().name());
      outcome = e.definite() ? OpType.FAIL : OpType.INFO;
    }
    long now = System.nanoTime();
    record(outcome == OpType.OK ? inv.complete(OpType.OK, new OpValue.Txn(done), now)
        : inv.complete(outcome, now));
    if (outcome == OpType.OK && kind != Kind.AUDIT) {
      keys.forEach(k -> lastWriteAck.computeIfAbsent(k, x -> new AtomicLong()).set(now));
    }
    if (outcome == OpType.OK && kind == Kind.AUDIT && sum != ACCOUNTS * INITIAL) {
      violations.add("an audit transaction (process " + process + ") committed with a total of "
          + sum + ", not " + ACCOUNTS * INITIAL + ": " + done);
    }
    return outcome;
  }

  @Override
  public void stop() throws InterruptedException {
    running = false;
    for (Thread t : threads) {
      t.join();
    }
  }

  /** A final audit, retried until it commits or the deadline passes. */
  @Override
  public List<String> finalReads(Duration deadline) throws InterruptedException {
    long end = System.nanoTime() + deadline.toNanos();
    while (System.nanoTime() - end < 0) {
      if (run(Kind.AUDIT, accounts, 0, processes.getAndIncrement()) == OpType.OK) {
        return List.of();
      }
      Thread.sleep(200);
    }
    return List.copyOf(accounts);
  }

  @Override
  public List<String> invariantViolations() {
    return List.copyOf(violations);
  }

  @Override
  public long lastWriteAckNanos(String key) {
    AtomicLong t = lastWriteAck.get(key);
    return t == null ? Long.MIN_VALUE : t.get();
  }

  @Override
  public Map<String, Long> errors() {
    Map<String, Long> out = new TreeMap<>();
    errors.forEach((code, n) -> out.put(code, n.get()));
    return out;
  }

  private void countError(String code) {
    errors.computeIfAbsent(code, c -> new AtomicLong()).incrementAndGet();
  }

  private void record(Op op) {
    try {
      history.append(op);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void sleepNanos(long nanos) {
    try {
      TimeUnit.NANOSECONDS.sleep(nanos);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      running = false;
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
