package io.bulwark.bench;

import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One member process of a peer: its command line, its log (stdout and stderr, appended across
 * restarts) and the running process, if any. Not thread-safe; the peer owning it serialises use.
 */
final class MemberProcess {
  /** How long a member gets to exit after SIGTERM before SIGKILL. */
  static final long STOP_GRACE_MS = 5_000;

  private final String name;
  private final List<String> command;
  private final Path workDir;
  private final Path log;
  private Process process;

  MemberProcess(String name, List<String> command, Path workDir, Path log) {
    this.name = name;
    this.command = List.copyOf(command);
    this.workDir = workDir;
    this.log = log;
  }

  String name() {
    return name;
  }

  Path log() {
    return log;
  }

  void start() throws IOException {
    if (process != null && process.isAlive()) {
      throw new IllegalStateException(name + " is already running (pid " + process.pid() + ")");
    }
    process = new ProcessBuilder(command)
        .directory(workDir.toFile())
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
        .redirectErrorStream(true)
        .start();
  }

  boolean alive() {
    return process != null && process.isAlive();
  }

  /** The pid, or -1 if not running. */
  long pid() {
    return alive() ? process.pid() : -1;
  }

  /** A description of a dead member for error messages. */
  String exitDescription() {
    if (process == null) {
      return name + " was never started";
    }
    return process.isAlive() ? name + " is running (pid " + process.pid() + ")"
        : name + " exited with code " + process.exitValue() + " (log: " + log + ")";
  }

  /** SIGKILL, and wait until the process is gone. */
  void kill() throws InterruptedException {
    if (process == null) {
      return;
    }
    process.destroyForcibly();
    process.waitFor();
  }

  /** SIGTERM, then SIGKILL after {@link #STOP_GRACE_MS}. */
  void stop() {
    if (process == null || !process.isAlive()) {
      return;
    }
    process.destroy();
    try {
      if (!process.waitFor(STOP_GRACE_MS, TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
        process.waitFor(STOP_GRACE_MS, TimeUnit.MILLISECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
