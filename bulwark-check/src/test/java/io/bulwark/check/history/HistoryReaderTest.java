package io.bulwark.check.history;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.StringReader;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Goal: the reader accepts DESIGN §9 histories exactly as the design shows them and rejects
 * anything else with a message that names the line and what is wrong. Method: small JSON Lines
 * texts, read from strings.
 */
class HistoryReaderTest {

  private static final String DESIGN_EXAMPLE = DesignExample.text();

  private static History read(String text) throws IOException {
    return HistoryReader.read(new StringReader(text));
  }

  private static HistoryFormatException assertRejected(String text, long line, String problem) {
    HistoryFormatException e = assertThrows(HistoryFormatException.class, () -> read(text));
    assertEquals(line, e.lineNumber(), e.getMessage());
    assertTrue(e.problem().contains(problem), e.getMessage());
    assertTrue(e.getMessage().startsWith("line " + line + ": "), e.getMessage());
    return e;
  }

  private static String event(String process, String type, String f, String rest) {
    return "{\"process\":"
        + process
        + ",\"type\":\""
        + type
        + "\",\"f\":\""
        + f
        + "\","
        + rest
        + "}";
  }

  // --- accepted ---

  @Test
  void designExample_pairsIntoFourOperations() throws IOException {
    List<Operation> ops = read(DESIGN_EXAMPLE).operations();
    assertEquals(4, ops.size());

    Operation write = ops.get(0);
    assertEquals(OpFunction.WRITE, write.f());
    assertEquals(new OpValue.Scalar("12"), write.value());
    assertEquals(1042, write.invokeNanos());
    assertEquals(1377, write.completeNanos());
    assertEquals(1, write.invokeLine());
    assertEquals(2, write.completeLine());

    Operation read = ops.get(1);
    assertEquals(new OpValue.Scalar("12"), read.value(), "an ok read carries the value read");

    Operation cas = ops.get(2);
    assertEquals(OpType.INFO, cas.outcome());
    assertEquals(Operation.NEVER, cas.completeNanos(), "an info op may take effect any time");
    assertEquals(new OpValue.Cas("12", "13"), cas.value());

    Operation txn = ops.get(3);
    assertEquals(
        new OpValue.Txn(List.of(MicroOp.read("a", "4"), MicroOp.write("b", "5"))), txn.value());
    assertNull(txn.key());
  }

  @Test
  void invokeWithoutCompletion_isInfo() throws IOException {
    History history =
        read(event("1", "invoke", "write", "\"key\":\"x\",\"value\":\"1\",\"time\":5"));
    Operation write = history.operations().get(0);
    assertEquals(OpType.INFO, write.outcome());
    assertEquals(0, write.completeLine());
  }

  @Test
  void blankLines_areSkippedButCounted() {
    String text =
        "\n"
            + event("1", "invoke", "read", "\"key\":\"x\",\"value\":null,\"time\":5")
            + "\n   \n"
            + "{oops";
    assertRejected(text, 4, "malformed JSON");
  }

  @Test
  void unknownFields_areIgnored() throws IOException {
    History history =
        read(
            event(
                "1", "invoke", "read", "\"key\":\"x\",\"value\":null,\"time\":5,\"node\":\"n1\""));
    assertEquals(1, history.size());
  }

  @Test
  void deleteAsWriteOfNull_isAccepted() throws IOException {
    History history =
        read(event("1", "invoke", "write", "\"key\":\"x\",\"value\":null,\"time\":5"));
    assertEquals(new OpValue.Scalar(null), history.operations().get(0).value());
  }

  // --- malformed lines ---

  @Test
  void malformedJson_namesLineAndColumn() {
    String text = DESIGN_EXAMPLE + "{\"process\":1,\"type\":";
    assertRejected(text, 9, "malformed JSON at column");
  }

  @Test
  void trailingContent_isRejected() {
    assertRejected(
        event("1", "invoke", "read", "\"key\":\"x\",\"value\":null,\"time\":5") + " {}",
        1,
        "malformed JSON");
  }

  @Test
  void duplicateField_isRejected() {
    assertRejected(
        event("1", "invoke", "read", "\"key\":\"x\",\"key\":\"y\",\"value\":null,\"time\":5"),
        1,
        "Duplicate field 'key'");
  }

  @Test
  void notAnObject_isRejected() {
    assertRejected("[1,2]", 1, "an event must be a JSON object");
  }

  @Test
  void missingField_isNamed() {
    assertRejected(
        event("1", "invoke", "read", "\"key\":\"x\",\"value\":null"), 1, "missing field \"time\"");
  }

  @Test
  void unknownType_isNamed() {
    assertRejected(
        event("1", "done", "read", "\"key\":\"x\",\"value\":null,\"time\":5"),
        1,
        "field \"type\" must be invoke, ok, fail or info, got \"done\"");
  }

  @Test
  void unknownFunction_isNamed() {
    assertRejected(
        event("1", "invoke", "append", "\"key\":\"x\",\"value\":null,\"time\":5"),
        1,
        "field \"f\" must be read, write, cas or txn, got \"append\"");
  }

