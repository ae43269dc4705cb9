package io.bulwark.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bulwark.cli.local.ClusterFile;
import io.bulwark.cli.local.ClusterProcesses;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * {@code local stop --dir DIR}: SIGTERM to the supervisor (which stops its nodes and ZooKeeper),
 * then waits up to {@value #STOP_MS} ms until the supervisor and every node are gone, and SIGKILLs
 * what remains. Processes are found both from cluster.json and by command line, so nodes of a
 * supervisor that itself was killed are stopped too: no process of DIR is left behind. Exit 0
 * also when nothing was running.
 */
@Command(
    name = "stop",
    mixinStandardHelpOptions = true,
    description = "Stop the local cluster in DIR: its supervisor, nodes and ZooKeeper.")
final class LocalStopCommand implements Callable<Integer> {
  static final long STOP_MS = 30_000;
  static final long KILL_WAIT_MS = 5_000;
  static final long POLL_MS = 100;

  private final CliEnvironment env;

  @Mixin private LocalCommand.DirOption dirOption;

  @Mixin private JsonOption jsonOption;

  LocalStopCommand(CliEnvironment env) {
    this.env = env;
  }

  @Override
  public Integer call() {
    Path dir = dirOption.canonical();
    if (!Files.exists(ClusterFile.path(dir)) && ClusterProcesses.all(dir).isEmpty()) {
      throw CliException.failed("no local cluster in " + dir + ": " + ClusterFile.path(dir)
          + " does not exist and no process of one is running");
    }
    Map<ProcessHandle, String> targets = targets(dir);
    Optional<ProcessHandle> supervisor = targets.entrySet().stream()
        .filter(e -> e.getValue().equals("supervisor")).map(Map.Entry::getKey).findFirst();
    if (supervisor.isPresent()) {
      supervisor.get().destroy();
    } else {
      targets.keySet().forEach(ProcessHandle::destroy);
    }
    awaitGone(targets.keySet(), System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(STOP_MS),
        supervisor);
    List<String> forced = new ArrayList<>();
    // Whatever is still alive, and anything that started meanwhile: SIGKILL.
    for (int round = 0; round < 3; round++) {
      Map<ProcessHandle, String> left = new LinkedHashMap<>();
      targets.forEach((p, role) -> {
        if (p.isAlive()) {
          left.put(p, role);
        }
      });
      targets(dir).forEach((p, role) -> {
        left.putIfAbsent(p, role);
        targets.putIfAbsent(p, role);
      });
      if (left.isEmpty()) {
        break;
      }
      left.forEach((p, role) -> {
        p.destroyForcibly();
        forced.add(label(p, role));
      });
      awaitGone(left.keySet(), System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(KILL_WAIT_MS),
          Optional.empty());
    }
    List<String> stillAlive = targets.entrySet().stream().filter(e -> e.getKey().isAlive())
        .map(e -> label(e.getKey(), e.getValue())).collect(Collectors.toList());
    if (!stillAlive.isEmpty()) {
      throw CliException.failed("could not stop " + String.join(", ", stillAlive) + " in " + dir);
    }
    report(dir, targets, forced);
    return ExitCode.OK;
  }

  /** The live processes of DIR, supervisor first, from cluster.json and from a process scan. */
  private static Map<ProcessHandle, String> targets(Path dir) {
    Map<ProcessHandle, String> targets = new LinkedHashMap<>();
    Optional<ClusterFile> file = LocalCommand.tryReadClusterFile(dir);
    file.flatMap(f -> ClusterProcesses.supervisor(dir, f.supervisorPid()))
        .ifPresent(p -> targets.put(p, "supervisor"));
    for (ProcessHandle p : ClusterProcesses.all(dir)) {
      ClusterProcesses.role(p, dir).ifPresent(role -> targets.putIfAbsent(p, role));
    }
    file.ifPresent(f -> f.nodes().forEach(n -> ClusterProcesses.node(dir, n.id(), n.pid())
        .ifPresent(p -> targets.putIfAbsent(p, n.id()))));
    return targets;
  }

  /**
   * Waits until every process in {@code processes} is gone or the deadline passes. If the
   * supervisor goes first and leaves nodes behind, they get SIGTERM directly.
   */
  private static void awaitGone(java.util.Collection<ProcessHandle> processes, long deadline,
      Optional<ProcessHandle> supervisor) {
    boolean nodesSignalled = supervisor.isEmpty();
    while (processes.stream().anyMatch(ProcessHandle::isAlive)
        && System.nanoTime() - deadline < 0) {
      if (!nodesSignalled && !supervisor.get().isAlive()) {
        processes.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroy);
        nodesSignalled = true;
      }
      LocalCommand.pause(POLL_MS);
    }
  }

  private static String label(ProcessHandle p, String role) {
    return role + " (pid " + p.pid() + ")";
  }

  private void report(Path dir, Map<ProcessHandle, String> stopped, List<String> forced) {
    if (jsonOption.json()) {
      ObjectNode doc = JsonFormat.object();
      doc.put("dir", dir.toString());
      ArrayNode list = doc.putArray("stopped");
      stopped.forEach((p, role) -> list.addObject().put("process", role).put("pid", p.pid()));
      ArrayNode killed = doc.putArray("forced");
      forced.forEach(killed::add);
      env.out().println(JsonFormat.render(doc));
    } else if (stopped.isEmpty()) {
      env.out().println("nothing was running in " + dir);
    } else {
      env.out().println("stopped " + stopped.entrySet().stream()
          .map(e -> label(e.getKey(), e.getValue())).collect(Collectors.joining(", "))
          + " in " + dir);
      if (!forced.isEmpty()) {
        env.out().println("needed SIGKILL: " + String.join(", ", forced));
      }
    }
    env.out().flush();
  }
}
