package io.bulwark.cli.local;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Recognises the processes of a local cluster by their command lines: the supervisor runs {@code
 * ... io.bulwark.cli.LocalSupervisor DIR ...} and node K runs {@code ... server --config
 * DIR/nK/node.properties}. A pid read from cluster.json is only signalled if its process still
 * has that command line, so a pid the kernel has since given to another process is left alone.
 *
 * <p>Arguments are read from {@code /proc/PID/cmdline} where it exists (Linux), whole: the JDK's
 * {@link ProcessHandle.Info#arguments()} reads only its first 4096 bytes and reports no arguments
 * at all when the command line is longer, and ours are (the class path alone is about that
 * long). Elsewhere {@code Info.arguments()} is used. Where the arguments cannot be read the
 * process is treated as not ours.
 */
public final class ClusterProcesses {
  public static final String SUPERVISOR_CLASS = "io.bulwark.cli.LocalSupervisor";
  public static final String NODE_CONFIG_FILE = "node.properties";
  private static final Path PROC = Path.of("/proc");

  private ClusterProcesses() {}

  /** {@code DIR/nodeId/node.properties}, the config path that names node {@code nodeId}. */
  public static Path nodeConfig(Path dir, String nodeId) {
    return dir.resolve(nodeId).resolve(NODE_CONFIG_FILE);
  }

  /** The live process {@code pid}, if it is the supervisor of {@code dir}. */
  public static Optional<ProcessHandle> supervisor(Path dir, long pid) {
    return live(pid).filter(p -> isSupervisorOf(arguments(p), dir));
  }

  /** The live process {@code pid}, if it is node {@code nodeId} of {@code dir}. */
  public static Optional<ProcessHandle> node(Path dir, String nodeId, long pid) {
    return live(pid).filter(p -> isNodeOf(arguments(p), dir, nodeId));
  }

  /** Every live process of {@code dir}'s cluster: its supervisor(s) and any node. */
  public static List<ProcessHandle> all(Path dir) {
    long self = ProcessHandle.current().pid();
    return ProcessHandle.allProcesses()
        .filter(p -> p.pid() != self)
        .filter(p -> {
          List<String> args = arguments(p);
          return isSupervisorOf(args, dir) || nodeIdOf(args, dir).isPresent();
        })
        .collect(Collectors.toList());
  }

  /** Every live process of node {@code nodeId} of {@code dir}. */
  public static List<ProcessHandle> nodeProcesses(Path dir, String nodeId) {
    return ProcessHandle.allProcesses()
        .filter(p -> isNodeOf(arguments(p), dir, nodeId))
        .collect(Collectors.toList());
  }

  /** "supervisor" or the node id, if {@code p} is a process of {@code dir}'s cluster. */
  public static Optional<String> role(ProcessHandle p, Path dir) {
    List<String> args = arguments(p);
    return isSupervisorOf(args, dir) ? Optional.of("supervisor") : nodeIdOf(args, dir);
  }

  /** Whether {@code args} are those of the supervisor of {@code dir}. */
  static boolean isSupervisorOf(List<String> args, Path dir) {
    int i = args.indexOf(SUPERVISOR_CLASS);
    return i >= 0 && i + 1 < args.size() && samePath(args.get(i + 1), dir);
  }

  static boolean isNodeOf(List<String> args, Path dir, String nodeId) {
    return nodeIdOf(args, dir).filter(nodeId::equals).isPresent();
  }

  /** The node id if {@code args} run a node of {@code dir}: {@code --config DIR/ID/node.properties}. */
  static Optional<String> nodeIdOf(List<String> args, Path dir) {
    int i = args.indexOf("--config");
    if (i < 0 || i + 1 >= args.size() || !args.contains("server")) {
      return Optional.empty();
    }
    Path config;
    try {
      config = Path.of(args.get(i + 1)).toAbsolutePath().normalize();
    } catch (RuntimeException e) {
      return Optional.empty();
    }
    Path nodeDir = config.getParent();
    if (nodeDir == null
        || !config.getFileName().toString().equals(NODE_CONFIG_FILE)
        || nodeDir.getParent() == null
        || !nodeDir.getParent().equals(dir.toAbsolutePath().normalize())) {
      return Optional.empty();
    }
    return Optional.of(nodeDir.getFileName().toString());
  }

  private static boolean samePath(String arg, Path dir) {
    try {
      return Path.of(arg).toAbsolutePath().normalize().equals(dir.toAbsolutePath().normalize());
    } catch (RuntimeException e) {
      return false;
    }
  }

  private static Optional<ProcessHandle> live(long pid) {
    if (pid <= 0) {
      return Optional.empty();
    }
    return ProcessHandle.of(pid).filter(ProcessHandle::isAlive);
  }

  /** The process's arguments after the program name; empty if they cannot be read. */
  static List<String> arguments(ProcessHandle p) {
    Path cmdline = PROC.resolve(Long.toString(p.pid())).resolve("cmdline");
    if (Files.isDirectory(PROC)) {
      byte[] raw;
      try {
        raw = Files.readAllBytes(cmdline);
      } catch (IOException | SecurityException e) {
        return List.of(); // Gone meanwhile, or another user's: not ours either way.
      }
      return parseCmdline(raw);
    }
    return p.info().arguments().map(Arrays::asList).orElse(List.of());
  }

  /** {@code /proc/PID/cmdline}: NUL-terminated arguments, the first being the program. */
  static List<String> parseCmdline(byte[] raw) {
    List<String> args = new ArrayList<>();
    int start = 0;
    for (int i = 0; i < raw.length; i++) {
      if (raw[i] == 0) {
        args.add(new String(raw, start, i - start, StandardCharsets.UTF_8));
        start = i + 1;
      }
    }
    if (start < raw.length) {
      args.add(new String(raw, start, raw.length - start, StandardCharsets.UTF_8));
    }
    return args.isEmpty() ? args : args.subList(1, args.size());
  }
}
