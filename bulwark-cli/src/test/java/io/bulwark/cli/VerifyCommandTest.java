package io.bulwark.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Goal: {@code verify} refuses bad input before it starts anything, with exit 2 and a message
 * naming the limit or the reason (the clock nemesis is not available).
 *
 * <p>Method: run {@link Main#execute} in-process; a usage error returns before any process,
 * directory or namespace is created, so these tests need no cluster and no root.
 */
class VerifyCommandTest {
  private final CliRunner cli = new CliRunner();

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "--workload counter|--workload must be register or bank, was 'counter'",
      "--nemesis clock|the clock nemesis is not available: verify never changes the machine's clock",
      "--nemesis kill,flood|unknown nemesis 'flood'; known: kill, pause, partition, disk-full",
      "--nodes 2|--nodes must be 3..9 (replication factor 3), was 2",
      "--time 0|--time must be 1..3600 seconds, was 0",
      "--clients 101|--clients must be 1..100, was 101",
      "--rate 0|--rate must be 1..10000 operations per second, was 0",
      "--zookeeper-ensemble 2|--zookeeper-ensemble must be an odd number of servers, 1..5, was 2",
      "--keyspace-acks some|--keyspace-acks must be all or primary, was 'some'"})
  void badInput_isUsageErrorNamingTheLimit(String args, String message) {
    CliRunner.Result r = cli.run(("verify " + args).split(" "));
    assertEquals(ExitCode.USAGE, r.exitCode(), r.err());
    assertTrue(r.err().startsWith("error: " + message), r.err());
    assertEquals("", r.out());
  }
}
