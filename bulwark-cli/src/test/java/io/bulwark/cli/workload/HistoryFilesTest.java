package io.bulwark.cli.workload;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.bulwark.check.history.History;
import io.bulwark.check.history.HistoryWriter;
import io.bulwark.check.history.Op;
import io.bulwark.check.history.OpFunction;
import io.bulwark.check.history.OpType;
import io.bulwark.check.history.OpValue;
import io.bulwark.check.history.Operation;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Goal: a history file written in two sittings reads back as one history, in UTF-8. Method: an
 * invoke written by one writer, its completion by a second one opened on the same file.
 */
class HistoryFilesTest {
  @TempDir Path dir;

  @Test
  void open_appendsToAnExistingFile() throws IOException {
    Path file = dir.resolve("history.jsonl");
    Op read = new Op(1, OpType.INVOKE, OpFunction.READ, "clé", new OpValue.Scalar(null), 1);
    try (HistoryWriter writer = HistoryFiles.open(file)) {
      writer.append(read);
    }
    try (HistoryWriter writer = HistoryFiles.open(file)) {
      writer.append(read.complete(OpType.OK, new OpValue.Scalar("é"), 2));
    }
    History history = HistoryFiles.read(file);
    assertEquals(1, history.operations().stream().filter(Operation::isOk).count());
    assertEquals("clé", history.operations().get(0).key());
    assertEquals(new OpValue.Scalar("é"), history.operations().get(0).value());
  }
}
