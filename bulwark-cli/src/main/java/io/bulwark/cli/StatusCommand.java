package io.bulwark.cli;

import io.bulwark.client.BulwarkClient;
import io.bulwark.client.ClusterStatus;
import picocli.CommandLine.Command;

/**
 * {@code status}: every node and every shard as one node sees them; with {@code --json} {@code
 * {"nodes":[...],"shards":[...],"controller"}} (DESIGN §8).
 */
@Command(
    name = "status",
    mixinStandardHelpOptions = true,
    description = "Show every node (alive, health) and every shard's configuration.")
final class StatusCommand extends ClientCommand {
  StatusCommand(CliEnvironment env) {
    super(env);
  }

  @Override
  protected int run(BulwarkClient client) {
    ClusterStatus status = client.status();
    if (json()) {
      printJson(JsonFormat.status(status));
    } else {
      env.out().print(TextFormat.status(status));
      env.out().flush();
    }
    return ExitCode.OK;
  }
}
