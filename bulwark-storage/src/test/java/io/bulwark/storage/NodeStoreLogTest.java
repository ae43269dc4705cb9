package io.bulwark.storage;

import static io.bulwark.storage.EntryAssertions.assertEntries;
import static io.bulwark.storage.EntryAssertions.assertEntry;
import static io.bulwark.storage.Entries.ORDERS_7;
import static io.bulwark.storage.Entries.USERS_0;
import static io.bulwark.storage.Entries.USERS_1;
import static io.bulwark.storage.Entries.concat;
import static io.bulwark.storage.Entries.put;
import static io.bulwark.storage.Entries.puts;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bulwark.core.pb.LogEntry;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Goal: the log column family keeps NodeStore's promises (DESIGN §3.1, §3.10, §7): appended
 * entries survive a reopen and read back verified; a group commit spans shards and is atomic;
 * damage (bad CRC32C, a missing entry, an entry under the wrong index) is reported with shard
 * and index, never returned; truncation and trimming respect the applied index.
 *
 * <p>Method: a real RocksDB in a {@code @TempDir}. Damage is done through a raw RocksDB handle
 * ({@link RawDb}) on the closed store's directory, as a bad disk or a bug would leave it.
 */
class NodeStoreLogTest {
  @TempDir Path dir;

  private List<LogEntry> entriesOf(List<LogAppend> appends) {
    return appends.stream().map(LogAppend::entry).collect(Collectors.toList());
  }

  @Test
  void appendThenReopen_returnsEveryEntry() {
    List<LogAppend> appends = puts(USERS_0, 1, 1, 50);
    try (NodeStore store = NodeStore.open(dir)) {
      store.append(appends.subList(0, 20));
      store.append(appends.subList(20, 50));
    }
    try (NodeStore store = NodeStore.open(dir)) {
      assertEquals(1, store.firstLogIndex(USERS_0));
      assertEquals(50, store.lastLogIndex(USERS_0));
      assertEntries(entriesOf(appends), store.readLog(USERS_0, 1, 1000));
    }
  }

  @Test
  void groupCommitAcrossShards_eachShardReadsOnlyItsOwnEntries() {
    List<LogAppend> a = puts(USERS_0, 1, 1, 10);
    List<LogAppend> b = puts(USERS_1, 3, 1, 5);
    List<LogAppend> c = puts(ORDERS_7, 2, 1, 7);
    try (NodeStore store = NodeStore.open(dir)) {
      store.append(concat(concat(a, b), c));
      assertEntries(entriesOf(a), store.readLog(USERS_0, 1, 100));
      assertEntries(entriesOf(b), store.readLog(USERS_1, 1, 100));
      assertEntries(entriesOf(c), store.readLog(ORDERS_7, 1, 100));
      assertEquals(List.of(ORDERS_7, USERS_0, USERS_1), store.shards());
    }
  }

  @Test
  void readLog_fromIndexAndMaxEntries_returnsThatWindowOnly() {
    List<LogAppend> appends = puts(USERS_0, 1, 1, 30);
    try (NodeStore store = NodeStore.open(dir)) {
      store.append(appends);
      assertEntries(entriesOf(appends.subList(9, 14)), store.readLog(USERS_0, 10, 5));
      assertEntries(entriesOf(appends.subList(27, 30)), store.readLog(USERS_0, 28, 100));
      assertEquals(List.of(), store.readLog(USERS_0, 31, 10));
      assertThrows(IllegalArgumentException.class, () -> store.readLog(USERS_0, 0, 10));
      assertThrows(IllegalArgumentException.class, () -> store.readLog(USERS_0, 1, 0));
    }
  }

  @Test
  void unknownShard_hasEmptyLog() {
    try (NodeStore store = NodeStore.open(dir)) {
      assertEquals(0, store.firstLogIndex(USERS_0));
      assertEquals(0, store.lastLogIndex(USERS_0));
      assertEquals(List.of(), store.readLog(USERS_0, 1, 10));
      assertEquals(List.of(), store.shards());
    }
  }

