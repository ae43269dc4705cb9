package io.bulwark.cli;

import io.bulwark.client.BulwarkClient;
import io.bulwark.client.VersionedValue;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/**
 * {@code get KEY}: a linearizable read. Prints the value's bytes as stored, followed by a newline
 * unless the value already ends with one; with {@code --json} {@code {"key","value","version"}}.
 * A missing key prints nothing and exits 1 (DESIGN §8).
 */
@Command(
    name = "get",
    mixinStandardHelpOptions = true,
    description = "Read KEY. A missing key prints nothing and exits 1.")
final class GetCommand extends ClientCommand {
  @Mixin private KeyspaceOption keyspace;

  @Parameters(index = "0", paramLabel = "KEY", description = "The key (UTF-8).")
  private String key;

  GetCommand(CliEnvironment env) {
    super(env);
  }

  @Override
  protected int run(BulwarkClient client) {
    byte[] k = utf8(key);
    Optional<VersionedValue> found = client.get(keyspace.keyspace(), k);
    if (found.isEmpty()) {
      return ExitCode.FAILED;
    }
    if (json()) {
      printJson(JsonFormat.get(k, found.get()));
    } else {
      byte[] v = found.get().value();
      env.out().write(v, 0, v.length);
      if (v.length == 0 || v[v.length - 1] != '\n') {
        env.out().println();
      }
      env.out().flush();
    }
    return ExitCode.OK;
  }
}
