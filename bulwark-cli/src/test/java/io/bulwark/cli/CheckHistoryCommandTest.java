package io.bulwark.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Goal: {@code bulwark check} passes its arguments to the checker and returns the DESIGN §9 exit
 * codes: 0 valid, 1 invalid, 2 unreadable (and usage errors), with {@code --json} one document.
 *
 * <p>Method: tiny hand-written histories in a temporary directory.
 */
class CheckHistoryCommandTest {
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
    assertTrue(r.out().startsWith("valid"), r.out());
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
  void missingFile_isUnreadableExitTwo() {
    CliRunner.Result r = cli.run("check", dir.resolve("absent.jsonl").toString());
    assertEquals(2, r.exitCode());
    assertTrue(r.out().startsWith("unreadable"), r.out());
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
}