  @Test
  void appendWithGap_isRefusedAndNoShardOfTheBatchIsWritten() {
    try (NodeStore store = NodeStore.open(dir)) {
      store.append(puts(USERS_1, 1, 1, 3));
      List<LogAppend> batch = concat(puts(USERS_0, 1, 1, 5), puts(USERS_1, 1, 5, 6));
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> store.append(batch));
      assertTrue(e.getMessage().contains("users/1"), e.getMessage());
      assertEquals(0, store.lastLogIndex(USERS_0));
      assertEquals(3, store.lastLogIndex(USERS_1));
    }
  }

  @Test
  void appendOverAnExistingIndex_isRefused_untilTruncated() {
    try (NodeStore store = NodeStore.open(dir)) {
      store.append(puts(USERS_0, 1, 1, 5));
      List<LogAppend> overwrite = List.of(new LogAppend(USERS_0, put(2, 4, "x", "y")));
      assertThrows(IllegalArgumentException.class, () -> store.append(overwrite));
      store.truncateAfter(USERS_0, 3);
      store.append(overwrite);
      assertEntry(put(2, 4, "x", "y"), store.readLog(USERS_0, 4, 10).get(0));
      assertEquals(4, store.lastLogIndex(USERS_0));
    }
  }

  @Test
  void appendWithEpochGoingBack_isRefused() {
    try (NodeStore store = NodeStore.open(dir)) {
      store.append(puts(USERS_0, 5, 1, 2));
      assertThrows(IllegalArgumentException.class,
          () -> store.append(List.of(new LogAppend(USERS_0, put(4, 3, "k", "v")))));
      assertThrows(IllegalArgumentException.class, () -> store.append(List.of(
          new LogAppend(USERS_0, put(6, 3, "k", "v")),
          new LogAppend(USERS_0, put(5, 4, "k", "v")))));
      assertEquals(2, store.lastLogIndex(USERS_0));
    }
  }

  @Test
  void appendToEmptyLog_aboveAppliedIndexPlusOne_isRefused() {
    try (NodeStore store = NodeStore.open(dir)) {
      assertThrows(IllegalArgumentException.class,
          () -> store.append(List.of(new LogAppend(USERS_0, put(1, 2, "k", "v")))));
      assertThrows(IllegalArgumentException.class,
          () -> store.append(List.of(new LogAppend(USERS_0, put(1, 0, "k", "v")))));
      store.append(List.of(new LogAppend(USERS_0, put(1, 1, "k", "v"))));
      assertEquals(1, store.lastLogIndex(USERS_0));
    }
  }

  @Test
  void flippedByteInStoredEntry_readLogThrowsCorruptLogNamingShardAndIndex() throws Exception {
    try (NodeStore store = NodeStore.open(dir)) {
      store.append(puts(USERS_0, 1, 1, 10));
    }
    try (RawDb raw = new RawDb(dir)) {
      byte[] key = Keys.logKey(Keys.shardPrefix(USERS_0), 7);
      byte[] value = raw.get(raw.log(), key);
      value[value.length - 1] ^= 0x01;
      raw.put(raw.log(), key, value);
    }
    try (NodeStore store = NodeStore.open(dir)) {
      assertEntries(entriesOf(puts(USERS_0, 1, 1, 6)), store.readLog(USERS_0, 1, 6));
      CorruptLogException e =
          assertThrows(CorruptLogException.class, () -> store.readLog(USERS_0, 1, 100));
      assertEquals(USERS_0, e.shard());
      assertEquals(7, e.index());
      assertTrue(e.getMessage().contains("users/0") && e.getMessage().contains("index 7")
          && e.getMessage().contains("CRC32C"), e.getMessage());
    }
  }

  @Test
  void missingEntryInTheMiddle_readLogThrowsCorruptLog() throws Exception {
    try (NodeStore store = NodeStore.open(dir)) {
      store.append(puts(USERS_0, 1, 1, 10));
    }
    try (RawDb raw = new RawDb(dir)) {
      raw.delete(raw.log(), Keys.logKey(Keys.shardPrefix(USERS_0), 5));
    }
    try (NodeStore store = NodeStore.open(dir)) {
      CorruptLogException e =
          assertThrows(CorruptLogException.class, () -> store.readLog(USERS_0, 2, 100));
      assertEquals(5, e.index());
      assertTrue(e.getMessage().contains("missing"), e.getMessage());
    }
  }

  @Test
  void validEntryStoredUnderAnotherIndex_readLogThrowsCorruptLog() throws Exception {
    try (NodeStore store = NodeStore.open(dir)) {
      store.append(puts(USERS_0, 1, 1, 10));
    }
    try (RawDb raw = new RawDb(dir)) {
      byte[] prefix = Keys.shardPrefix(USERS_0);
      raw.put(raw.log(), Keys.logKey(prefix, 4), raw.get(raw.log(), Keys.logKey(prefix, 3)));
    }
    try (NodeStore store = NodeStore.open(dir)) {
      CorruptLogException e =
          assertThrows(CorruptLogException.class, () -> store.readLog(USERS_0, 1, 100));
      assertEquals(4, e.index());
    }
  }

  @Test
  void corruptLastEntry_appendRefusesBeforeWriting() throws Exception {
    try (NodeStore store = NodeStore.open(dir)) {
      store.append(puts(USERS_0, 1, 1, 3));
    }
    try (RawDb raw = new RawDb(dir)) {
      raw.put(raw.log(), Keys.logKey(Keys.shardPrefix(USERS_0), 3), new byte[] {1, 2});
    }
    try (NodeStore store = NodeStore.open(dir)) {
      CorruptLogException e = assertThrows(CorruptLogException.class,
          () -> store.append(puts(USERS_0, 1, 4, 4)));
      assertEquals(3, e.index());
      assertEquals(3, store.lastLogIndex(USERS_0));
    }
  }

  @Test
  void truncateAfter_deletesLaterEntriesDurably_andTheLogContinuesInANewEpoch() {
    try (NodeStore store = NodeStore.open(dir)) {
      store.append(puts(USERS_0, 1, 1, 10));
      store.append(puts(USERS_1, 1, 1, 10));
      store.truncateAfter(USERS_0, 6);
      store.truncateAfter(USERS_0, 20);
    }
    try (NodeStore store = NodeStore.open(dir)) {
      assertEquals(6, store.lastLogIndex(USERS_0));
      assertEquals(10, store.lastLogIndex(USERS_1));
      store.append(puts(USERS_0, 2, 7, 8));
      List<LogEntry> log = store.readLog(USERS_0, 1, 100);
      assertEquals(8, log.size());
      assertEntry(put(1, 6, "key-6", "users/0-value-6"), log.get(5));
      assertEquals(2, log.get(6).epoch());
    }
  }

  @Test
  void truncateAfterBelowTheAppliedIndex_isRefused() {
    try (NodeStore store = NodeStore.open(dir)) {
      List<LogAppend> appends = puts(USERS_0, 1, 1, 5);
      store.append(appends);
      for (LogEntry e : entriesOf(appends.subList(0, 3))) {
        store.stateMachine(USERS_0).apply(e);
      }
      store.flushApplies(); // As the replica loop does at the end of a pass.
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> store.truncateAfter(USERS_0, 2));
      assertTrue(e.getMessage().contains("applied index is 3"), e.getMessage());
      store.truncateAfter(USERS_0, 3);
      assertEquals(3, store.lastLogIndex(USERS_0));
    }
  }

  @Test
  void trimBefore_deletesEarlierEntries_andReadingBelowTheFirstIsRefused() {
    try (NodeStore store = NodeStore.open(dir)) {
      List<LogAppend> appends = puts(USERS_0, 1, 1, 10);
      store.append(appends);
      for (LogEntry e : entriesOf(appends.subList(0, 6))) {
        store.stateMachine(USERS_0).apply(e);
      }
      store.flushApplies();
      store.trimBefore(USERS_0, 5);
      assertEquals(5, store.firstLogIndex(USERS_0));
      assertEquals(10, store.lastLogIndex(USERS_0));
      assertEntries(entriesOf(appends.subList(4, 10)), store.readLog(USERS_0, 5, 100));
      assertThrows(IllegalArgumentException.class, () -> store.readLog(USERS_0, 4, 100));
    }
    try (NodeStore store = NodeStore.open(dir)) {
      assertEquals(6, store.stateMachine(USERS_0).appliedIndex());
      assertEquals(5, store.firstLogIndex(USERS_0));
    }
  }

  @Test
  void appliesNotYetFlushed_areReadButNotStored_soTheirEntriesAreNotTrimmed() {
    try (NodeStore store = NodeStore.open(dir)) {
      List<LogAppend> appends = puts(USERS_0, 1, 1, 4);
      store.append(appends);
      RocksShardStateMachine sm = store.stateMachine(USERS_0);
      for (LogAppend a : appends) {
        sm.apply(a.entry());
      }
      assertEquals(4, sm.appliedIndex());
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> store.trimBefore(USERS_0, 3));
      assertTrue(e.getMessage().contains("applied index is 0"), e.getMessage());
      store.flushApplies();
      store.trimBefore(USERS_0, 5);
      assertEquals(0, store.lastLogIndex(USERS_0));
    }
  }

  @Test
  void trimBeforeAboveAppliedIndexPlusOne_isRefused() {
    try (NodeStore store = NodeStore.open(dir)) {
      List<LogAppend> appends = puts(USERS_0, 1, 1, 10);
      store.append(appends);
      store.stateMachine(USERS_0).apply(appends.get(0).entry());
      store.stateMachine(USERS_0).apply(appends.get(1).entry());
      store.flushApplies();
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> store.trimBefore(USERS_0, 4));
      assertTrue(e.getMessage().contains("applied index is 2"), e.getMessage());
      assertEquals(1, store.firstLogIndex(USERS_0));
      store.trimBefore(USERS_0, 3);
      assertEquals(3, store.firstLogIndex(USERS_0));
    }
  }

  @Test
  void trimOfTheWholeAppliedLog_thenAppendContinuesAtAppliedIndexPlusOne() {
    try (NodeStore store = NodeStore.open(dir)) {
      List<LogAppend> appends = puts(USERS_0, 1, 1, 4);
      store.append(appends);
      for (LogAppend a : appends) {
        store.stateMachine(USERS_0).apply(a.entry());
      }
      store.flushApplies();
      store.trimBefore(USERS_0, 5);
      assertEquals(0, store.lastLogIndex(USERS_0));
      assertThrows(IllegalArgumentException.class, () -> store.append(puts(USERS_0, 1, 6, 6)));
      store.append(puts(USERS_0, 2, 5, 6));
      assertEquals(5, store.firstLogIndex(USERS_0));
      assertEquals(6, store.lastLogIndex(USERS_0));
    }
  }

  @Test
  void droppedShard_acceptsAFreshLogFromIndexOne() {
    try (NodeStore store = NodeStore.open(dir)) {
      store.append(puts(USERS_0, 3, 1, 5));
      store.dropShard(USERS_0);
      // The store remembers each shard's last appended position; a drop must make it forget.
      store.append(puts(USERS_0, 1, 1, 2));
      assertEquals(1, store.firstLogIndex(USERS_0));
      assertEquals(2, store.lastLogIndex(USERS_0));
      assertEquals(1, store.readLog(USERS_0, 1, 10).get(1).epoch());
    }
  }
}