  @Test
  void processNotAnInteger_isRejected() {
    assertRejected(
        event("\"p1\"", "invoke", "read", "\"key\":\"x\",\"value\":null,\"time\":5"),
        1,
        "field \"process\" must be an integer, got \"p1\"");
  }

  @Test
  void fractionalTime_isRejected() {
    assertRejected(
        event("1", "invoke", "read", "\"key\":\"x\",\"value\":null,\"time\":5.5"),
        1,
        "field \"time\" must be an integer");
  }

  @Test
  void numericValue_isRejected() {
    assertRejected(
        event("1", "invoke", "write", "\"key\":\"x\",\"value\":12,\"time\":5"),
        1,
        "field \"value\" must be a string or null, got 12");
  }

  @Test
  void casValueNotAPair_isRejected() {
    assertRejected(
        event("1", "invoke", "cas", "\"key\":\"x\",\"value\":[\"1\"],\"time\":5"),
        1,
        "of a cas must be [expected, new]");
  }

  @Test
  void registerOpWithoutKey_isRejected() {
    assertRejected(
        event("1", "invoke", "read", "\"value\":null,\"time\":5"), 1, "f read needs a key");
  }

  @Test
  void txnWithKey_isRejected() {
    assertRejected(
        event("1", "invoke", "txn", "\"key\":\"x\",\"value\":[],\"time\":5"),
        1,
        "a txn has no key");
  }

  @Test
  void badMicroOp_isNamed() {
    assertRejected(
        event(
            "1", "invoke", "txn", "\"value\":[[\"r\",\"a\",null],[\"x\",\"b\",\"1\"]],\"time\":5"),
        1,
        "field \"value[1][0]\" must be \"r\" or \"w\", got \"x\"");
  }

  // --- events that do not pair up ---

  @Test
  void completionWithoutInvoke_isRejected() {
    assertRejected(
        event("1", "ok", "read", "\"key\":\"x\",\"value\":null,\"time\":5"),
        1,
        "ok for process 1 without an outstanding invoke");
  }

  @Test
  void secondInvokeWhileOutstanding_isRejected() {
    String line = event("1", "invoke", "read", "\"key\":\"x\",\"value\":null,\"time\":5");
    assertRejected(
        line + "\n" + line, 2, "process 1 invokes while its operation from line 1 is outstanding");
  }

  @Test
  void invokeAfterInfo_isRejected() {
    String text =
        String.join(
            "\n",
            event("1", "invoke", "read", "\"key\":\"x\",\"value\":null,\"time\":5"),
            event("1", "info", "read", "\"key\":\"x\",\"value\":null,\"time\":6"),
            event("1", "invoke", "read", "\"key\":\"x\",\"value\":null,\"time\":7"));
    assertRejected(text, 3, "process 1 invokes after its info at line 2");
  }

  @Test
  void completionOfAnotherFunction_isRejected() {
    String text =
        String.join(
            "\n",
            event("1", "invoke", "read", "\"key\":\"x\",\"value\":null,\"time\":5"),
            event("1", "ok", "write", "\"key\":\"x\",\"value\":null,\"time\":6"));
    assertRejected(text, 2, "completion has f write but its invoke at line 1 has read");
  }

  @Test
  void completionOnAnotherKey_isRejected() {
    String text =
        String.join(
            "\n",
            event("1", "invoke", "read", "\"key\":\"x\",\"value\":null,\"time\":5"),
            event("1", "ok", "read", "\"key\":\"y\",\"value\":null,\"time\":6"));
    assertRejected(text, 2, "completion has key y but its invoke at line 1 has x");
  }

  @Test
  void completionBeforeInvoke_isRejected() {
    String text =
        String.join(
            "\n",
            event("1", "invoke", "read", "\"key\":\"x\",\"value\":null,\"time\":5"),
            event("1", "ok", "read", "\"key\":\"x\",\"value\":null,\"time\":4"));
    assertRejected(text, 2, "completes at time 4, before its invoke at line 1 (time 5)");
  }

  @Test
  void okWriteChangingItsValue_isRejected() {
    String text =
        String.join(
            "\n",
            event("1", "invoke", "write", "\"key\":\"x\",\"value\":\"1\",\"time\":5"),
            event("1", "ok", "write", "\"key\":\"x\",\"value\":\"2\",\"time\":6"));
    assertRejected(text, 2, "completion has value \"2\" but its invoke at line 1 has \"1\"");
  }

  @Test
  void okTxnWithOtherMicroOps_isRejected() {
    String text =
        String.join(
            "\n",
            event("1", "invoke", "txn", "\"value\":[[\"r\",\"a\",null]],\"time\":5"),
            event("1", "ok", "txn", "\"value\":[[\"r\",\"b\",\"1\"]],\"time\":6"));
    assertRejected(
        text, 2, "micro-op 0 is [\"r\",\"b\",\"1\"] but was invoked as [\"r\",\"a\",null]");
  }
}
