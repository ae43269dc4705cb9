package io.bulwark.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One {@code bulwark verify} run in its own JVM, as a user runs it, and what it left: its run
 * folder, the verdict, and checks that nothing it created outlived it (processes by the pids it
 * recorded, network namespaces, links, mounts and iptables rules by the run's prefix).
 */
final class VerifyRun {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern PREFIX = Pattern.compile("bwv-[0-9a-f]{6}");

  final Path dir;
  private final Process process;
  private final Path out;
  private final Path err;

  private VerifyRun(Path dir, Process process, Path out, Path err) {
    this.dir = dir;
    this.process = process;
    this.out = out;
    this.err = err;
  }

  /** Starts {@code bulwark verify --dir DIR --json ARGS...}; does not wait. */
  static VerifyRun start(Path dir, String... args) throws IOException {
    List<String> cmd = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), "io.bulwark.cli.Main", "verify",
        "--dir", dir.toString(), "--json"));
    cmd.addAll(List.of(args));
    Path out = Files.createTempFile(dir.getParent(), "verify", ".out");
    Path err = Files.createTempFile(dir.getParent(), "verify", ".err");
    Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile())
        .start();
    return new VerifyRun(dir, p, out, err);
  }

  /** Waits for the exit; fails naming the output if it takes longer than {@code timeout}. */
  int await(Duration timeout) throws Exception {
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("verify did not finish within " + timeout + ":\n" + output());
    }
    return process.exitValue();
  }

  long pid() {
    return process.pid();
  }

  String output() throws IOException {
    return Files.readString(out, StandardCharsets.UTF_8) + Files.readString(err,
        StandardCharsets.UTF_8);
  }

  JsonNode verdict() throws IOException {
    return JSON.readTree(dir.resolve("verdict.json").toFile());
  }

  /** Lines of the fault timeline so far. */
  List<JsonNode> faults() throws IOException {
    List<JsonNode> lines = new ArrayList<>();
    Path f = dir.resolve("faults.jsonl");
    if (Files.exists(f)) {
      for (String line : Files.readAllLines(f)) {
        if (!line.isBlank()) {
          lines.add(JSON.readTree(line));
        }
      }
    }
    return lines;
  }

  /** Every pid the run recorded in processes.jsonl. */
  List<Long> pids() throws IOException {
    List<Long> pids = new ArrayList<>();
    Path f = dir.resolve("processes.jsonl");
    if (Files.exists(f)) {
      for (String line : Files.readAllLines(f)) {
        pids.add(JSON.readTree(line).get("pid").asLong());
      }
    }
    return pids;
  }

  /** The run's namespace prefix, from cleanup.log; null if it created none. */
  String prefix() throws IOException {
    Path log = dir.resolve("cleanup.log");
    Matcher m = PREFIX.matcher(Files.exists(log) ? Files.readString(log) : "");
    return m.find() ? m.group() : null;
  }

  /** Fails naming whatever the run left behind. */
  void assertNothingLeftBehind() throws Exception {
    List<String> left = new ArrayList<>();
    for (long pid : pids()) {
      LocalCluster.await("process " + pid + " to exit", Duration.ofSeconds(15),
          () -> ProcessHandle.of(pid).map(h -> !h.isAlive()).orElse(true));
    }
    String prefix = prefix();
    if (prefix != null) {
      for (String[] cmd : List.of(new String[] {"ip", "netns", "list"},
          new String[] {"ip", "link", "show"}, new String[] {"iptables", "-S"})) {
        String text = exec(cmd);
        if (text.contains(prefix)) {
          left.add(String.join(" ", cmd) + " still shows " + prefix + ":\n" + text);
        }
      }
    }
    String mounts = Files.readString(Path.of("/proc/mounts"));
    if (mounts.contains(dir.toString())) {
      left.add("mounts under " + dir + " remain:\n" + mounts);
    }
    if (!left.isEmpty()) {
      throw new AssertionError(String.join("\n", left));
    }
  }

  static boolean isRoot() throws Exception {
    return exec("id", "-u").strip().equals("0");
  }

  static String exec(String... cmd) throws Exception {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    byte[] out = p.getInputStream().readAllBytes();
    p.waitFor(30, TimeUnit.SECONDS);
    return new String(out, StandardCharsets.UTF_8);
  }
}
