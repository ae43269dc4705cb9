package io.bulwark.check.history;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;

/**
 * Reads a DESIGN §9 history: JSON Lines, one event per line, in the order observed. Blank lines
 * are skipped but still counted, so line numbers in errors match an editor's. It reads a {@link
 * Reader} and never opens a file itself (this module is part of the pure core): whoever opens a
 * history file reads it as UTF-8. Stateless and thread-safe.
 */
public final class HistoryReader {
  private HistoryReader() {}

  /**
   * Reads and pairs a history from {@code in}, which the caller closes.
   *
   * @throws HistoryFormatException naming the first line that is malformed or does not pair up
   * @throws IOException if {@code in} fails
   */
  public static History read(Reader in) throws IOException {
    BufferedReader lines =
        in instanceof BufferedReader ? (BufferedReader) in : new BufferedReader(in);
    OperationPairer pairer = new OperationPairer();
    long lineNumber = 0;
    for (String line = lines.readLine(); line != null; line = lines.readLine()) {
      lineNumber++;
      if (!line.isBlank()) {
        pairer.add(parse(line, lineNumber), lineNumber);
      }
    }
    return new History(pairer.finish());
  }

  private static Op parse(String line, long lineNumber) throws HistoryFormatException {
    try {
      return OpJson.fromJson(line);
    } catch (IllegalArgumentException e) {
      throw new HistoryFormatException(lineNumber, e.getMessage());
    }
  }
}
