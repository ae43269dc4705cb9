package io.bulwark.cli.workload;

import io.bulwark.check.history.HistoryWriter;
import io.bulwark.check.history.Op;
import io.bulwark.check.history.OpFunction;
import io.bulwark.check.history.OpType;
import io.bulwark.check.history.OpValue;
import io.bulwark.client.BulwarkClient;
import io.bulwark.client.BulwarkException;
import io.bulwark.client.VersionedValue;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Concurrent writers and readers over a register per key, recording every operation as a
 * DESIGN §9 history. Each key is written by one writer only, with unique values, so "the last
 * acknowledged value" of a key is well defined; reads go to random keys. A write that fails with
 * a definite error is {@code fail}; one whose outcome is unknown is {@code info}, after which the
 * writer continues as a new process (a process never invokes after an info). Every other
 * operation of a thread goes through the client's asynchronous API, the rest through the blocking
 * one, so the checked runs cover both ways a call reaches a node.
 *
 * <p>Bounded: it runs until {@link #stop} or until {@code opsMax} operations, whichever is first.
 * Thread-safe.
 */
public final class RegisterWorkload implements AutoCloseable {
  /** One write as the workload saw it. */
  public record Write(String key, String value, OpType outcome, long invokeNanos,
      long completeNanos) {}

  private final BulwarkClient client;
  private final String keyspace;
  private final int writers;
  private final int keysPerWriter;
  private final long opsMax;
  private final HistoryWriter history;
  private final AtomicLong processes = new AtomicLong();
  private final AtomicLong ops = new AtomicLong();
  private final Map<String, List<Write>> writesByKey = new ConcurrentHashMap<>();
  private final AtomicLong acked = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private final AtomicLong unknown = new AtomicLong();
  private final List<Thread> threads = new ArrayList<>();
  private volatile boolean running = true;

  public RegisterWorkload(BulwarkClient client, String keyspace, int writers, int keysPerWriter,
      long opsMax, HistoryWriter history) {
    this.client = client;
    this.keyspace = keyspace;
    this.writers = writers;
    this.keysPerWriter = keysPerWriter;
    this.opsMax = opsMax;
    this.history = history;
  }

  public static String key(int writer, int k) {
    return "w" + writer + "-k" + k;
  }

  /** Every key this workload writes. */
  public List<String> keys() {
    List<String> keys = new ArrayList<>();
    for (int w = 0; w < writers; w++) {
      for (int k = 0; k < keysPerWriter; k++) {
        keys.add(key(w, k));
      }
    }
    return keys;
  }

  public void start(int readers, long seed) {
    for (int w = 0; w < writers; w++) {
      int writer = w;
      threads.add(new Thread(() -> writeLoop(writer), "workload-writer-" + w));
    }
    for (int r = 0; r < readers; r++) {
      long s = seed + r;
      threads.add(new Thread(() -> readLoop(new SplittableRandom(s)), "workload-reader-" + r));
    }
    threads.forEach(Thread::start);
  }

  private void writeLoop(int writer) {
    long process = processes.getAndIncrement();
    for (long i = 0; running && ops.incrementAndGet() <= opsMax; i++) {
      String key = key(writer, (int) (i % keysPerWriter));
      String value = writer + "-" + i;
      Op invoke = new Op(process, OpType.INVOKE, OpFunction.WRITE, key,
          new OpValue.Scalar(value), System.nanoTime());
      record(invoke);
      OpType outcome;
      try {
        if (i % 2 == 0) {
          await(client.putAsync(keyspace, bytes(key), bytes(value)));
        } else {
          client.put(keyspace, bytes(key), bytes(value));
        }
        outcome = OpType.OK;
        acked.incrementAndGet();
      } catch (BulwarkException e) {
        outcome = e.definite() ? OpType.FAIL : OpType.INFO;
        (e.definite() ? failed : unknown).incrementAndGet();
      }
      long done = System.nanoTime();
      record(invoke.complete(outcome, done));
      writesByKey.computeIfAbsent(key, k -> java.util.Collections.synchronizedList(
          new ArrayList<>())).add(new Write(key, value, outcome, invoke.timeNanos(), done));
      if (outcome == OpType.INFO) {
        process = processes.getAndIncrement();
      }
    }
  }

  private void readLoop(SplittableRandom random) {
    long process = processes.getAndIncrement();
    for (long i = 0; running && ops.incrementAndGet() <= opsMax; i++) {
      String key = key(random.nextInt(writers), random.nextInt(keysPerWriter));
      Op invoke = new Op(process, OpType.INVOKE, OpFunction.READ, key, new OpValue.Scalar(null),
          System.nanoTime());
      record(invoke);
      try {
        Optional<VersionedValue> v = i % 2 == 0 ? await(client.getAsync(keyspace, bytes(key)))
            : client.get(keyspace, bytes(key));
        String read = v.map(x -> new String(x.value(), StandardCharsets.UTF_8)).orElse(null);
        record(invoke.complete(OpType.OK, new OpValue.Scalar(read), System.nanoTime()));
      } catch (BulwarkException e) {
        // A read changes nothing: a failed read may be recorded as fail whatever the cause.
        record(invoke.complete(OpType.FAIL, System.nanoTime()));
      }
    }
  }

  /**
   * The result of an asynchronous call, or the BulwarkException it failed with. Every other
   * operation goes through the asynchronous API (first attempt on the client's Session stream)
   * and the rest through the blocking one (unary calls), so each checked run covers both.
   */
  private static <T> T await(CompletableFuture<T> call) {
    try {
      return call.join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof BulwarkException b) {
        throw b;
      }
      throw e;
    }
  }

  private void record(Op op) {
    try {
      history.append(op);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Stops every thread and waits for them (each finishes its current operation). */
  public void stop() throws InterruptedException {
    running = false;
    for (Thread t : threads) {
      t.join();
    }
  }

  public long acked() {
    return acked.get();
  }

  public long failed() {
    return failed.get();
  }

  public long unknown() {
    return unknown.get();
  }

  /**
   * Reads every key back and returns what is wrong: a key whose value is neither its last
   * acknowledged write nor a later write of unknown outcome (an acknowledged write was lost or
   * overwritten by something that never happened). Empty means every acknowledged write is there.
   */
  public List<String> verifyFinalValues() {
    List<String> problems = new ArrayList<>();
    for (Map.Entry<String, List<Write>> e : writesByKey.entrySet()) {
      List<Write> writes;
      synchronized (e.getValue()) {
        writes = new ArrayList<>(e.getValue());
      }
      int lastOk = -1;
      for (int i = 0; i < writes.size(); i++) {
        if (writes.get(i).outcome() == OpType.OK) {
          lastOk = i;
        }
      }
      List<String> allowed = new ArrayList<>();
      if (lastOk >= 0) {
        allowed.add(writes.get(lastOk).value());
      } else {
        allowed.add(null);
      }
      for (int i = lastOk + 1; i < writes.size(); i++) {
        if (writes.get(i).outcome() == OpType.INFO) {
          allowed.add(writes.get(i).value());
        }
      }
      String actual = client.get(keyspace, bytes(e.getKey()))
          .map(v -> new String(v.value(), StandardCharsets.UTF_8)).orElse(null);
      if (!allowed.contains(actual)) {
        problems.add("key " + e.getKey() + " holds " + actual + " but the last acknowledged "
            + "write was " + (lastOk >= 0 ? writes.get(lastOk).value() : "none")
            + " (allowed: " + allowed + ")");
      }
    }
    return problems;
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public void close() throws InterruptedException {
    stop();
  }
}
