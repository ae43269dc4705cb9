package io.bulwark.check.history;

import java.io.Closeable;
import java.io.IOException;
import java.io.Writer;

/**
 * Appends events to a DESIGN §9 history, one JSON line per event. It writes to a {@link Writer}
 * and never opens a file itself (this module is part of the pure core): whoever opens a history
 * file writes it in UTF-8.
 *
 * <p>Thread-safe: concurrent clients may call {@link #append} and lines never interleave. The order
 * of lines is the order of {@code append} calls, so a client must append its invoke before sending
 * the request and its completion after the reply. Each event is flushed (for a file: to the
 * operating system) before {@code append} returns, so a history survives the crash or kill of the
 * process being tested (but not of this one's machine: there is no fsync, as a test harness does
 * not need one).
 */
public final class HistoryWriter implements Closeable {
  private final Writer out;

  /** Writes to {@code out}; {@link #close()} closes it. */
  public HistoryWriter(Writer out) {
    this.out = out;
  }

  /** Writes {@code event} as one line and flushes it. */
  public synchronized void append(Op event) throws IOException {
    out.write(OpJson.toJson(event));
    out.write('\n');
    out.flush();
  }

  @Override
  public synchronized void close() throws IOException {
    out.close();
  }
}
