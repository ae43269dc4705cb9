package io.bulwark.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Goal: {@code bulwark check} passes its arguments to the checker and returns the DESIGN §9 exit
 * codes: 0 valid, 1 invalid, 2 unreadable (and usage errors), 4 unknown, printing the verdict as
 * text or, with {@code --json}, one document.
 *
 * <p>Method: tiny hand-written histories in a temporary directory.
 */
class CheckHistoryCommandTest {
  private static final String WRITE_1_THEN_READ_NOTHING = String.join("\n",
      "{\"process\":1,\"type\":\"invoke\",\"f\":\"write\",\"key\":\"x\",\"value\":\"1\",\"time\":0}",
      "{\"process\":1,\"type\":\"ok\",\"f\":\"write\",\"key\":\"x\",\"value\":\"1\",\"time\":10}",
      "{\"process\":2,\"type\":\"invoke\",\"f\":\"read\",\"key\":\"x\",\"value\":null,\"time\":20}",
      "{\"process\":2,\"type\":\"ok\",\"f\":\"read\",\"key\":\"x\",\"value\":null,\"time\":30}");

  @TempDir Path dir;

  private final CliRunner cli = new CliRunner();

  private Path history(String... lines) throws IOException {
    Path file = dir.resolve("history.jsonl");
    Files.writeString(file, String.join("\n", lines) + "\n");
    return file;
  }

  @Test
  void linearizableHistory_isValidExitZero() throws IOException {
    Path file = history(
        "{\"process\":1,\"type\":\"invoke\",\"f\":\"write\",\"key\":\"k\",\"value\":\"1\",\"time\":10}",
        "{\"process\":1,\"type\":\"ok\",\"f\":\"write\",\"key\":\"k\",\"value\":\"1\",\"time\":20}",
        "{\"process\":2,\"type\":\"invoke\",\"f\":\"read\",\"key\":\"k\",\"value\":null,\"time\":30}",
        "{\"process\":2,\"type\":\"ok\",\"f\":\"read\",\"key\":\"k\",\"value\":\"1\",\"time\":40}");
    CliRunner.Result r = cli.run("check", file.toString(), "--model", "register");
    assertEquals(0, r.exitCode(), r.out() + r.err());
    assertTrue(r.out().startsWith("valid (register, 2 ops, "), r.out());
  }

  @Test
  void readOfAValueNeverWritten_isInvalidExitOneAsJson() throws IOException {
    Path file = history(
        "{\"process\":1,\"type\":\"invoke\",\"f\":\"write\",\"key\":\"k\",\"value\":\"1\",\"time\":10}",
        "{\"process\":1,\"type\":\"ok\",\"f\":\"write\",\"key\":\"k\",\"value\":\"1\",\"time\":20}",
        "{\"process\":2,\"type\":\"invoke\",\"f\":\"read\",\"key\":\"k\",\"value\":null,\"time\":30}",
        "{\"process\":2,\"type\":\"ok\",\"f\":\"read\",\"key\":\"k\",\"value\":\"2\",\"time\":40}");
    CliRunner.Result r = cli.run("check", file.toString(), "--json", "--time-limit", "10s");
    assertEquals(1, r.exitCode(), r.out() + r.err());
    assertEquals("invalid", new ObjectMapper().readTree(r.out()).get("verdict").textValue());
  }

  @Test
  void staleRead_isInvalidExitOneAndPrintsTheAnomaly() throws IOException {
    Path file = history(WRITE_1_THEN_READ_NOTHING);
    CliRunner.Result r = cli.run("check", file.toString());
    assertEquals(1, r.exitCode(), r.out() + r.err());
    assertTrue(r.out().startsWith("invalid (register, 2 ops, "), r.out());
    assertTrue(r.out().contains("key x is not linearizable"), r.out());
  }

  @Test
  void readOfAnAbortedWrite_isInvalidTxnHistoryExitOne() throws IOException {
    Path file = history(
        "{\"process\":1,\"type\":\"invoke\",\"f\":\"txn\",\"value\":[[\"w\",\"x\",\"1\"]],\"time\":0}",
        "{\"process\":1,\"type\":\"fail\",\"f\":\"txn\",\"value\":[[\"w\",\"x\",\"1\"]],\"time\":10}",
        "{\"process\":2,\"type\":\"invoke\",\"f\":\"txn\",\"value\":[[\"r\",\"x\",null]],\"time\":20}",
        "{\"process\":2,\"type\":\"ok\",\"f\":\"txn\",\"value\":[[\"r\",\"x\",\"1\"]],\"time\":30}");
    CliRunner.Result r = cli.run("check", file.toString(), "--model", "txn");
    assertEquals(1, r.exitCode(), r.out() + r.err());
    assertTrue(r.out().contains("G1a"), r.out());
  }

