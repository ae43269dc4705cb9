package io.bulwark.cli.workload;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.bulwark.check.history.History;
import io.bulwark.check.history.HistoryReader;
import io.bulwark.check.history.HistoryWriter;
import io.bulwark.check.history.Op;
import io.bulwark.check.history.OpFunction;
import io.bulwark.check.history.OpType;
import io.bulwark.check.history.OpValue;
import io.bulwark.client.BulwarkException;
import io.bulwark.client.ErrorCode;
import io.bulwark.client.TransactionAbortedException;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Goal: what the verify workloads and the bank rely on: what they record pairs up into a history,
 * processes are never reused, errors are counted by code (an abort as {@code ABORTED}), and the
 * last acknowledged write per key is remembered. Method: a recorder over a string.
 */
class HistoryRecorderTest {
  private final StringWriter text = new StringWriter();
  private final HistoryRecorder recorder = new HistoryRecorder(new HistoryWriter(text));

  @Test
  void invokeAndCompletion_pairUpIntoOneOperation() throws IOException {
    long process = recorder.newProcess();
    Op read = recorder.invoke(process, OpFunction.READ, "k", new OpValue.Scalar(null));
    Op done = recorder.complete(read, OpType.OK, new OpValue.Scalar("1"));
    History history = HistoryReader.read(new StringReader(text.toString()));
    assertEquals(1, history.size());
    assertEquals(new OpValue.Scalar("1"), history.operations().get(0).value());
    assertEquals(done.timeNanos(), history.operations().get(0).completeNanos());
    assertNotEquals(process, recorder.newProcess());
  }

  @Test
  void errors_areCountedByCodeInCodeOrder() {
    recorder.countError(new TransactionAbortedException("t1", "conflict"));
    recorder.countError(new BulwarkException(ErrorCode.UNAVAILABLE, false, "gone"));
    recorder.countError(new TransactionAbortedException("t2", "conflict"));
    assertEquals(List.of(Map.entry("ABORTED", 2L), Map.entry("UNAVAILABLE", 1L)),
        List.copyOf(recorder.errors().entrySet()));
  }

  @Test
  void lastWriteAck_isTheLatestNotedPerKey() {
    assertEquals(Long.MIN_VALUE, recorder.lastWriteAckNanos("k"));
    recorder.writeAcked("k", 10);
    recorder.writeAcked("k", 20);
    assertEquals(20, recorder.lastWriteAckNanos("k"));
    assertEquals(Long.MIN_VALUE, recorder.lastWriteAckNanos("other"));
  }
}
