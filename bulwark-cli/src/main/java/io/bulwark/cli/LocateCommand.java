package io.bulwark.cli;

import io.bulwark.client.BulwarkClient;
import io.bulwark.client.ShardLocation;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/**
 * {@code locate KEY}: the shard that owns KEY and its configuration; with {@code --json} {@code
 * {"keyspace","shard","epoch","primary","backups",...}} (DESIGN §8).
 */
@Command(
    name = "locate",
    mixinStandardHelpOptions = true,
    description = "Show the shard that owns KEY: its epoch, primary, backups and learners.")
final class LocateCommand extends ClientCommand {
  @Mixin private KeyspaceOption keyspace;

  @Parameters(index = "0", paramLabel = "KEY", description = "The key (UTF-8).")
  private String key;

  LocateCommand(CliEnvironment env) {
    super(env);
  }

  @Override
  protected int run(BulwarkClient client) {
    ShardLocation location = client.locate(keyspace.keyspace(), utf8(key));
    if (json()) {
      printJson(JsonFormat.locate(location));
    } else {
      env.out().println(TextFormat.locate(location));
    }
    return ExitCode.OK;
  }
}
