package io.bulwark.bench;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntPredicate;
import java.util.function.IntUnaryOperator;

/**
 * An in-memory {@link Target} driving a fake clock: operation number {@code i} (counted over
 * puts, gets, cas and txn together) "takes" {@code latencyMillis.applyAsInt(i)} ms of the clock and
 * throws if {@code fails.test(i)}; a cas or txn loses its race if {@code casLoses.test(i)}. Preloading does not advance the clock.
 */
final class FakeTarget implements Target {
  final AtomicLong clockNanos;
  final Map<String, byte[]> data = new ConcurrentHashMap<>();
  final AtomicInteger sessionsOpened = new AtomicInteger();
  final AtomicInteger loads = new AtomicInteger();
  final AtomicInteger ops = new AtomicInteger();
  final AtomicInteger gets = new AtomicInteger();
  final AtomicInteger puts = new AtomicInteger();
  IntUnaryOperator latencyMillis = i -> 1;
  IntPredicate fails = i -> false;
  IntPredicate casLoses = i -> false;
  /** The key pairs of txn operations, {@code "first,second"}, in order. */
  final java.util.List<String> txnPairs = java.util.Collections.synchronizedList(
      new java.util.ArrayList<>());
  boolean closed;
  /**
   * If set, putAsync and getAsync complete on this executor (a stand-in for a client's network
   * thread) instead of at once; the names of the threads that called them are collected.
   */
  java.util.concurrent.Executor network;
  final java.util.Set<String> asyncCallers = ConcurrentHashMap.newKeySet();

  FakeTarget(AtomicLong clockNanos) {
    this.clockNanos = clockNanos;
  }

  @Override
  public String name() {
    return "fake";
  }

  @Override
  public Session openSession(int index) {
    sessionsOpened.incrementAndGet();
    return new Session() {
      @Override
      public void load(byte[] key, byte[] value) {
        loads.incrementAndGet();
        data.put(new String(key, StandardCharsets.US_ASCII), value);
      }

      @Override
      public void put(byte[] key, byte[] value) {
        step();
        puts.incrementAndGet();
        data.put(new String(key, StandardCharsets.US_ASCII), value);
      }

      @Override
      public byte[] get(byte[] key) {
        step();
        gets.incrementAndGet();
        return data.get(new String(key, StandardCharsets.US_ASCII));
      }

      @Override
      public java.util.concurrent.CompletionStage<Void> putAsync(byte[] key, byte[] value) {
        return network == null ? Session.super.putAsync(key, value)
            : later(() -> {
              put(key, value);
              return null;
            });
      }

      @Override
      public java.util.concurrent.CompletionStage<byte[]> getAsync(byte[] key) {
        return network == null ? Session.super.getAsync(key) : later(() -> get(key));
      }

      private <T> java.util.concurrent.CompletableFuture<T> later(
          java.util.function.Supplier<T> op) {
        asyncCallers.add(Thread.currentThread().getName());
        return java.util.concurrent.CompletableFuture.supplyAsync(op, network);
      }

      @Override
      public boolean cas(byte[] key, byte[] value) {
        int i = step();
        return !casLoses.test(i);
      }

      @Override
      public boolean txn(byte[] first, byte[] second, byte[] value) {
        int i = step();
        txnPairs.add(new String(first, StandardCharsets.US_ASCII) + ","
            + new String(second, StandardCharsets.US_ASCII));
        return !casLoses.test(i);
      }
    };
  }

  /** Advances the clock by this operation's latency; throws if it is to fail. */
  private int step() {
    int i = ops.getAndIncrement();
    clockNanos.addAndGet(latencyMillis.applyAsInt(i) * 1_000_000L);
    if (fails.test(i)) {
      throw new IllegalStateException("fake failure " + i);
    }
    return i;
  }

  @Override
  public void close() {
    closed = true;
  }
}
