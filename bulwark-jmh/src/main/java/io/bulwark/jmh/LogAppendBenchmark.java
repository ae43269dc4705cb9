package io.bulwark.jmh;

import io.bulwark.core.common.ShardId;
import io.bulwark.core.pb.Command;
import io.bulwark.core.pb.LogEntry;
import io.bulwark.core.pb.Op;
import io.bulwark.storage.LogAppend;
import io.bulwark.storage.NodeStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@link NodeStore#append}: one synced RocksDB write batch (a real fdatasync of the WAL on the
 * disk of {@code java.io.tmpdir}) holding {@code batchEntries} log entries of 100-byte values.
 *
 * <p>Why it matters: every write waits for its primary's append and then its backups' appends
 * (DESIGN §3.1), and the log writer group-commits whatever arrived since the last sync into one
 * batch. If the sync dominates, a batch of 128 costs about what a batch of 1 does, and
 * entries/s grows with the batch: that is what group commit buys under load, and the
 * batch-of-1 time is the durability floor a lone client's write pays on each replica.
 *
 * <p>Two methods run the same append so that JMH reports both views with their errors:
 * {@code batchesPerSecond} (and, in its {@code entries} counter, entries/s) and
 * {@code msPerBatch} (and ms per entry). Each trial writes to a fresh store
 * in a new temporary directory, deleted afterwards; the log grows during the trial, which
 * RocksDB absorbs in its memtable and background flushes as the node's does. To measure
 * another disk, pass {@code -jvmArgsAppend -Djava.io.tmpdir=/path/on/that/disk}.
 */
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@State(Scope.Thread)
public class LogAppendBenchmark {
  private static final ShardId SHARD = new ShardId("bench", 0);
  private static final int VALUE_BYTES = 100;
  private static final long EPOCH = 1;

  /** Entries per synced batch: one lone write, and two sizes group commit reaches under load. */
  @Param({"1", "16", "128"})
  public int batchEntries;

  private Path dir;
  private NodeStore store;
  private Command command;
  private long lastIndex;

  /** Entries made durable: JMH reports them as a rate beside the batch rate. */
  @State(Scope.Thread)
  @AuxCounters(AuxCounters.Type.OPERATIONS)
  public static class Entries {
    public long entries;

    @Setup(Level.Iteration)
    public void reset() {
      entries = 0;
    }
  }

  @Setup(Level.Trial)
  public void open() throws IOException {
    dir = Files.createTempDirectory("bulwark-jmh-log-");
    store = NodeStore.open(dir);
    byte[] value = new byte[VALUE_BYTES];
    Arrays.fill(value, (byte) 'v');
    // One command for every entry: the store neither reads nor checks it beyond encoding it.
    command = new Command("bench-client", 1, 1,
        new Op.Put("key".getBytes(StandardCharsets.UTF_8), value));
    lastIndex = 0;
  }

  @TearDown(Level.Trial)
  public void close() throws IOException {
    store.close();
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
  }

  /** Synced batches per second; the {@code entries} counter gives entries per second. */
  @Benchmark
  @BenchmarkMode(Mode.Throughput)
  @OutputTimeUnit(TimeUnit.SECONDS)
  public void batchesPerSecond(Entries counted) {
    appendOneBatch(counted);
  }

  /** Milliseconds per synced batch; the {@code entries} counter gives milliseconds per entry. */
  @Benchmark
  @BenchmarkMode(Mode.AverageTime)
  @OutputTimeUnit(TimeUnit.MILLISECONDS)
  public void msPerBatch(Entries counted) {
    appendOneBatch(counted);
  }

  private void appendOneBatch(Entries counted) {
    List<LogAppend> batch = new ArrayList<>(batchEntries);
    for (int i = 0; i < batchEntries; i++) {
      batch.add(new LogAppend(SHARD, new LogEntry(EPOCH, ++lastIndex, command)));
    }
    // Returns once the batch is durable; nothing to consume, and the sync cannot be elided.
    store.append(batch);
    counted.entries += batchEntries;
  }
}
