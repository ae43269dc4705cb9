package io.bulwark.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bulwark.cli.local.ClusterFile;
import io.bulwark.cli.local.ClusterProcesses;
import io.bulwark.cli.local.LocalDirs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/**
 * {@code local revive NODE --dir DIR}: removes NODE's down marker; the supervisor notices within
 * 100 ms and starts the node. Waits until cluster.json shows it running under a new pid. Needs
 * the supervisor to be running.
 */
@Command(
    name = "revive",
    mixinStandardHelpOptions = true,
    description = "Start again a node stopped with 'local kill'.")
final class LocalReviveCommand implements Callable<Integer> {
  static final long DEADLINE_MS = 30_000;
  static final long POLL_MS = 100;

  private final CliEnvironment env;

  @CommandLine.Spec private CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", paramLabel = "NODE", description = "The node id, e.g. n2 (or 2).")
  private String nodeArg;

  @Mixin private LocalCommand.DirOption dirOption;

  @Mixin private JsonOption jsonOption;

  LocalReviveCommand(CliEnvironment env) {
    this.env = env;
  }

  @Override
  public Integer call() throws IOException {
    Path dir = dirOption.canonical();
    ClusterFile file = LocalCommand.readClusterFile(dir);
    ClusterFile.Node before = LocalCommand.node(file, nodeArg, dir, spec);
    String id = before.id();
    if (ClusterProcesses.supervisor(dir, file.supervisorPid()).isEmpty()) {
      throw CliException.failed("the supervisor of " + dir + " is not running, so nothing can "
          + "start " + id + "; start the cluster with: bulwark local start --dir " + dir
          + " --nodes " + file.nodes().size());
    }
    boolean wasMarked = Files.deleteIfExists(LocalDirs.downMarker(dir, id));
    if (!wasMarked && before.state() == ClusterFile.State.RUNNING
        && ClusterProcesses.node(dir, id, before.pid()).isPresent()) {
      report(id, before.pid(), id + " is already running (pid " + before.pid() + ")");
      return ExitCode.OK;
    }
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(DEADLINE_MS);
    while (true) {
      Optional<ClusterFile.Node> now =
          LocalCommand.tryReadClusterFile(dir).flatMap(f -> f.node(id));
      if (now.isPresent() && now.get().state() == ClusterFile.State.RUNNING
          && now.get().pid() != before.pid()
          && ClusterProcesses.node(dir, id, now.get().pid()).isPresent()) {
        report(id, now.get().pid(), "revived " + id + " (pid " + now.get().pid() + ")");
        return ExitCode.OK;
      }
      if (System.nanoTime() - deadline > 0) {
        throw CliException.failed("the supervisor did not start " + id + " within "
            + DEADLINE_MS + " ms; see " + dir.resolve(LocalDirs.SUPERVISOR_LOG) + " and "
            + dir.resolve(id).resolve("node.log"));
      }
      LocalCommand.pause(POLL_MS);
    }
  }

  private void report(String id, long pid, String text) {
    if (jsonOption.json()) {
      ObjectNode doc = JsonFormat.object();
      doc.put("node", id);
      doc.put("pid", pid);
      doc.put("state", ClusterFile.State.RUNNING.jsonName());
      env.out().println(JsonFormat.render(doc));
    } else {
      env.out().println(text);
    }
    env.out().flush();
  }
}
