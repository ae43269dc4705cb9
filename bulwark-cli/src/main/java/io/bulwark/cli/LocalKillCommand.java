package io.bulwark.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bulwark.cli.local.ClusterFile;
import io.bulwark.cli.local.ClusterProcesses;
import io.bulwark.cli.local.LocalDirs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/**
 * {@code local kill NODE --dir DIR}: marks NODE down (DIR/down/NODE) so the supervisor does not
 * restart it, then SIGKILLs its process and waits until it is gone and the supervisor has
 * recorded it as down. A process the supervisor started just before it saw the marker is killed
 * too. The node stays down until {@code local revive}.
 */
@Command(
    name = "kill",
    mixinStandardHelpOptions = true,
    description = "Kill node NODE with SIGKILL and keep it down until 'local revive'.")
final class LocalKillCommand implements Callable<Integer> {
  static final long DEADLINE_MS = 15_000;
  static final long POLL_MS = 100;

  private final CliEnvironment env;

  @CommandLine.Spec private CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", paramLabel = "NODE", description = "The node id, e.g. n2 (or 2).")
  private String nodeArg;

  @Mixin private LocalCommand.DirOption dirOption;

  @Mixin private JsonOption jsonOption;

  LocalKillCommand(CliEnvironment env) {
    this.env = env;
  }

  @Override
  public Integer call() throws IOException {
    Path dir = dirOption.canonical();
    ClusterFile file = LocalCommand.readClusterFile(dir);
    String id = LocalCommand.node(file, nodeArg, dir, spec).id();
    // Find the process before writing the marker: the supervisor SIGKILLs a marked node itself
    // within 100 ms, and the report should still name the process this command brought down.
    List<ProcessHandle> targets = ClusterProcesses.nodeProcesses(dir, id);
    Path marker = LocalDirs.downMarker(dir, id);
    Files.createDirectories(marker.getParent());
    Files.writeString(marker, "killed by bulwark local kill at " + Instant.now() + "\n");
    List<Long> killed = new ArrayList<>();
    for (ProcessHandle p : targets) {
      p.destroyForcibly();
      killed.add(p.pid());
    }
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(DEADLINE_MS);
    while (true) {
      // A process the supervisor started just before it saw the marker.
      List<ProcessHandle> alive = ClusterProcesses.nodeProcesses(dir, id);
      for (ProcessHandle p : alive) {
        if (!killed.contains(p.pid())) {
          killed.add(p.pid());
        }
        p.destroyForcibly();
      }
      if (alive.isEmpty() && supervisorRecordedDown(dir, id)) {
        break;
      }
      if (System.nanoTime() - deadline > 0) {
        throw CliException.failed(alive.isEmpty()
            ? "killed " + id + ", but the supervisor did not record it as down within "
                + DEADLINE_MS + " ms"
            : "could not kill " + id + " (pids " + alive.stream()
                .map(p -> Long.toString(p.pid())).collect(Collectors.joining(", ")) + ")");
      }
      LocalCommand.pause(POLL_MS);
    }
    report(dir, id, killed);
    return ExitCode.OK;
  }

  /** True once cluster.json says DOWN, or if no supervisor is running to say anything. */
  private static boolean supervisorRecordedDown(Path dir, String id) {
    Optional<ClusterFile> file = LocalCommand.tryReadClusterFile(dir);
    if (file.isEmpty()) {
      return false;
    }
    if (ClusterProcesses.supervisor(dir, file.get().supervisorPid()).isEmpty()) {
      return true;
    }
    return file.get().node(id).map(n -> n.state() == ClusterFile.State.DOWN).orElse(true);
  }

  private void report(Path dir, String id, List<Long> killed) {
    if (jsonOption.json()) {
      ObjectNode doc = JsonFormat.object();
      doc.put("node", id);
      doc.put("state", ClusterFile.State.DOWN.jsonName());
      killed.forEach(doc.putArray("killed")::add);
      env.out().println(JsonFormat.render(doc));
    } else if (killed.isEmpty()) {
      env.out().println(id + " was not running; it stays down until: bulwark local revive " + id
          + " --dir " + dir);
    } else {
      env.out().println("killed " + id + " (pid " + killed.stream().map(String::valueOf)
          .collect(Collectors.joining(", ")) + ") with SIGKILL; it stays down until: "
          + "bulwark local revive " + id + " --dir " + dir);
    }
    env.out().flush();
  }
}
