package io.bulwark.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bulwark.client.BulwarkException;
import io.bulwark.client.ErrorCode;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Goal: the DESIGN §8 exit codes and messages of command-line parsing, without a cluster.
 *
 * <p>Method: run {@link Main#execute} in-process ({@link CliRunner}); its client factory never
 * connects, so exit 2 with nothing recorded means the command stopped at a usage error, and the
 * recorded endpoints show what {@code --cluster}/{@code BULWARK_CLUSTER} resolved to.
 */
class MainTest {
  private final CliRunner cli = new CliRunner();

  @Test
  void dataCommandWithoutClusterOrEnvironment_isUsageErrorNamingBoth() {
    CliRunner.Result r = cli.run("get", "k");
    assertEquals(ExitCode.USAGE, r.exitCode());
    assertTrue(r.err().contains("pass --cluster host:port,... or export BULWARK_CLUSTER"), r.err());
    assertTrue(cli.connectedTo.isEmpty());
    assertEquals("", r.out());
  }

  @Test
  void clusterFromEnvironment_isUsedWhenFlagAbsent() {
    cli.withEnv("BULWARK_CLUSTER", "127.0.0.1:7001,127.0.0.1:7002");
    CliRunner.Result r = cli.run("get", "k");
    assertEquals(List.of("127.0.0.1:7001,127.0.0.1:7002"), cli.connectedTo);
    assertEquals(ExitCode.FAILED, r.exitCode());
    assertTrue(r.err().startsWith("error: " + CliRunner.NOT_CONNECTING), r.err());
  }

  @Test
  void clusterFlag_winsOverEnvironment() {
    cli.withEnv("BULWARK_CLUSTER", "10.0.0.1:1");
    cli.run("status", "--cluster", "127.0.0.1:9");
    assertEquals(List.of("127.0.0.1:9"), cli.connectedTo);
  }

  @ParameterizedTest
  @ValueSource(strings = {"x", "host:", ":7000", "host:0", "host:70000", "host:abc", "a:1,,b:2",
      "a:1,"})
  void malformedCluster_isUsageErrorQuotingIt(String cluster) {
    CliRunner.Result r = cli.run("put", "k", "v", "--cluster", cluster);
    assertEquals(ExitCode.USAGE, r.exitCode(), r.err());
    assertTrue(r.err().startsWith("error: invalid --cluster '" + cluster + "'"), r.err());
    assertTrue(cli.connectedTo.isEmpty());
  }

  @Test
  void malformedEnvironmentCluster_isUsageErrorNamingTheVariable() {
    cli.withEnv("BULWARK_CLUSTER", "nonsense");
    CliRunner.Result r = cli.run("status");
    assertEquals(ExitCode.USAGE, r.exitCode());
    assertTrue(r.err().contains("invalid $BULWARK_CLUSTER 'nonsense'"), r.err());
  }

  @Test
  void unknownCommand_isUsageError() {
    CliRunner.Result r = cli.run("frobnicate");
    assertEquals(ExitCode.USAGE, r.exitCode());
    assertTrue(r.err().startsWith("error: unknown command 'frobnicate'"), r.err());
  }

  @Test
  void unknownOption_isUsageError() {
    CliRunner.Result r = cli.run("get", "k", "--cluster", "h:1", "--bogus");
    assertEquals(ExitCode.USAGE, r.exitCode());
    assertTrue(r.err().contains("--bogus"), r.err());
  }

  @Test
  void noCommand_printsUsageAndIsUsageError() {
    CliRunner.Result r = cli.run();
    assertEquals(ExitCode.USAGE, r.exitCode());
    assertTrue(r.err().contains("Usage: bulwark"), r.err());
  }

  @Test
  void help_exitsZeroOnStandardOut() {
    CliRunner.Result r = cli.run("--help");
    assertEquals(ExitCode.OK, r.exitCode());
    assertTrue(r.out().contains("keyspace"), r.out());
  }

  @ParameterizedTest
  @ValueSource(strings = {"keyspace", "local"})
  void groupWithoutSubcommand_isUsageError(String group) {
    CliRunner.Result r = cli.run(group);
    assertEquals(ExitCode.USAGE, r.exitCode());
    assertTrue(r.err().contains("missing subcommand"), r.err());
  }

  @Test
  void keyspaceCreateWithBadAcks_isUsageErrorListingChoices() {
    CliRunner.Result r =
        cli.run("keyspace", "create", "orders", "--acks", "some", "--cluster", "h:1");
    assertEquals(ExitCode.USAGE, r.exitCode());
    assertTrue(r.err().contains("--acks") && r.err().contains("all, primary"), r.err());
    assertTrue(cli.connectedTo.isEmpty());
  }

  @Test
  void keyspaceCreateWithMinInsyncAboveReplicas_isUsageErrorBeforeConnecting() {
    CliRunner.Result r = cli.run("keyspace", "create", "orders", "--replicas", "2",
        "--min-insync", "3", "--cluster", "h:1");
    assertEquals(ExitCode.USAGE, r.exitCode());
    assertTrue(r.err().contains("min-insync must be between 1 and replicas (2), was 3"), r.err());
    assertTrue(cli.connectedTo.isEmpty());
  }

  @Test
  void keyspaceCreateWithOneReplica_defaultsMinInsyncToOneAndConnects() {
    CliRunner.Result r = cli.run("keyspace", "create", "solo", "--replicas", "1", "--cluster",
        "h:1");
    assertEquals(List.of("h:1"), cli.connectedTo, r.err());
  }

  @Test
  void keyspaceCreateWithBadName_isUsageError() {
    CliRunner.Result r = cli.run("keyspace", "create", "Bad Name", "--cluster", "h:1");
    assertEquals(ExitCode.USAGE, r.exitCode());
    assertTrue(r.err().contains("keyspace name 'Bad Name'"), r.err());
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "k|old",                                  // EXPECTED NEW needs two values
      "k|old|new|extra",                        // at most two
      "k|new|--expect-absent|--expect-version|3",
      "k|--expect-absent|--delete",
      "k|old|new|--delete",                     // --delete takes EXPECTED only
      "k|new|--expect-version|-1",
      "k|--expect-version|abc|new",
  })
  void casWithWrongValuesForItsOptions_isUsageError(String joined) {
    String[] args = ("cas|" + joined + "|--cluster|h:1").split("\\|");
    CliRunner.Result r = cli.run(args);
    assertEquals(ExitCode.USAGE, r.exitCode(), r.err());
    assertTrue(cli.connectedTo.isEmpty());
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "k|old|new",
      "k|new|--expect-absent",
      "k|new|--expect-version|0",
      "k|old|--delete",
      "k|--expect-version|7|--delete",
  })
  void casWithValuesMatchingItsOptions_reachesTheCluster(String joined) {
    String[] args = ("cas|" + joined + "|--cluster|h:1").split("\\|");
    CliRunner.Result r = cli.run(args);
    assertEquals(List.of("h:1"), cli.connectedTo, r.err());
  }

  @Test
  void scanWithZeroLimit_isUsageError() {
    CliRunner.Result r = cli.run("scan", "p", "--limit", "0", "--cluster", "h:1");
    assertEquals(ExitCode.USAGE, r.exitCode());
    assertTrue(r.err().contains("--limit must be at least 1"), r.err());
  }

  @Test
  void valueStartingWithAt_isAValueNotAnArgumentFile() {
    cli.run("put", "k", "@/etc/passwd", "--cluster", "h:1");
    assertEquals(List.of("h:1"), cli.connectedTo);
  }

  @Test
  void clusterUnavailable_exitsThreeWithOneLineAndNoStackTrace() {
    CliEnvironment env = environment(endpoints -> {
      throw new BulwarkException(ErrorCode.CLUSTER_UNAVAILABLE, true,
          "no node answered get keyspace=default within 10000 ms; tried h:1");
    });
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    env = new CliEnvironment(env.env(), env.in(), env.out(),
        new PrintStream(err, true, StandardCharsets.UTF_8), env.clients());
    int code = Main.execute(new String[] {"get", "k", "--cluster", "h:1"}, env);
    assertEquals(ExitCode.UNAVAILABLE, code);
    String text = err.toString(StandardCharsets.UTF_8);
    assertEquals("error: no node answered get keyspace=default within 10000 ms; tried h:1\n",
        text);
  }

  @Test
  void invalidArgumentFromCluster_exitsOneWithTheLimitInTheMessage() {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    CliEnvironment env = new CliEnvironment(Map.of(), new ByteArrayInputStream(new byte[0]),
        new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8),
        endpoints -> {
          throw new BulwarkException(ErrorCode.INVALID_ARGUMENT, true,
              "value is 2000000 bytes; the limit is 1048576 bytes");
        });
    int code = Main.execute(new String[] {"put", "k", "v", "--cluster", "h:1"}, env);
    assertEquals(ExitCode.FAILED, code);
    assertEquals("error: value is 2000000 bytes; the limit is 1048576 bytes\n",
        err.toString(StandardCharsets.UTF_8));
  }

  @Test
  void version_namesTheProjectVersion() {
    CliRunner.Result r = cli.run("--version");
    assertEquals(ExitCode.OK, r.exitCode());
    assertTrue(r.out().startsWith("bulwark "), r.out());
    assertFalse(r.out().contains("${"), r.out());
  }

  @Test
  void serverWithMissingConfigFile_isUsageErrorNamingTheFile() {
    CliRunner.Result r = cli.run("server", "--config", "/nonexistent/node.properties");
    assertEquals(ExitCode.USAGE, r.exitCode());
    assertTrue(r.err().contains("cannot read config file /nonexistent/node.properties"), r.err());
  }

  private static CliEnvironment environment(CliEnvironment.ClientFactory factory) {
    return new CliEnvironment(Map.of(), new ByteArrayInputStream(new byte[0]),
        new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
        new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8), factory);
  }
}
