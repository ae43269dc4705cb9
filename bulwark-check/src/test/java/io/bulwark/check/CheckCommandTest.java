package io.bulwark.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bulwark.check.history.HistoryFormatException;
import io.bulwark.check.history.HistoryWriter;
import io.bulwark.check.history.Op;
import io.bulwark.check.history.OpType;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Goal: {@code bulwark check} exits 0 valid, 1 invalid, 2 unreadable, 4 unknown (DESIGN §9) and
 * prints the verdict, as text or one JSON document. Method: histories written to a temp directory
 * with {@link HistoryWriter}, output captured from a {@link PrintStream}.
 */
class CheckCommandTest {
  private static final Duration LIMIT = Duration.ofSeconds(10);

  @TempDir Path dir;
  private final ByteArrayOutputStream captured = new ByteArrayOutputStream();
  private final PrintStream out = new PrintStream(captured, true, StandardCharsets.UTF_8);

  private Path save(HistoryBuilder history) throws IOException {
    Path file = dir.resolve("history.jsonl");
    try (HistoryWriter writer = HistoryWriter.open(file)) {
      for (Op event : history.events()) {
        writer.append(event);
      }
    }
    return file;
  }

  private String output() {
    return captured.toString(StandardCharsets.UTF_8);
  }

  @Test
  void validHistory_exits0() throws IOException {
    Path file = save(new HistoryBuilder().write(1, "x", "1", 0, 10).read(2, "x", "1", 20, 30));
    assertEquals(0, CheckCommand.run(file, Model.REGISTER, LIMIT, out, false));
    assertTrue(output().startsWith("valid (register, 2 ops, "), output());
  }

  @Test
  void invalidHistory_exits1AndPrintsTheAnomaly() throws IOException {
    Path file = save(new HistoryBuilder().write(1, "x", "1", 0, 10).read(2, "x", null, 20, 30));
    assertEquals(1, CheckCommand.run(file, Model.REGISTER, LIMIT, out, false));
    assertTrue(output().startsWith("invalid (register, 2 ops, "), output());
    assertTrue(output().contains("key x is not linearizable"), output());
  }

  @Test
  void invalidTxnHistory_exits1() throws IOException {
    Path file =
        save(
            new HistoryBuilder()
                .txn(1, OpType.FAIL, 0, 10, HistoryBuilder.w("x", "1"))
                .txn(2, OpType.OK, 20, 30, HistoryBuilder.r("x", "1")));
    assertEquals(1, CheckCommand.run(file, Model.TXN, LIMIT, out, false));
    assertTrue(output().contains("G1a"), output());
  }

  @Test
  void malformedHistory_exits2NamingTheLine() throws IOException {
    Path file = dir.resolve("broken.jsonl");
    Files.writeString(file, "{\"process\":1}\n");
    assertEquals(2, CheckCommand.run(file, Model.REGISTER, LIMIT, out, false));
    assertTrue(output().startsWith("unreadable: "), output());
    assertTrue(output().contains("line 1: missing field \"type\""), output());
  }

  @Test
  void missingFile_exits2() {
    Path file = dir.resolve("absent.jsonl");
    assertEquals(2, CheckCommand.run(file, Model.TXN, LIMIT, out, false));
    assertTrue(output().startsWith("unreadable: no such file: "), output());
  }

  @Test
  void historyOfTheOtherModel_exits2() throws IOException {
    Path file = save(new HistoryBuilder().write(1, "x", "1", 0, 10));
    assertEquals(2, CheckCommand.run(file, Model.TXN, LIMIT, out, false));
    assertTrue(output().contains("line 1: f write cannot be judged by the txn model"), output());
  }

  @Test
  void timeLimitReached_exits4() throws IOException {
    Path file = save(LinearizabilityCheckerTest.pathological(new HistoryBuilder(), 28));
    assertEquals(4, CheckCommand.run(file, Model.REGISTER, Duration.ofMillis(50), out, false));
    assertTrue(output().startsWith("unknown (register, 30 ops, "), output());
  }

  @Test
  void json_printsOneDocument() throws IOException {
    Path file = save(new HistoryBuilder().write(1, "x", "1", 0, 10).read(2, "x", null, 20, 30));
    assertEquals(1, CheckCommand.run(file, Model.REGISTER, LIMIT, out, true));
    assertEquals(1, output().lines().count(), output());
    JsonNode json = new ObjectMapper().readTree(output());
    assertEquals("invalid", json.get("verdict").textValue());
    assertEquals("register", json.get("model").textValue());
    assertEquals(2, json.get("ops").intValue());
    assertTrue(json.get("elapsedMs").isIntegralNumber());
    assertTrue(json.get("anomaly").textValue().startsWith("key x "));
  }

  @Test
  void json_unreadable_carriesTheError() throws IOException {
    Path file = dir.resolve("broken.jsonl");
    Files.writeString(file, "nonsense\n");
    assertEquals(2, CheckCommand.run(file, Model.REGISTER, LIMIT, out, true));
    JsonNode json = new ObjectMapper().readTree(output());
    assertEquals("unreadable", json.get("verdict").textValue());
    assertTrue(json.get("error").textValue().contains("line 1: malformed JSON"), output());
  }

  @Test
  void checker_rejectsMixedHistoryWithTheLineOfTheFirstForeignOp() {
    HistoryBuilder mixed =
        new HistoryBuilder()
            .write(1, "x", "1", 0, 10)
            .txn(2, OpType.OK, 20, 30, HistoryBuilder.r("x", "1"));
    HistoryFormatException e =
        assertThrows(
            HistoryFormatException.class,
            () -> Checker.check(mixed.build(), Model.REGISTER, LIMIT));
    assertEquals(3, e.lineNumber());
  }

  @Test
  void model_isParsedFromItsCliName() {
    assertEquals(Model.TXN, Model.fromCliName("txn"));
    assertThrows(IllegalArgumentException.class, () -> Model.fromCliName("Register"));
  }
}
