package io.bulwark.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.bulwark.client.LearnerCopy;
import io.bulwark.client.ShardLocation;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Goal: the small pieces under the commands — standard-input values, text tables (with
 * re-replication progress), endpoint checks and the supervisor's arguments — behave as
 * documented.
 */
class CommandPartsTest {
  @Test
  void putReadsAllOfStandardInputExactly() {
    byte[] value = "line 1\nline 2\n".getBytes(StandardCharsets.UTF_8);
    assertArrayEquals(value, PutCommand.readAll(new ByteArrayInputStream(value)));
  }

  @Test
  void putRefusesStandardInputOverItsBound() {
    InputStream endless = new InputStream() {
      @Override
      public int read() {
        return 'x';
      }

      @Override
      public int read(byte[] b, int off, int len) {
        java.util.Arrays.fill(b, off, off + len, (byte) 'x');
        return len;
      }
    };
    CliException e = assertThrows(CliException.class, () -> PutCommand.readAll(endless));
    assertEquals(ExitCode.FAILED, e.exitCode());
  }

  @Test
  void textTable_alignsColumnsWithoutTrailingSpaces() {
    String t = TextFormat.table(List.of(List.of("NODE", "ALIVE"), List.of("n10", "yes")));
    assertEquals("NODE  ALIVE\nn10   yes\n", t);
  }

  @Test
  void shardTable_showsEachLearnersProgressAsPercentAndBytes() {
    ShardLocation copying = new ShardLocation("default", 3, 5, "n2", List.of("n1"),
        List.of("n4", "n5"), "127.0.0.1:7002",
        List.of(new LearnerCopy("n4", 63, 13_002_342, 63, 100)));
    assertEquals("KEYSPACE  SHARD  EPOCH  PRIMARY  BACKUPS  LEARNERS\n"
        + "default   3      5      n2       n1       n4(63%, 12.4 MiB),n5\n",
        TextFormat.shardTable(List.of(copying)));
  }

  @Test
  void bytesForPeople_useBinaryUnitsWithOneDecimal() {
    assertEquals("0 B", TextFormat.bytes(0));
    assertEquals("1023 B", TextFormat.bytes(1023));
    assertEquals("1.0 KiB", TextFormat.bytes(1024));
    assertEquals("1.0 MiB", TextFormat.bytes(1024 * 1024 - 1), "never 1024.0 KiB");
    assertEquals("12.4 MiB", TextFormat.bytes(13_002_342));
    assertEquals("3.0 GiB", TextFormat.bytes(3L << 30));
    assertEquals("8.0 EiB", TextFormat.bytes(Long.MAX_VALUE));
  }

  @Test
  void endpoints_acceptListsAndBracketedIpv6() {
    assertEquals(List.of("a:1", "b:2"), Endpoints.parse("a:1, b:2"));
    assertEquals(List.of("[::1]:7000"), Endpoints.parse("[::1]:7000"));
  }

  @Test
  void supervisorArguments_areParsed() {
    assertThrows(IllegalArgumentException.class,
        () -> LocalSupervisor.fromArguments(new String[] {"/tmp/x"}));
    assertThrows(IllegalArgumentException.class,
        () -> LocalSupervisor.fromArguments(new String[] {"/tmp/x", "17"}));
    assertThrows(IllegalArgumentException.class,
        () -> LocalSupervisor.fromArguments(new String[] {"/tmp/x", "3", "--base-port"}));
    assertThrows(IllegalArgumentException.class,
        () -> LocalSupervisor.fromArguments(new String[] {"/tmp/x", "3", "--owner-pid", "me"}));
    LocalSupervisor.fromArguments(new String[] {"/tmp/x", "3", "--base-port", "7000",
        "--run-id", "r", "--owner-pid", "1"});
  }
}
