package io.bulwark.cli.verify;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a short system command ({@code ip}, {@code iptables}, {@code mount}, {@code kill}) with a
 * deadline and returns its exit code and output. Never through a shell: arguments are passed as
 * they are.
 */
final class Shell {
  /** No command a run issues takes longer than this; one that does is treated as failed. */
  static final long TIMEOUT_MS = 30_000;

  /** What a command did. */
  record Result(List<String> command, int exitCode, String output) {
    boolean ok() {
      return exitCode == 0;
    }

    String describe() {
      return String.join(" ", command) + " exited " + exitCode
          + (output.isBlank() ? "" : ": " + output.strip());
    }
  }

  private Shell() {}

  /** Runs {@code command}; a command that cannot start or times out reports exit code -1. */
  static Result tryRun(String... command) {
    List<String> cmd = List.of(command);
    Process p;
    try {
      p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    } catch (IOException e) {
      return new Result(cmd, -1, "cannot start: " + e.getMessage());
    }
    try {
      p.getOutputStream().close();
      byte[] out = p.getInputStream().readAllBytes();
      if (!p.waitFor(TIMEOUT_MS, TimeUnit.MILLISECONDS)) {
        p.destroyForcibly();
        return new Result(cmd, -1, "timed out after " + TIMEOUT_MS + " ms");
      }
      return new Result(cmd, p.exitValue(), new String(out, StandardCharsets.UTF_8));
    } catch (IOException e) {
      p.destroyForcibly();
      return new Result(cmd, -1, "failed: " + e.getMessage());
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
      return new Result(cmd, -1, "interrupted");
    }
  }

  /** Runs {@code command}; throws {@link VerifyException} naming it if it does not exit 0. */
  static String run(String... command) {
    Result r = tryRun(command);
    if (!r.ok()) {
      throw new VerifyException(r.describe());
    }
    return r.output();
  }
}
