package io.bulwark.storage;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.bulwark.core.common.ShardId;
import io.bulwark.core.pb.Command;
import io.bulwark.core.pb.LogEntry;
import io.bulwark.core.pb.Op;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The child process of {@link NodeStoreCrashTest}: opens a node store and appends synced
 * entries to two shards in one group commit per index, printing {@code appended <i>} on stdout
 * only after {@link NodeStore#append} returned. It runs until killed, or until its own
 * {@code maxIndex}/{@code maxSeconds} bounds (so an orphan cannot run forever).
 *
 * <p>Usage: {@code CrashAppendMain <dir> <maxIndex> <maxSeconds>}.
 */
public final class CrashAppendMain {
  static final ShardId SHARD_A = new ShardId("crash", 0);
  static final ShardId SHARD_B = new ShardId("crash", 1);

  private CrashAppendMain() {}

  /** The entry at {@code index} of {@code shard}: its content is a function of both. */
  static LogEntry entry(ShardId shard, long index) {
    byte[] key = ("key-" + index).getBytes(UTF_8);
    String unit = shard + ":" + index + ";";
    byte[] value = unit.repeat(Math.max(1, 512 / unit.length())).getBytes(UTF_8);
    return new LogEntry(1, index,
        new Command("crash-client", index, index, new Op.Put(key, value)));
  }

  public static void main(String[] args) {
    Path dir = Path.of(args[0]);
    long maxIndex = Long.parseLong(args[1]);
    long deadlineNanos = System.nanoTime() + TimeUnit.SECONDS.toNanos(Long.parseLong(args[2]));
    PrintStream out = System.out;
    try (NodeStore store = NodeStore.open(dir)) {
      out.println("open");
      out.flush();
      for (long i = 1; i <= maxIndex && System.nanoTime() - deadlineNanos < 0; i++) {
        store.append(List.of(
            new LogAppend(SHARD_A, entry(SHARD_A, i)), new LogAppend(SHARD_B, entry(SHARD_B, i))));
        out.println("appended " + i);
        out.flush();
      }
    }
    out.println("done");
    out.flush();
  }
}
