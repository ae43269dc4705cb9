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
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
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
  private static final long POLL_MS = 20;

  @TempDir Path dir;

  @Test
  void killDashNineDuringSyncedAppends_everyPrintedIndexIsReadableAfterReopen() throws Exception {
    Path storeDir = dir.resolve("node");
    Path childStdout = dir.resolve("child.stdout");
    Path childStderr = dir.resolve("child.stderr");
    // Stdout goes to a file, not a pipe: when a child exits, the JDK's process reaper drains and
    // closes its stdout pipe, and a thread still reading it fails with "Stream closed" (seen in
    // CI). Bytes written to a file stay there whatever happens to the writer.
    Process child = new ProcessBuilder(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-cp", System.getProperty("java.class.path"),
            CrashAppendMain.class.getName(),
            storeDir.toString(), "1000000", Long.toString(CHILD_MAX_SECONDS))
        .redirectOutput(childStdout.toFile())
        .redirectError(childStderr.toFile())
        .start();
    long printed;
    try {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_FOR_PRINTS_SECONDS);
      while (lastPrinted(childStdout) < PRINTED_BEFORE_KILL) {
        if (!child.isAlive() || System.nanoTime() > deadline) {
          fail("child printed only " + lastPrinted(childStdout) + " indexes (alive: "
              + child.isAlive() + ") in " + WAIT_FOR_PRINTS_SECONDS + " s; stderr:\n"
              + read(childStderr));
        }
        Thread.sleep(POLL_MS);
      }
      child.destroyForcibly();
      assertTrue(child.waitFor(WAIT_FOR_EXIT_SECONDS, TimeUnit.SECONDS), "child did not die");
      // Lines written before the child died count too: each followed a returned append.
      printed = lastPrinted(childStdout);
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

  /**
   * The last index the child reported in its complete {@code appended <i>} lines (a line still
   * being written has no newline yet), checking that they are consecutive from 1.
   */
  private static long lastPrinted(Path stdout) throws IOException {
    if (!Files.exists(stdout)) {
      return 0;
    }
    String text = Files.readString(stdout, UTF_8);
    String complete = text.substring(0, text.lastIndexOf('\n') + 1);
    long last = 0;
    for (String line : complete.lines().toList()) {
      if (line.startsWith("appended ")) {
        long index = Long.parseLong(line.substring("appended ".length()));
        assertEquals(last + 1, index, "the child's reported indexes are consecutive");
        last = index;
      }
    }
    return last;
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
}
