package io.bulwark.cli.verify;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;

/**
 * The folder a run leaves behind (default {@code ./verify-runs/<UTC time>-<run id>}):
 *
 * <pre>
 * history.jsonl      the DESIGN §9 history of every client operation, final reads included
 * faults.jsonl       the fault timeline: one JSON line per inject, heal, skip or crash
 * verdict.json       the verdict (the document {@code --json} prints)
 * processes.jsonl    every process the run started: role and pid, one line per start
 * cleanup.log        everything the run created, and when it was undone
 * cluster.json       the nodes' addresses and data dirs, as for {@code bulwark local}
 * nK/node.log        node nK's output; nK/node.properties its configuration; nK/data its data
 * zookeeper/zkI/     ZooKeeper server I's configuration, data and zookeeper.log
 * </pre>
 */
final class RunDirectory {
  static final Path DEFAULT_PARENT = Path.of("verify-runs");
  private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");

  private final Path dir;

  private RunDirectory(Path dir) {
    this.dir = dir;
  }

  /** Creates {@code given}, or a new folder under ./verify-runs when it is null. */
  static RunDirectory create(Path given, String runId) throws IOException {
    Path dir = given != null ? given
        : DEFAULT_PARENT.resolve(STAMP.format(ZonedDateTime.now(ZoneOffset.UTC)) + "-" + runId);
    dir = dir.toAbsolutePath().normalize();
    if (Files.isDirectory(dir)) {
      try (var entries = Files.list(dir)) {
        if (entries.findAny().isPresent()) {
          throw new VerifyException("the run directory " + dir + " is not empty; give a new "
              + "one with --dir, or leave --dir out for a fresh folder under ./verify-runs");
        }
      }
    }
    Files.createDirectories(dir);
    return new RunDirectory(dir.toRealPath());
  }

  Path dir() {
    return dir;
  }

  Path history() {
    return dir.resolve("history.jsonl");
  }

  Path faults() {
    return dir.resolve("faults.jsonl");
  }

  Path verdict() {
    return dir.resolve("verdict.json");
  }

  Path processes() {
    return dir.resolve("processes.jsonl");
  }

  Path cleanupLog() {
    return dir.resolve("cleanup.log");
  }

  Path node(String id) {
    return dir.resolve(id);
  }

  Path zookeeper() {
    return dir.resolve("zookeeper");
  }
}