  @Test
  void malformedHistory_isUnreadableExitTwoNamingTheLine() throws IOException {
    Path file = history("{\"process\":1}");
    CliRunner.Result r = cli.run("check", file.toString());
    assertEquals(2, r.exitCode(), r.out() + r.err());
    assertTrue(r.out().startsWith("unreadable: "), r.out());
    assertTrue(r.out().contains("line 1: missing field \"type\""), r.out());
  }

  @Test
  void missingFile_isUnreadableExitTwo() {
    CliRunner.Result r = cli.run("check", dir.resolve("absent.jsonl").toString());
    assertEquals(2, r.exitCode());
    assertTrue(r.out().startsWith("unreadable: no such file: "), r.out());
  }

  @Test
  void historyOfTheOtherModel_isUnreadableExitTwo() throws IOException {
    Path file = history(WRITE_1_THEN_READ_NOTHING);
    CliRunner.Result r = cli.run("check", file.toString(), "--model", "txn");
    assertEquals(2, r.exitCode(), r.out() + r.err());
    assertTrue(r.out().contains("line 1: f write cannot be judged by the txn model"), r.out());
  }

  @Test
  void timeLimitReached_isUnknownExitFour() throws IOException {
    // 28 concurrent writes and two reads: far too many orders to try in 50 ms.
    int writers = 28;
    List<String> lines = new ArrayList<>();
    for (int p = 0; p < writers; p++) {
      lines.add(event(p, "invoke", "write", "v" + p, 0));
    }
    for (int p = 0; p < writers; p++) {
      lines.add(event(p, "ok", "write", "v" + p, 100));
    }
    lines.add(event(writers, "invoke", "read", null, 200));
    lines.add(event(writers, "ok", "read", "v0", 210));
    lines.add(event(writers, "invoke", "read", null, 220));
    lines.add(event(writers, "ok", "read", "v1", 230));
    Path file = history(lines.toArray(String[]::new));
    CliRunner.Result r = cli.run("check", file.toString(), "--time-limit", "50ms");
    assertEquals(4, r.exitCode(), r.out() + r.err());
    assertTrue(r.out().startsWith("unknown (register, 30 ops, "), r.out());
  }

  @Test
  void json_printsOneDocument() throws IOException {
    Path file = history(WRITE_1_THEN_READ_NOTHING);
    CliRunner.Result r = cli.run("check", file.toString(), "--json");
    assertEquals(1, r.exitCode(), r.out() + r.err());
    assertEquals(1, r.out().lines().count(), r.out());
    JsonNode json = new ObjectMapper().readTree(r.out());
    assertEquals("invalid", json.get("verdict").textValue());
    assertEquals("register", json.get("model").textValue());
    assertEquals(file.toString(), json.get("file").textValue());
    assertEquals(2, json.get("ops").intValue());
    assertTrue(json.get("elapsedMs").isIntegralNumber());
    assertTrue(json.get("anomaly").textValue().startsWith("key x "));
  }

  @Test
  void json_unreadable_carriesTheError() throws IOException {
    Path file = history("nonsense");
    CliRunner.Result r = cli.run("check", file.toString(), "--json");
    assertEquals(2, r.exitCode(), r.out() + r.err());
    JsonNode json = new ObjectMapper().readTree(r.out());
    assertEquals("unreadable", json.get("verdict").textValue());
    assertTrue(json.get("error").textValue().contains("line 1: malformed JSON"), r.out());
  }

  @Test
  void unknownModel_isUsageErrorNamingTheModels() {
    CliRunner.Result r = cli.run("check", "h.jsonl", "--model", "graph");
    assertEquals(ExitCode.USAGE, r.exitCode());
    assertTrue(r.err().contains("use register or txn"), r.err());
  }

  @Test
  void badTimeLimit_isUsageError() {
    CliRunner.Result r = cli.run("check", "h.jsonl", "--time-limit", "60");
    assertEquals(ExitCode.USAGE, r.exitCode());
    assertTrue(r.err().contains("'60' is not a duration"), r.err());
  }

  /** One event on key x; a null value is JSON null. */
  private static String event(int process, String type, String f, String value, long time) {
    String v = value == null ? "null" : "\"" + value + "\"";
    return "{\"process\":" + process + ",\"type\":\"" + type + "\",\"f\":\"" + f
        + "\",\"key\":\"x\",\"value\":" + v + ",\"time\":" + time + "}";
  }
}
