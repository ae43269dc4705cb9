package io.bulwark.cli;

import io.bulwark.cli.local.ClusterFile;
import io.bulwark.cli.local.LocalDirs;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code local start|stop|kill|revive}: a supervised cluster on this machine (DESIGN §8). See
 * {@link LocalSupervisor} for what the supervisor does and {@link io.bulwark.cli.local} for the
 * directory layout.
 */
@Command(
    name = "local",
    mixinStandardHelpOptions = true,
    description = "Run a supervised cluster on this machine, with an embedded ZooKeeper.",
    subcommands = {
      LocalStartCommand.class,
      LocalStopCommand.class,
      LocalKillCommand.class,
      LocalReviveCommand.class
    })
final class LocalCommand implements Callable<Integer> {
  @CommandLine.Spec private CommandLine.Model.CommandSpec spec;

  /** {@code local} alone is a usage error that lists the subcommands. */
  @Override
  public Integer call() {
    throw new CommandLine.ParameterException(spec.commandLine(),
        "missing subcommand: start, stop, kill or revive");
  }

  /** {@code --dir DIR}, shared by the local subcommands (a picocli mixin). */
  static final class DirOption {
    @Option(names = "--dir", paramLabel = "DIR", required = true,
        description = "The cluster's directory (cluster.json, logs, data).")
    Path dir;

    /** The directory in the canonical form the supervisor's command line uses. */
    Path canonical() {
      return LocalDirs.canonical(dir);
    }
  }

  /**
   * {@code DIR/cluster.json}.
   *
   * @throws CliException (exit 1) if there is none or it cannot be read
   */
  static ClusterFile readClusterFile(Path dir) {
    try {
      return ClusterFile.read(dir).orElseThrow(() -> CliException.failed(
          "no local cluster in " + dir + ": " + ClusterFile.path(dir) + " does not exist"));
    } catch (IOException e) {
      throw CliException.failed(e.getMessage());
    }
  }

  /** DIR/cluster.json if it exists and parses; empty otherwise (the supervisor may be writing). */
  static java.util.Optional<ClusterFile> tryReadClusterFile(Path dir) {
    try {
      return ClusterFile.read(dir);
    } catch (IOException e) {
      return java.util.Optional.empty();
    }
  }

  /** The node NODE of {@code file} ({@code 2} means {@code n2}), or a usage error naming the nodes. */
  static ClusterFile.Node node(ClusterFile file, String given, Path dir,
      CommandLine.Model.CommandSpec spec) {
    String id = LocalDirs.normaliseNodeId(given);
    return file.node(id).orElseThrow(() -> new CommandLine.ParameterException(spec.commandLine(),
        "unknown node '" + given + "'; the cluster in " + dir + " has "
            + String.join(", ", file.nodeIds())));
  }

  /** Sleeps between polls; an interrupt ends the command (exit 1). */
  static void pause(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw CliException.failed("interrupted");
    }
  }
}
