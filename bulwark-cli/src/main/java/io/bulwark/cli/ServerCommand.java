package io.bulwark.cli;

import io.bulwark.server.NodeConfig;
import io.bulwark.server.NodeServer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code server --config FILE [--zookeeper HOST:PORT,...]}: runs one node until SIGTERM (DESIGN §8). Logs INFO in {@code
 * key=value} form on standard out ({@link Logging}). A configuration error exits 2 with the
 * message {@link NodeConfig} gives (it names the file and key); a failure to start exits 1.
 *
 * <p>The hidden {@code --supervisor-pid PID} is how the local supervisor starts nodes: the node
 * shuts down when that process is gone (cleanly, or by halting after {@value #ORPHAN_STOP_MS}
 * ms), so a supervisor killed with SIGKILL leaves no node behind.
 */
@Command(
    name = "server",
    mixinStandardHelpOptions = true,
    description = "Run one Bulwark node until it receives SIGTERM.")
final class ServerCommand implements Callable<Integer> {
  private static final Logger LOG = LoggerFactory.getLogger(ServerCommand.class);
  /** How long a node whose supervisor died may take to shut down before it halts. */
  static final long ORPHAN_STOP_MS = 15_000;

  private final CliEnvironment env;

  @Option(names = "--config", paramLabel = "FILE", required = true,
      description = "The node's configuration (Java properties; see NodeConfig).")
  private Path config;

  @Option(names = "--zookeeper", paramLabel = "HOST:PORT,...",
      description = "The ZooKeeper ensemble to use instead of the config file's 'zookeeper' "
          + "(production: an external ensemble).")
  private String zookeeper;

  @Option(names = "--supervisor-pid", paramLabel = "PID", hidden = true,
      description = "Shut down when this process exits (used by the local supervisor).")
  private Long supervisorPid;

  ServerCommand(CliEnvironment env) {
    this.env = env;
  }

  @Override
  public Integer call() {
    NodeConfig cfg;
    try {
      cfg = NodeConfig.load(config);
      if (zookeeper != null) {
        cfg = cfg.withZookeeper(zookeeper);
      }
    } catch (NodeConfig.ConfigException e) {
      throw CliException.usage(e.getMessage());
    }
    Logging.useServerLogging();
    NodeServer server;
    try {
      server = NodeServer.start(cfg);
    } catch (NodeConfig.ConfigException e) {
      LOG.error("event=node-start-refused node={} error=\"{}\"", cfg.nodeId(), e.getMessage());
      throw CliException.usage(e.getMessage());
    } catch (IOException | RuntimeException e) {
      LOG.error("event=node-start-failed node={}", cfg.nodeId(), e);
      throw new CliException(ExitCode.FAILED,
          "cannot start node " + cfg.nodeId() + ": " + e.getMessage(), e);
    }
    Runtime.getRuntime().addShutdownHook(new Thread(server::close, "node-shutdown"));
    if (supervisorPid != null) {
      exitWithSupervisor(cfg.nodeId(), supervisorPid);
    }
    try {
      server.awaitTermination();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      server.close();
      return ExitCode.FAILED;
    }
    return ExitCode.OK;
  }

  private static void exitWithSupervisor(String nodeId, long pid) {
    Optional<ProcessHandle> supervisor = ProcessHandle.of(pid).filter(ProcessHandle::isAlive);
    if (supervisor.isEmpty()) {
      onSupervisorGone(nodeId, pid);
      return;
    }
    supervisor.get().onExit()
        .thenRun(() -> onSupervisorGone(nodeId, pid))
        .exceptionally(t -> {
          LOG.error("event=supervisor-watch-failed node={} supervisorPid={}", nodeId, pid, t);
          return null;
        });
  }

  /**
   * Exits the JVM, so the shutdown hook closes the node exactly once. No one will send SIGKILL
   * to an orphaned node, so if the clean shutdown has not finished within {@value
   * #ORPHAN_STOP_MS} ms the process halts.
   */
  private static void onSupervisorGone(String nodeId, long pid) {
    LOG.warn("event=supervisor-gone node={} supervisorPid={}; shutting down", nodeId, pid);
    Thread halt = new Thread(() -> {
      try {
        Thread.sleep(ORPHAN_STOP_MS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
      LOG.error("event=shutdown-stuck node={} waitedMs={}; halting", nodeId, ORPHAN_STOP_MS);
      Runtime.getRuntime().halt(ExitCode.FAILED);
    }, "orphan-halt");
    halt.setDaemon(true);
    halt.start();
    System.exit(ExitCode.OK);
  }
}
