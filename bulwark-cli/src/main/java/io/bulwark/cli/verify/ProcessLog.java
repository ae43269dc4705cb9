package io.bulwark.cli.verify;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * {@code processes.jsonl}: one line per process the run started, {@code {"role":"n1","pid":123}},
 * written as it starts, so that what a run started can be checked after it, also after an
 * interrupted one. Thread-safe.
 */
final class ProcessLog {
  private final Path file;

  ProcessLog(Path file) {
    this.file = file;
  }

  synchronized void started(String role, long pid) {
    try {
      Files.writeString(file, "{\"role\":\"" + role + "\",\"pid\":" + pid + "}\n",
          StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new VerifyException("cannot record the pid of " + role + " in " + file, e);
    }
  }
}
