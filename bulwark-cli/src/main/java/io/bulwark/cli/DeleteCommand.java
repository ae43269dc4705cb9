package io.bulwark.cli;

import io.bulwark.client.BulwarkClient;
import io.bulwark.client.WriteResult;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/**
 * {@code delete KEY}: writes a tombstone; deleting an absent key is not an error. Prints {@code
 * OK version=N}, or with {@code --json} {@code {"key","version"}}.
 */
@Command(
    name = "delete",
    mixinStandardHelpOptions = true,
    description = "Delete KEY (an absent key is not an error).")
final class DeleteCommand extends ClientCommand {
  @Mixin private KeyspaceOption keyspace;

  @Parameters(index = "0", paramLabel = "KEY", description = "The key (UTF-8).")
  private String key;

  DeleteCommand(CliEnvironment env) {
    super(env);
  }

  @Override
  protected int run(BulwarkClient client) {
    byte[] k = utf8(key);
    WriteResult result = client.delete(keyspace.keyspace(), k);
    if (json()) {
      printJson(JsonFormat.write(k, result));
    } else {
      env.out().println("OK version=" + result.version());
    }
    return ExitCode.OK;
  }
}
