package io.bulwark.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/**
 * {@code demo} (DESIGN §8) — NOT IMPLEMENTED YET.
 *
 * <p>TODO(demo): to be written by the project lead. It must start a local 3-node cluster with
 * the embedded ZooKeeper, write and read under load, kill the primary of a shard, show the
 * failover and re-replication as they happen, check that no acknowledged write was lost, and stop
 * everything it started. Until then it says so and exits 1; it does not pretend.
 */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description = "A guided failover demonstration on a local cluster (not implemented yet).")
final class DemoCommand implements Callable<Integer> {
  private final CliEnvironment env;

  DemoCommand(CliEnvironment env) {
    this.env = env;
  }

  @Override
  public Integer call() {
    env.err().println("demo: not implemented yet");
    return ExitCode.FAILED;
  }
}
