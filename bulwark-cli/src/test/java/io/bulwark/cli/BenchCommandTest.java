package io.bulwark.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bulwark.client.BulwarkException;
import io.bulwark.client.ErrorCode;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/**
 * Goal: {@code bench} rejects bad options with exit 2 and a message naming the option, before it
 * starts or connects to anything; an unreachable {@code --cluster} is exit 3.
 *
 * <p>Method: {@link Main#execute} in-process; {@link CliRunner}'s client factory records any
 * connection attempt, so "nothing recorded" proves the command stopped at the usage error.
 */
class BenchCommandTest {
  private final CliRunner cli = new CliRunner();

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "--clients 0               | --clients must be 1..1024, was 0",
      "--clients 5000            | --clients must be 1..1024, was 5000",
      "--duration 0              | --duration must be 1..3600 seconds, was 0",
      "--warmup -1               | --warmup must be 0..3600 seconds, was -1",
      "--keys 0                  | --keys must be 1..1000000, was 0",
      "--value-size 0            | --value-size must be 1..1048576 bytes, was 0",
      "--workload scan           | --workload: unknown workload 'scan'; expected one of put, get, mixed90, mixed50, cas, txn",
      "--workload txn --keys 1   | --workload txn writes two distinct keys: --keys must be at least 2, was 1",
      "--rounds 0                | --rounds must be 1..100, was 0",
      "--kills 0                 | --kills must be 1..100, was 0",
      "--peer mysql              | --peer must be etcd or zookeeper, was 'mysql'",
      "--cluster host:           | invalid --cluster 'host:'",
      "--failover --cluster a:1  | --failover kills processes",
      "--clients abc             | Invalid value for option '--clients'",
  })
  void badOption_isUsageErrorNamingIt(String args, String message) {
    CliRunner.Result r = cli.run(("bench " + args.trim()).split("\\s+"));

    assertEquals(ExitCode.USAGE, r.exitCode(), r.err());
    assertTrue(r.err().startsWith("error: " + message), r.err());
    assertTrue(cli.connectedTo.isEmpty(), "connected to " + cli.connectedTo);
    assertEquals("", r.out());
  }

  @Test
  void existingCluster_fromTheEnvironment_isWhatTheBenchConnectsTo() {
    cli.withEnv("BULWARK_CLUSTER", "127.0.0.1:7001");

    CliRunner.Result r = cli.run("bench", "--duration", "1");

    assertEquals(java.util.List.of("127.0.0.1:7001"), cli.connectedTo);
    assertEquals(ExitCode.FAILED, r.exitCode(), r.err());
  }

  @Test
  void unavailableCluster_isExit3() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    CliEnvironment env = new CliEnvironment(Map.of(), new ByteArrayInputStream(new byte[0]),
        new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8),
        endpoints -> {
          throw new BulwarkException(ErrorCode.CLUSTER_UNAVAILABLE, true,
              "no node of " + endpoints + " answered");
        });

    int code = Main.execute(new String[] {"bench", "--cluster", "127.0.0.1:9"}, env);

    String e = err.toString(StandardCharsets.UTF_8);
    assertEquals(ExitCode.UNAVAILABLE, code, e);
    assertTrue(e.contains("no node of 127.0.0.1:9 answered"), e);
    assertEquals("", out.toString(StandardCharsets.UTF_8));
  }
}
