package io.bulwark.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Makes sure Debian's {@code etcd-server} package is installed ({@code /usr/bin/etcd}). As root
 * it installs it with apt-get (after an {@code apt-get update} if the first attempt fails, as
 * on a machine whose package lists were never fetched); otherwise it fails, giving the command
 * to run.
 */
public final class EtcdInstaller {
  public static final Path ETCD = Path.of("/usr/bin/etcd");
  static final String INSTALL_HINT = "apt-get update && apt-get install -y etcd-server";
  static final long APT_TIMEOUT_MINUTES = 10;

  private EtcdInstaller() {}

  public static boolean installed() {
    return Files.isExecutable(ETCD);
  }

  /**
   * Returns once /usr/bin/etcd exists.
   *
   * @param progress receives one line per step (for standard error)
   * @throws BenchException if it is missing and cannot be installed here
   */
  public static void ensureInstalled(Consumer<String> progress) throws Exception {
    if (installed()) {
      return;
    }
    if (!isRoot()) {
      throw new BenchException("etcd is not installed (" + ETCD + " is missing) and the bench "
          + "is not running as root, so it cannot install it; run: sudo sh -c '" + INSTALL_HINT
          + "'");
    }
    progress.accept("etcd is not installed; installing Debian's etcd-server package ...");
    if (apt("install", "-y", "etcd-server") != 0) {
      progress.accept("apt-get install failed; running apt-get update and trying again ...");
      apt("update");
      int code = apt("install", "-y", "etcd-server");
      if (code != 0 || !installed()) {
        throw new BenchException("could not install etcd-server (apt-get exited " + code
            + "); install it by hand: " + INSTALL_HINT);
      }
    }
    if (!installed()) {
      throw new BenchException("apt-get installed etcd-server but " + ETCD + " is missing");
    }
  }

  private static boolean isRoot() throws IOException, InterruptedException {
    Process p = new ProcessBuilder("id", "-u").redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    p.waitFor();
    return out.equals("0");
  }

  private static int apt(String... args) throws IOException, InterruptedException {
    List<String> command = new java.util.ArrayList<>(List.of("apt-get", "-q"));
    command.addAll(List.of(args));
    // Into a file, not our standard output, which carries only the report (--json).
    Path log = Files.createTempFile("bulwark-bench-apt-", ".log");
    Process p = new ProcessBuilder(command)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
        .redirectErrorStream(true)
        .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
        .start();
    if (!p.waitFor(APT_TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      throw new BenchException("apt-get " + String.join(" ", args) + " did not finish within "
          + APT_TIMEOUT_MINUTES + " minutes");
    }
    if (p.exitValue() == 0) {
      Files.deleteIfExists(log);
    } else {
      System.err.println("apt-get " + String.join(" ", args) + " exited " + p.exitValue()
          + "; its output is in " + log);
    }
    return p.exitValue();
  }
}
