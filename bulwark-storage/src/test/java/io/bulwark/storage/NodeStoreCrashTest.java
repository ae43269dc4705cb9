package io.bulwark.storage;

import static io.bulwark.storage.CrashAppendMain.SHARD_A;
import static io.bulwark.storage.CrashAppendMain.SHARD_B;
import static io.bulwark.storage.EntryAssertions.assertEntry;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.bulwark.core.common.ShardId;
import io.bulwark.core.pb.LogEntry;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Goal: an appended entry is durable when {@link NodeStore#append} returns (DESIGN §3.2, §7),
 * even if the process is killed with SIGKILL mid-write: after a reopen, every index the writer
 * reported is readable with its content, and the log verifies (CRC32C, continuity) to its end.
 *
 * <p>Method: a child JVM ({@link CrashAppendMain}, on this test's class path) appends synced
 * group commits to two shards and prints each index after append returns. Once it has printed
 * {@value #PRINTED_BEFORE_KILL} indexes, {@link Process#destroyForcibly()} (SIGKILL on Linux)
 * kills it while it keeps appending. Every wait has a deadline and a named condition.
 */
class NodeStoreCrashTest {
  private static final int PRINTED_BEFORE_KILL = 300;
  private static final long CHILD_MAX_SECONDS = 120;
  private static final long WAIT_FOR_PRINTS_SECONDS = 60;
  private static final long WAIT_FOR_EXIT_SECONDS = 30;
  private static final int READ_CHUNK = 128;

  @TempDir Path dir;

  @Test
  void killDashNineDuringSyncedAppends_everyPrintedIndexIsReadableAfterReopen() throws Exception {
    Path storeDir = dir.resolve("node");
    Path childStderr = dir.resolve("child.stderr");
    Process child = new ProcessBuilder(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-cp", System.getProperty("java.class.path"),
            CrashAppendMain.class.getName(),
            storeDir.toString(), "1000000", Long.toString(CHILD_MAX_SECONDS))
        .redirectError(childStderr.toFile())
        .start();
    StdoutReader reader = new StdoutReader(child);
    long printed;
    try {
      reader.start();
      if (!reader.reached.await(WAIT_FOR_PRINTS_SECONDS, TimeUnit.SECONDS)) {
        fail("child printed only " + reader.lastPrinted.get() + " indexes in "
            + WAIT_FOR_PRINTS_SECONDS + " s; stderr:\n" + read(childStderr));
      }
      assertTrue(child.isAlive(), "child must still be appending when killed; stderr:\n"
          + read(childStderr));
      child.destroyForcibly();
      assertTrue(child.waitFor(WAIT_FOR_EXIT_SECONDS, TimeUnit.SECONDS), "child did not die");
      reader.join(TimeUnit.SECONDS.toMillis(WAIT_FOR_EXIT_SECONDS));
      assertTrue(!reader.isAlive(), "stdout of the dead child did not reach end of stream");
      if (reader.failure.get() != null) {
        fail(reader.failure.get());
      }
      // Lines still in the pipe when the child died count too: each followed a returned append.
      printed = reader.lastPrinted.get();
    } finally {
      child.destroyForcibly();
    }
    assertTrue(printed >= PRINTED_BEFORE_KILL, "printed " + printed);
    assertEquals(137, child.exitValue(), "exit status of a SIGKILLed process");

    try (NodeStore store = NodeStore.open(storeDir)) {
      for (ShardId shard : List.of(SHARD_A, SHARD_B)) {
        long last = store.lastLogIndex(shard);
        assertTrue(last >= printed, shard + ": last index " + last + " < printed " + printed);
        assertTrue(last <= printed + 1, shard + ": at most the in-flight append is extra");
        assertEquals(1, store.firstLogIndex(shard));
        assertWholeLogReadable(store, shard, last);
      }
    }
  }

  /** Reads 1..last in chunks (readLog verifies CRC32C and continuity) and checks content. */
  private static void assertWholeLogReadable(NodeStore store, ShardId shard, long last) {
    long next = 1;
    while (next <= last) {
      List<LogEntry> chunk = store.readLog(shard, next, READ_CHUNK);
      assertTrue(!chunk.isEmpty(), shard + ": nothing readable at " + next);
      for (LogEntry e : chunk) {
        assertEntry(CrashAppendMain.entry(shard, next), e);
        next++;
      }
    }
    assertEquals(List.of(), store.readLog(shard, last + 1, READ_CHUNK));
  }

  private static String read(Path file) throws IOException {
    return Files.exists(file) ? Files.readString(file) : "(none)";
  }

  /** Drains the child's stdout, checking that it reports consecutive indexes. */
  private static final class StdoutReader extends Thread {
    final AtomicLong lastPrinted = new AtomicLong();
    final CountDownLatch reached = new CountDownLatch(1);
    final AtomicReference<String> failure = new AtomicReference<>();
    private final Process child;

    StdoutReader(Process child) {
      super("crash-child-stdout");
      setDaemon(true);
      this.child = child;
    }

    @Override
    public void run() {
      try (BufferedReader in =
          new BufferedReader(new InputStreamReader(child.getInputStream(), UTF_8))) {
        for (String line = in.readLine(); line != null; line = in.readLine()) {
          if (line.startsWith("appended ")) {
            long index = Long.parseLong(line.substring("appended ".length()));
            if (index != lastPrinted.get() + 1) {
              failure.compareAndSet(null, "child printed " + index + " after " + lastPrinted.get());
            }
            lastPrinted.set(index);
            if (index >= PRINTED_BEFORE_KILL) {
              reached.countDown();
            }
          }
        }
      } catch (IOException | RuntimeException e) {
        failure.compareAndSet(null, "reading the child's stdout failed: " + e);
      }
    }
  }
}
