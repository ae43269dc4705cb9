package io.bulwark.cli.verify;

import io.bulwark.cli.local.NodeCommand;
import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One node's process across kills and restarts. Signals go only to the process this object
 * started, by its {@link Process} handle or its pid. Used under {@link VerifyCluster}'s lock.
 */
final class NodeProcess {
  /** How long a killed or stopped process gets to disappear. */
  static final long EXIT_WAIT_MS = 10_000;

  private final String id;
  private final Path configFile;
  private final Path logFile;
  private final List<String> launchPrefix;
  private final ProcessLog processLog;
  private Process process;
  private boolean down;
  private boolean paused;

  NodeProcess(String id, Path configFile, List<String> launchPrefix, ProcessLog processLog) {
    this.id = id;
    this.configFile = configFile;
    this.logFile = configFile.resolveSibling("node.log");
    this.launchPrefix = List.copyOf(launchPrefix);
    this.processLog = processLog;
  }

  String id() {
    return id;
  }

  /** The pid of the running process, or -1. */
  long pid() {
    return process != null && process.isAlive() ? process.pid() : -1;
  }

  boolean down() {
    return down;
  }

  /** Whether the process exited although nobody killed it (a crash). */
  boolean crashed() {
    return !down && process != null && !process.isAlive();
  }

  int exitCode() {
    return process == null || process.isAlive() ? 0 : process.exitValue();
  }

  void start() throws IOException {
    List<String> command = new ArrayList<>(launchPrefix);
    command.addAll(NodeCommand.of(configFile, ProcessHandle.current().pid()));
    process = new ProcessBuilder(command)
        .directory(configFile.getParent().toFile())
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
        .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
        .redirectErrorStream(true)
        .start();
    down = false;
    paused = false;
    processLog.started(id, process.pid());
  }

  /** SIGKILL without waiting (so that several nodes die at the same moment). */
  void signalKill() {
    down = true;
    if (process != null && process.isAlive()) {
      process.destroyForcibly();
    }
  }

  /** SIGKILL; waits until the process is gone. It stays down until {@link #start}. */
  void kill() throws InterruptedException {
    signalKill();
    if (process != null) {
      if (!process.waitFor(EXIT_WAIT_MS, TimeUnit.MILLISECONDS)) {
        throw new VerifyException(id + " (pid " + process.pid() + ") survived SIGKILL for "
            + EXIT_WAIT_MS + " ms");
      }
    }
    paused = false;
  }

  /** SIGSTOP: the process stays, frozen, like a long GC pause. */
  void pause() {
    signal("STOP");
    paused = true;
  }

  /** SIGCONT. */
  void resume() {
    if (paused) {
      signal("CONT");
      paused = false;
    }
  }

  private void signal(String name) {
    long pid = pid();
    if (pid <= 0) {
      throw new VerifyException("cannot send SIG" + name + " to " + id + ": it is not running");
    }
    Shell.run("kill", "-" + name, Long.toString(pid));
  }

  /** At the end of a run: SIGKILL whatever is still running (a paused process too). */
  void stop() throws InterruptedException {
    kill();
  }
}
