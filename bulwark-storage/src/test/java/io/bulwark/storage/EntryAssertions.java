package io.bulwark.storage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.bulwark.core.pb.LogEntry;
import io.bulwark.core.pb.Op;
import java.util.List;

/** Structural equality for log entries (records holding byte arrays compare by identity). */
final class EntryAssertions {
  private EntryAssertions() {}

  static void assertEntry(LogEntry expected, LogEntry actual) {
    assertEquals(expected.epoch(), actual.epoch(), "epoch");
    assertEquals(expected.index(), actual.index(), "index");
    assertEquals(expected.command().clientId(), actual.command().clientId(), "clientId");
    assertEquals(expected.command().seq(), actual.command().seq(), "seq");
    assertEquals(expected.command().firstUnackedSeq(), actual.command().firstUnackedSeq());
    Op e = expected.command().op();
    Op a = actual.command().op();
    assertEquals(e.getClass(), a.getClass(), "op type");
    if (e instanceof Op.Put ep) {
      Op.Put ap = (Op.Put) a;
      assertArrayEquals(ep.key(), ap.key(), "put key");
      assertArrayEquals(ep.value(), ap.value(), "put value");
    }
  }

  static void assertEntries(List<LogEntry> expected, List<LogEntry> actual) {
    assertEquals(expected.size(), actual.size(), "entry count");
    for (int i = 0; i < expected.size(); i++) {
      assertEntry(expected.get(i), actual.get(i));
    }
  }
}
