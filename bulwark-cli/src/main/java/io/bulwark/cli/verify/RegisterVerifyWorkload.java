package io.bulwark.cli.verify;

import io.bulwark.check.Model;
import io.bulwark.check.history.HistoryWriter;
import io.bulwark.check.history.Op;
import io.bulwark.check.history.OpFunction;
import io.bulwark.check.history.OpType;
import io.bulwark.check.history.OpValue;
import io.bulwark.client.BulwarkClient;
import io.bulwark.client.BulwarkException;
import io.bulwark.client.VersionedValue;
import io.bulwark.client.WriteResult;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Registers under contention: clients in groups of {@value #GROUP_SIZE_MAX} (at most) share
 * {@value #KEYS_PER_GROUP} keys, and each client runs reads, writes and compare-and-sets on its
 * group's keys (40 / 40 / 20 %), paced to {@code opsPerSecond} in total. Every value written is
 * unique ({@code c<client>-<n>}), so a read names the write it saw. A CAS expects the value the
 * client last saw on that key. Outcomes follow DESIGN §9: a definite error is {@code fail} (a CAS
 * whose comparison did not hold is one), an unknown outcome {@code info}, after which the client
 * goes on as a new process; a failed read is {@code fail} (it changed nothing).
 */
final class RegisterVerifyWorkload implements VerifyWorkload {
  static final int GROUP_SIZE_MAX = 5;
  static final int KEYS_PER_GROUP = 3;

  private final BulwarkClient client;
  private final String keyspace;
  private final int clients;
  private final long opIntervalNanos;
  private final HistoryWriter history;
  private final long seed;
  private final AtomicLong processes = new AtomicLong();
  private final Map<String, AtomicLong> errors = new ConcurrentHashMap<>();
  private final Map<String, AtomicLong> lastWriteAck = new ConcurrentHashMap<>();
  private final List<Thread> threads = new ArrayList<>();
  private volatile boolean running = true;

  RegisterVerifyWorkload(BulwarkClient client, String keyspace, int clients, int opsPerSecond,
      HistoryWriter history, long seed) {
    this.client = client;
    this.keyspace = keyspace;
    this.clients = clients;
    this.opIntervalNanos = TimeUnit.SECONDS.toNanos(1) * clients / opsPerSecond;
    this.history = history;
    this.seed = seed;
  }

  @Override
  public String name() {
    return "register";
  }

  @Override
  public Model model() {
    return Model.REGISTER;
  }

  static int groups(int clients) {
    return (clients + GROUP_SIZE_MAX - 1) / GROUP_SIZE_MAX;
  }

  static String key(int group, int k) {
    return "g" + group + "-k" + k;
  }

  @Override
  public List<String> keys() {
    List<String> keys = new ArrayList<>();
    for (int g = 0; g < groups(clients); g++) {
      for (int k = 0; k < KEYS_PER_GROUP; k++) {
        keys.add(key(g, k));
      }
    }
    return keys;
  }

  @Override
  public void start() {
    for (int c = 0; c < clients; c++) {
      int id = c;
      SplittableRandom random = new SplittableRandom(seed * 1_000_003L + c);
      threads.add(new Thread(() -> clientLoop(id, random), "verify-client-" + c));
    }
    threads.forEach(Thread::start);
  }

  private void clientLoop(int id, SplittableRandom random) {
    int group = id % groups(clients);
    long process = processes.getAndIncrement();
    Map<String, String> lastSeen = new HashMap<>();
    long counter = 0;
    long next = System.nanoTime();
    while (running) {
      String key = key(group, random.nextInt(KEYS_PER_GROUP));
      int dice = random.nextInt(100);
      OpType outcome;
      if (dice < 40) {
        outcome = read(process, key, lastSeen);
      } else if (dice < 80) {
        outcome = write(process, key, "c" + id + "-" + counter++, lastSeen);
      } else {
        outcome = cas(process, key, lastSeen.get(key), "c" + id + "-" + counter++, lastSeen);
      }
      if (outcome == OpType.INFO) {
        process = processes.getAndIncrement();
        lastSeen.clear();
      }
      next += opIntervalNanos;
      long wait = next - System.nanoTime();
      if (wait > 0) {
        sleepNanos(wait);
      } else {
        next = System.nanoTime(); // Behind (a fault): no burst to catch up.
      }
    }
  }

  private OpType read(long process, String key, Map<String, String> lastSeen) {
    Op invoke = invoke(process, OpFunction.READ, key, new OpValue.Scalar(null));
    try {
      Optional<VersionedValue> v = client.get(keyspace, bytes(key));
      String read = v.map(x -> new String(x.value(), StandardCharsets.UTF_8)).orElse(null);
      record(invoke.complete(OpType.OK, new OpValue.Scalar(read), System.nanoTime()));
      lastSeen.put(key, read);
      return OpType.OK;
    } catch (BulwarkException e) {
      countError(e);
      record(invoke.complete(OpType.FAIL, System.nanoTime()));
      return OpType.FAIL;
    }
  }

  private OpType write(long process, String key, String value, Map<String, String> lastSeen) {
    Op invoke = invoke(process, OpFunction.WRITE, key, new OpValue.Scalar(value));
    OpType outcome;
    try {
      client.put(keyspace, bytes(key), bytes(value));
      outcome = OpType.OK;
      lastSeen.put(key, value);
      writeAcked(key);
    } catch (BulwarkException e) {
      countError(e);
      outcome = e.definite() ? OpType.FAIL : OpType.INFO;
    }
    record(invoke.complete(outcome, System.nanoTime()));
    return outcome;
  }

  private OpType cas(long process, String key, String expected, String value,
      Map<String, String> lastSeen) {
    Op invoke = invoke(process, OpFunction.CAS, key, new OpValue.Cas(expected, value));
    OpType outcome;
    try {
      WriteResult r = client.compareAndSet(keyspace, bytes(key),
          expected == null ? null : bytes(expected), bytes(value));
      outcome = r.applied() ? OpType.OK : OpType.FAIL;
      if (r.applied()) {
        lastSeen.put(key, value);
        writeAcked(key);
      } else {
        lastSeen.put(key, r.currentValue() == null ? null
            : new String(r.currentValue(), StandardCharsets.UTF_8));
      }
    } catch (BulwarkException e) {
      countError(e);
      outcome = e.definite() ? OpType.FAIL : OpType.INFO;
    }
    record(invoke.complete(outcome, System.nanoTime()));
    return outcome;
  }

  @Override
  public void stop() throws InterruptedException {
    running = false;
    for (Thread t : threads) {
      t.join();
    }
  }

  @Override
  public List<String> finalReads(Duration deadline) throws InterruptedException {
    long end = System.nanoTime() + deadline.toNanos();
    List<String> unread = new ArrayList<>();
    for (String key : keys()) {
      boolean done = false;
      while (!done && System.nanoTime() - end < 0) {
        long process = processes.getAndIncrement();
        done = read(process, key, new HashMap<>()) == OpType.OK;
        if (!done) {
          Thread.sleep(100);
        }
      }
      if (!done) {
        unread.add(key);
      }
    }
    return unread;
  }

  private void writeAcked(String key) {
    lastWriteAck.computeIfAbsent(key, k -> new AtomicLong()).set(System.nanoTime());
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

  private void countError(BulwarkException e) {
    errors.computeIfAbsent(e.code().name(), c -> new AtomicLong()).incrementAndGet();
  }

  private Op invoke(long process, OpFunction f, String key, OpValue value) {
    Op op = new Op(process, OpType.INVOKE, f, key, value, System.nanoTime());
    record(op);
    return op;
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

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
