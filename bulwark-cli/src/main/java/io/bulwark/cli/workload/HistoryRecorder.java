package io.bulwark.cli.workload;

import io.bulwark.check.history.HistoryWriter;
import io.bulwark.check.history.Op;
import io.bulwark.check.history.OpFunction;
import io.bulwark.check.history.OpType;
import io.bulwark.check.history.OpValue;
import io.bulwark.client.BulwarkException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What the clients of one workload share while they record a DESIGN §9 history: the history
 * itself, process numbers, the errors seen (by code) and when each key last had a write
 * acknowledged (nemeses strike while writes stream).
 *
 * <p>A client takes a process with {@link #newProcess()} and a new one after an {@code info}
 * outcome, since a process never invokes again after info. Events are timed with {@code
 * System.nanoTime()} as they are appended, so an invoke is stamped before its request is sent and
 * a completion after its reply. An append that fails throws {@link UncheckedIOException}: a run
 * whose history has a hole has nothing left to judge. Thread-safe.
 */
public final class HistoryRecorder {
  private final HistoryWriter history;
  private final AtomicLong processes = new AtomicLong();
  private final Map<String, AtomicLong> errors = new ConcurrentHashMap<>();
  private final Map<String, AtomicLong> lastWriteAck = new ConcurrentHashMap<>();

  /** Appends to {@code history}, which the caller closes. */
  public HistoryRecorder(HistoryWriter history) {
    this.history = history;
  }

  /** A process number never used before in this history. */
  public long newProcess() {
    return processes.getAndIncrement();
  }

  /** Appends the invoke of an operation, timed now, and returns it for its completion. */
  public Op invoke(long process, OpFunction f, String key, OpValue value) {
    Op op = new Op(process, OpType.INVOKE, f, key, value, System.nanoTime());
    append(op);
    return op;
  }

  /** Appends the completion of {@code invoke}, timed now, echoing its value; returns it. */
  public Op complete(Op invoke, OpType outcome) {
    return append(invoke.complete(outcome, System.nanoTime()));
  }

  /** Appends the completion of {@code invoke}, timed now, with what it read; returns it. */
  public Op complete(Op invoke, OpType outcome, OpValue value) {
    return append(invoke.complete(outcome, value, System.nanoTime()));
  }

  /** Counts {@code e} under its error code ({@code ABORTED}, {@code DISK_FULL}, ...). */
  public void countError(BulwarkException e) {
    errors.computeIfAbsent(e.code().name(), c -> new AtomicLong()).incrementAndGet();
  }

  /** The errors counted so far, by code, in code order. */
  public Map<String, Long> errors() {
    Map<String, Long> out = new TreeMap<>();
    errors.forEach((code, n) -> out.put(code, n.get()));
    return out;
  }

  /** Notes that a write to {@code key} was acknowledged at {@code ackNanos}. */
  public void writeAcked(String key, long ackNanos) {
    lastWriteAck.computeIfAbsent(key, k -> new AtomicLong()).set(ackNanos);
  }

  /** When a write to {@code key} was last acknowledged; {@code Long.MIN_VALUE} if never. */
  public long lastWriteAckNanos(String key) {
    AtomicLong t = lastWriteAck.get(key);
    return t == null ? Long.MIN_VALUE : t.get();
  }

  private Op append(Op op) {
    try {
      history.append(op);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return op;
  }
}
