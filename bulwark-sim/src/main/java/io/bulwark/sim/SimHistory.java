package io.bulwark.sim;

import io.bulwark.check.history.History;
import io.bulwark.check.history.HistoryFormatException;
import io.bulwark.check.history.HistoryWriter;
import io.bulwark.check.history.Op;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The run's DESIGN §9 history, in the order events were observed, with global simulated time
 * as {@code time}. Process numbers are handed out here: a client that gets an {@code info}
 * continues as a new process (a process never invokes after an info).
 */
final class SimHistory {
  private final List<Op> events = new ArrayList<>();
  private long nextProcess;

  long newProcess() {
    return nextProcess++;
  }

  void append(Op event) {
    events.add(event);
  }

  List<Op> events() {
    return List.copyOf(events);
  }

  History toHistory() {
    try {
      return History.of(events);
    } catch (HistoryFormatException e) {
      throw new SimFailure("the simulator wrote a malformed history: " + e.getMessage());
    }
  }

  /** The history file's bytes (JSON Lines), as {@code bulwark check} reads them. */
  byte[] bytes() {
    StringWriter out = new StringWriter();
    try (HistoryWriter w = new HistoryWriter(out)) {
      for (Op e : events) {
        w.append(e);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString().getBytes(StandardCharsets.UTF_8);
  }
}
