package io.bulwark.server;

import io.bulwark.core.common.ShardId;
import io.bulwark.core.pb.Effect;
import io.bulwark.core.pb.LogEntry;
import io.bulwark.storage.LogAppend;
import io.bulwark.storage.NodeStore;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's one log writer thread: performs every shard's log effects in the order the cores
 * emitted them and group-commits appends (DESIGN §3.1, §7): it drains everything queued, writes
 * consecutive appends of all shards as one synced batch, and then reports, per shard, the last
 * entry made durable. A truncate or reset in the queue ends a group, so order is kept.
 *
 * <p>A storage failure is fatal: a node that cannot make its log durable must not keep acting
 * as a replica, so the {@link FatalHandler} stops the process (the supervisor restarts it).
 */
final class LogWriter implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(LogWriter.class);
  /** Most queued log effects; a full queue blocks the core loop (backpressure). */
  static final int QUEUE_MAX = 100_000;
  /** Most log effects handled in one group commit. */
  static final int GROUP_MAX = 4_096;

  /** Told, on the writer thread, that a shard's log is durable up to (index, epoch). */
  interface DurableListener {
    void durable(ShardId shard, long index, long epoch);
  }

  /** One shard's log effect, as the core emitted it. */
  record Task(ShardId shard, Effect effect) {}

  private final NodeStore store;
  private final DurableListener listener;
  private final Metrics metrics;
  private final FatalHandler fatal;
  private final BlockingQueue<Task> queue = new ArrayBlockingQueue<>(QUEUE_MAX);
  private final Thread thread;
  private final long testFsyncDelayMs;
  private volatile boolean running = true;

  LogWriter(NodeStore store, DurableListener listener, Metrics metrics, FatalHandler fatal) {
    this(store, listener, metrics, fatal, 0);
  }

  /**
   * @param testFsyncDelayMs test only ({@code test.fsync-delay.ms}): sleep this long after every
   *     synced batch, before it is reported durable, so the node looks like one with a slow disk
   */
  LogWriter(NodeStore store, DurableListener listener, Metrics metrics, FatalHandler fatal,
      long testFsyncDelayMs) {
    this.testFsyncDelayMs = testFsyncDelayMs;
    this.store = store;
    this.listener = listener;
    this.metrics = metrics;
    this.fatal = fatal;
    this.thread = new Thread(this::run, "bulwark-log-writer");
    this.thread.setDaemon(true);
    this.thread.start();
  }

  /**
   * Queues the log effects of one core-loop pass, in order; blocks while the queue is full. The
   * loop hands over a whole pass at once rather than effect by effect: a writer woken by the
   * pass's first append would sync it alone while the rest of the pass was still being produced,
   * and each small sync costs a disk flush and two context switches (issue 7's profile).
   */
  void submit(List<Task> tasks) {
    try {
      for (Task t : tasks) {
        queue.put(t);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while queueing a log write", e);
    }
  }

  private void run() {
    List<Task> batch = new ArrayList<>();
    while (running) {
      try {
        Task first = queue.poll(100, TimeUnit.MILLISECONDS);
        if (first == null) {
          continue;
        }
        batch.add(first);
        queue.drainTo(batch, GROUP_MAX - 1);
        process(batch);
        batch.clear();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (RuntimeException | Error e) {
        fatal.fatal("log writer failed", e);
        return;
      }
    }
  }

  private void process(List<Task> batch) {
    Map<ShardId, long[]> durable = new LinkedHashMap<>();
    List<LogAppend> group = new ArrayList<>();
    for (Task t : batch) {
      Effect e = t.effect();
      if (e instanceof Effect.AppendLog a) {
        for (LogEntry entry : a.entries()) {
          group.add(new LogAppend(t.shard(), entry));
        }
        LogEntry last = a.entries().get(a.entries().size() - 1);
        durable.put(t.shard(), new long[] {last.index(), last.epoch()});
        continue;
      }
      writeGroup(group);
      if (e instanceof Effect.TruncateLog tr) {
        store.truncateAfter(t.shard(), tr.lastKeptIndex());
      } else if (e instanceof Effect.ResetLog r) {
        // The snapshot at baseIndex is installed (applied == baseIndex): drop everything below
        // it, then anything above it, which was never committed here.
        store.trimBefore(t.shard(), r.baseIndex() + 1);
        store.truncateAfter(t.shard(), r.baseIndex());
        store.putMeta(t.shard(), BASE_KEY, base(r.baseIndex(), r.baseEpoch()));
      } else if (e instanceof Effect.TrimLog tl) {
        store.putMeta(t.shard(), BASE_KEY, base(tl.firstKeptIndex() - 1, tl.baseEpoch()));
        store.trimBefore(t.shard(), tl.firstKeptIndex());
      } else {
        throw new IllegalArgumentException("not a log effect: " + e);
      }
    }
    writeGroup(group);
    durable.forEach((shard, pos) -> listener.durable(shard, pos[0], pos[1]));
  }

  private void writeGroup(List<LogAppend> group) {
    if (group.isEmpty()) {
      return;
    }
    long start = System.nanoTime();
    store.append(group);
    if (testFsyncDelayMs > 0) {
      sleepForTest();
    }
    metrics.fsync(System.nanoTime() - start, group.size());
    group.clear();
  }

  private void sleepForTest() {
    try {
      Thread.sleep(testFsyncDelayMs);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt(); // close() is stopping us; the batch is durable anyway
    }
  }

  /** Per-shard meta key holding the (index, epoch) just before the shard's first log entry. */
  static final String BASE_KEY = "logbase";

  static byte[] base(long index, long epoch) {
    return ByteBuffer.allocate(16).putLong(index).putLong(epoch).array();
  }

  @Override
  public void close() {
    running = false;
    try {
      thread.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (!queue.isEmpty()) {
      LOG.warn("event=log-writer-closed pending={}", queue.size());
    }
  }
}
