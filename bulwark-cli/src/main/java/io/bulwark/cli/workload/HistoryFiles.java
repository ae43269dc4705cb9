package io.bulwark.cli.workload;

import io.bulwark.check.history.History;
import io.bulwark.check.history.HistoryFormatException;
import io.bulwark.check.history.HistoryReader;
import io.bulwark.check.history.HistoryWriter;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * History files, in UTF-8: {@code bulwark-check} reads and writes histories as streams only (it is
 * part of the pure core and opens no file), so the commands and tests that keep a history in a
 * file open it here. Stateless.
 */
public final class HistoryFiles {
  private HistoryFiles() {}

  /**
   * A writer that creates {@code file}, or appends to it if it exists (a run may record in
   * several steps).
   */
  public static HistoryWriter open(Path file) throws IOException {
    return new HistoryWriter(Files.newBufferedWriter(file, StandardCharsets.UTF_8,
        StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND));
  }

  /**
   * Reads and pairs the history in {@code file}.
   *
   * @throws HistoryFormatException naming the first line that is malformed or does not pair up
   * @throws java.nio.file.NoSuchFileException if there is no such file
   * @throws IOException if the file cannot be read
   */
  public static History read(Path file) throws IOException {
    try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      return HistoryReader.read(in);
    }
  }
}
