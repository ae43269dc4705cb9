package io.bulwark.storage;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.bulwark.core.common.ShardId;
import io.bulwark.core.pb.Command;
import io.bulwark.core.pb.LogEntry;
import io.bulwark.core.pb.Op;
import java.util.ArrayList;
import java.util.List;

/** Builders for log entries and appends, shared by the storage tests. */
final class Entries {
  static final ShardId USERS_0 = new ShardId("users", 0);
  static final ShardId USERS_1 = new ShardId("users", 1);
  static final ShardId ORDERS_7 = new ShardId("orders", 7);

  private Entries() {}

  static byte[] b(String s) {
    return s.getBytes(UTF_8);
  }

  static LogEntry put(long epoch, long index, String key, String value) {
    return new LogEntry(epoch, index,
        new Command("c", index, 0, new Op.Put(b(key), b(value))));
  }

  static LogEntry entry(long epoch, long index, Command command) {
    return new LogEntry(epoch, index, command);
  }

  static Command client(String clientId, long seq, long firstUnackedSeq, Op op) {
    return new Command(clientId, seq, firstUnackedSeq, op);
  }

  /** Puts {@code key-i = value-i} at indexes {@code from..to}, epoch {@code epoch}. */
  static List<LogAppend> puts(ShardId shard, long epoch, long from, long to) {
    List<LogAppend> appends = new ArrayList<>();
    for (long i = from; i <= to; i++) {
      appends.add(new LogAppend(shard, put(epoch, i, "key-" + i, shard + "-value-" + i)));
    }
    return appends;
  }

  static List<LogAppend> concat(List<LogAppend> a, List<LogAppend> b) {
    List<LogAppend> all = new ArrayList<>(a);
    all.addAll(b);
    return all;
  }
}
