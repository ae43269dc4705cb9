package io.bulwark.check.history;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Goal: what the writer writes, the reader reads back unchanged, one line per event, also when many
 * clients append at once. Method: round trips through a string, and four threads appending to
 * one writer. Files are opened outside this module ({@code bulwark-cli} HistoryFiles).
 */
class HistoryWriterTest {

  @Test
  void everyShape_roundTripsThroughText() throws IOException {
    Op write = new Op(1, OpType.INVOKE, OpFunction.WRITE, "k\"7\n", new OpValue.Scalar("é"), -5);
    Op cas = new Op(2, OpType.INVOKE, OpFunction.CAS, "k", new OpValue.Cas(null, "1"), 10);
    Op txn =
        new Op(
            3,
            OpType.INVOKE,
            OpFunction.TXN,
            null,
            new OpValue.Txn(List.of(MicroOp.read("a", null), MicroOp.write("b", null))),
            20);
    List<Op> events =
        List.of(
            write,
            write.complete(OpType.OK, 30),
            cas,
            cas.complete(OpType.FAIL, 40),
            txn,
            txn.complete(OpType.INFO, 50));
    StringWriter text = new StringWriter();
    try (HistoryWriter writer = new HistoryWriter(text)) {
      for (Op event : events) {
        writer.append(event);
      }
    }
    assertEquals(events.size(), text.toString().lines().count());
    History history = HistoryReader.read(new StringReader(text.toString()));
    assertEquals(History.of(events).operations(), history.operations());
  }

  @Test
  void designExample_isWrittenBackByteForByte() throws IOException {
    String design = DesignExample.text();
    StringWriter text = new StringWriter();
    try (HistoryWriter writer = new HistoryWriter(text)) {
      for (String line : design.split("\n")) {
        writer.append(OpJson.fromJson(line));
      }
    }
    assertEquals(design, text.toString());
  }

  @Test
  void concurrentAppends_neverInterleave() throws Exception {
    StringWriter text = new StringWriter();
    int clients = 4;
    int opsPerClient = 250;
    ExecutorService pool = Executors.newFixedThreadPool(clients);
    try (HistoryWriter writer = new HistoryWriter(text)) {
      List<Future<?>> done = new ArrayList<>();
      for (int p = 0; p < clients; p++) {
        long process = p;
        done.add(pool.submit(() -> appendOps(writer, process, opsPerClient)));
      }
      for (Future<?> future : done) {
        future.get(30, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    String written = text.toString();
    assertEquals(2L * clients * opsPerClient, written.lines().count());
    assertEquals(clients * opsPerClient, HistoryReader.read(new StringReader(written)).size());
  }

  private static Void appendOps(HistoryWriter writer, long process, int count) throws IOException {
    for (int i = 0; i < count; i++) {
      Op invoke =
          new Op(
              process,
              OpType.INVOKE,
              OpFunction.WRITE,
              "k" + process,
              new OpValue.Scalar("v" + i),
              2L * i);
      writer.append(invoke);
      writer.append(invoke.complete(OpType.OK, 2L * i + 1));
    }
    return null;
  }
}
