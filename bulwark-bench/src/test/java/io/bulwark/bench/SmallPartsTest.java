package io.bulwark.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The small pure parts: parsing /proc stat lines and srvr replies, workloads, the ack log. */
class SmallPartsTest {
  @Test
  void procStat_utimePlusStime_evenWithParenthesesInTheName() {
    String stat = "4242 (java (x) y) S 1 4242 4242 0 -1 4194560 100 0 0 0 1234 567 0 0 20 0 "
        + "30 0 100 0 0";
    assertEquals(1234 + 567, ProcessCpu.parseTicks(stat));
  }

  @Test
  void procStat_ofThisJvm_isReadable() {
    assertTrue(ProcessCpu.ticks(ProcessHandle.current().pid()) >= 0);
    assertEquals(-1, ProcessCpu.serverCpuNanos(java.util.List.of()));
  }

  @Test
  void srvrReply_modeLine() {
    String reply = "Zookeeper version: 3.9.5\nLatency min/avg/max: 0/0.0/0\nMode: follower\n"
        + "Node count: 5\n";
    assertEquals("follower", FourLetterWords.mode(reply));
    assertNull(FourLetterWords.mode("This ZooKeeper instance is not currently serving requests"));
    assertNull(FourLetterWords.mode(null));
  }

  @Test
  void workloads_parseByName_andRejectOthersNamingTheValidOnes() {
    assertEquals(Workload.MIXED50, Workload.parse("MIXED50"));
    assertEquals(Workload.TXN, Workload.parse("txn"));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Workload.parse("scan"));
    assertTrue(e.getMessage().contains("put, get, mixed90, mixed50, cas, txn"), e.getMessage());
  }

  @Test
  void config_namesTheFirstBadParameter() {
    assertEquals("--clients must be 1..1024, was 0",
        new BenchConfig(Workload.PUT, 0, 1, 1, 1, 1, 0).problem());
    assertEquals("--duration must be 1..3600 seconds, was 0",
        new BenchConfig(Workload.PUT, 1, 1, 0, 1, 1, 0).problem());
    assertNull(new BenchConfig(Workload.PUT, 64, 5, 20, 1000, 100, 0).problem());
    assertEquals("--workload txn writes two distinct keys: --keys must be at least 2, was 1",
        new BenchConfig(Workload.TXN, 1, 1, 1, 1, 1, 0).problem());
    assertNull(new BenchConfig(Workload.TXN, 1, 1, 1, 2, 1, 0).problem());
  }

  @Test
  void ackLog_firstAckAfterAMoment() {
    AckLog log = new AckLog();
    log.record(10);
    log.record(20);
    log.record(30);
    assertEquals(20, log.firstAfter(15));
    assertEquals(10, log.firstAfter(0));
    assertEquals(Long.MIN_VALUE, log.firstAfter(30));
  }

  @Test
  void keysAndValues_areFixedWidthAndSeeded() {
    assertEquals("bench-00000042", new String(Keys.key(42), java.nio.charset.StandardCharsets.US_ASCII));
    assertEquals(100, Keys.value(100, 7).length);
    assertEquals(new String(Keys.value(16, 7)), new String(Keys.value(16, 7)));
  }
}
