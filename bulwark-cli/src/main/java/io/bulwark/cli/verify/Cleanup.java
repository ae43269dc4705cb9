package io.bulwark.cli.verify;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * Everything a run created that must not outlive it (processes, network namespaces, the bridge,
 * mounts), recorded as it is created and undone in reverse order, exactly once: by {@link #close}
 * at the end of the run, or by the shutdown hook when the run is interrupted (SIGINT, SIGTERM).
 * Each step is also written to {@code cleanup.log} in the run directory as it is recorded and as
 * it is undone, so an interrupted run shows what it undid.
 *
 * <p>Only what was recorded is touched: nothing is found by a name pattern or a process name.
 * Once closing has begun, {@link #add} undoes the new resource at once and throws, so a nemesis
 * racing the shutdown cannot leave something behind. Thread-safe.
 */
final class Cleanup implements AutoCloseable {
  /** Undoes one thing. */
  interface Undo {
    void run() throws Exception;
  }

  private record Step(String what, Undo undo) {}

  private final Path log;
  private final Deque<Step> steps = new ArrayDeque<>();
  private final List<String> failures = new ArrayList<>();
  private final Thread hook = new Thread(this::close, "verify-cleanup");
  private boolean closed;

  Cleanup(Path log) {
    this.log = log;
  }

  /** Registers the shutdown hook that undoes everything if the JVM stops before {@link #close}. */
  void installShutdownHook() {
    Runtime.getRuntime().addShutdownHook(hook);
  }

  /**
   * Records that {@code what} was created and how to undo it.
   *
   * @throws VerifyException if the run is already being cleaned up (it was undone at once)
   */
  void add(String what, Undo undo) {
    synchronized (this) {
      if (!closed) {
        steps.push(new Step(what, undo));
        write("created " + what);
        return;
      }
    }
    undo(new Step(what, undo));
    throw new VerifyException("the run is stopping; undid " + what + " at once");
  }

  /** Undoes everything recorded, newest first; idempotent. */
  @Override
  public void close() {
    List<Step> todo = new ArrayList<>();
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      while (!steps.isEmpty()) {
        todo.add(steps.pop());
      }
    }
    for (Step s : todo) {
      undo(s);
    }
    if (Thread.currentThread() != hook) {
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException | IllegalArgumentException e) {
        // Already shutting down, or never installed: the hook finds nothing left to do.
      }
    }
  }

  /** What could not be undone (each with the reason); empty when everything went. */
  synchronized List<String> failures() {
    return List.copyOf(failures);
  }

  private void undo(Step s) {
    try {
      s.undo().run();
      write("undone " + s.what());
    } catch (Exception e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      String failure = "could not undo " + s.what() + ": " + e.getMessage();
      synchronized (this) {
        failures.add(failure);
      }
      write(failure);
      System.err.println("verify: " + failure);
    }
  }

  private synchronized void write(String line) {
    try {
      Files.writeString(log, Instant.now() + " " + line + "\n", StandardCharsets.UTF_8,
          StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    } catch (IOException e) {
      System.err.println("verify: cannot write " + log + ": " + e.getMessage() + " (" + line
          + ")");
    }
  }
}
