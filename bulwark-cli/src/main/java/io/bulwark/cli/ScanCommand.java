package io.bulwark.cli;

import io.bulwark.client.BulwarkClient;
import io.bulwark.client.KeyValueEntry;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code scan [PREFIX] --limit N}: keys with a prefix in unsigned byte order, at most N. Prints
 * {@code KEY<TAB>VALUE} per key; with {@code --json} {@code {"keyspace","prefix","items":[{"key",
 * "value","version"}]}}. Not one snapshot: each shard is read in turn.
 */
@Command(
    name = "scan",
    mixinStandardHelpOptions = true,
    description = "List keys starting with PREFIX (every key if omitted), in byte order.")
final class ScanCommand extends ClientCommand {
  static final int LIMIT_DEFAULT = 1000;

  @Mixin private KeyspaceOption keyspace;

  @Parameters(index = "0", arity = "0..1", paramLabel = "PREFIX", defaultValue = "",
      description = "The key prefix (UTF-8); omit it for every key.")
  private String prefix;

  @Option(names = {"-n", "--limit"}, paramLabel = "N", defaultValue = "" + LIMIT_DEFAULT,
      description = "At most N keys (default: ${DEFAULT-VALUE}).")
  private int limit;

  ScanCommand(CliEnvironment env) {
    super(env);
  }

  @Override
  protected void prepare() {
    if (limit < 1) {
      throw usage("--limit must be at least 1, was " + limit);
    }
  }

  @Override
  protected int run(BulwarkClient client) {
    byte[] p = utf8(prefix);
    List<KeyValueEntry> entries = client.scan(keyspace.keyspace(), p, limit);
    if (json()) {
      printJson(JsonFormat.scan(keyspace.keyspace(), p, entries));
    } else {
      for (KeyValueEntry e : entries) {
        env.out().println(TextFormat.utf8(e.key()) + "\t" + TextFormat.utf8(e.value()));
      }
    }
    return ExitCode.OK;
  }
}
