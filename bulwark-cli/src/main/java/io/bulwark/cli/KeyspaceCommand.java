package io.bulwark.cli;

import io.bulwark.client.BulwarkClient;
import io.bulwark.client.KeyspaceInfo;
import io.bulwark.core.common.KeyspaceSpec;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code keyspace create|list|describe|drop} (DESIGN §2). */
@Command(
    name = "keyspace",
    mixinStandardHelpOptions = true,
    description = "Create, list, describe or drop keyspaces.",
    subcommands = {
      KeyspaceCommand.Create.class,
      KeyspaceCommand.ListKeyspaces.class,
      KeyspaceCommand.Describe.class,
      KeyspaceCommand.Drop.class
    })
final class KeyspaceCommand implements Callable<Integer> {
  @CommandLine.Spec private CommandLine.Model.CommandSpec spec;

  /** {@code keyspace} alone is a usage error that lists the subcommands. */
  @Override
  public Integer call() {
    throw new CommandLine.ParameterException(spec.commandLine(),
        "missing subcommand: create, list, describe or drop");
  }

  /** The spellings of {@code --acks}. */
  enum Acks {
    all,
    primary
  }

  /**
   * {@code keyspace create NAME}: a primary-backup keyspace. The arguments are checked here with
   * the same rule the cluster applies ({@link KeyspaceSpec#validate()}), so a bad one is a usage
   * error before anything is sent. Prints the keyspace as {@code keyspace describe} does.
   */
  @Command(
      name = "create",
      mixinStandardHelpOptions = true,
      description = "Create a primary-backup keyspace.")
  static final class Create extends ClientCommand {
    static final int REPLICAS_DEFAULT = 3;
    static final int SHARDS_DEFAULT = 16;
    static final int MIN_INSYNC_DEFAULT = 2;

    @Parameters(index = "0", paramLabel = "NAME", description = "The keyspace's name.")
    private String name;

    @Option(names = "--replicas", paramLabel = "N", defaultValue = "" + REPLICAS_DEFAULT,
        description = "Replicas per shard (default: ${DEFAULT-VALUE}).")
    private int replicas;

    @Option(names = "--shards", paramLabel = "S", defaultValue = "" + SHARDS_DEFAULT,
        description = "Shards, fixed for the keyspace's life (default: ${DEFAULT-VALUE}).")
    private int shards;

    @Option(names = "--min-insync", paramLabel = "M",
        description = "Members a shard needs to accept a write (default: "
            + MIN_INSYNC_DEFAULT + ", or the replicas if fewer).")
    private Integer minInsync;

    @Option(names = "--acks", paramLabel = "all|primary", defaultValue = "all",
        description = "When a write is acknowledged: once every member holds it (all, the "
            + "default) or once the primary does (primary: faster, loses acknowledged writes "
            + "when the primary dies).")
    private Acks acks;

    Create(CliEnvironment env) {
      super(env);
    }

    int minInsyncOrDefault() {
      return minInsync != null ? minInsync : Math.min(MIN_INSYNC_DEFAULT, replicas);
    }

    @Override
    protected void prepare() {
      KeyspaceSpec spec = new KeyspaceSpec(name, KeyspaceSpec.Strategy.PRIMARY_BACKUP, replicas,
          shards, minInsyncOrDefault(),
          acks == Acks.all ? KeyspaceSpec.Acks.ALL : KeyspaceSpec.Acks.PRIMARY);
      String problem = spec.validate();
      if (problem != null) {
        throw usage(problem);
      }
    }

    @Override
    protected int run(BulwarkClient client) {
      KeyspaceInfo info =
          client.createKeyspace(name, replicas, shards, minInsyncOrDefault(), acks.name());
      if (json()) {
        printJson(JsonFormat.keyspace(info));
      } else {
        env.out().print(TextFormat.keyspace(info));
        env.out().flush();
      }
      return ExitCode.OK;
    }
  }

  /** {@code keyspace list}. */
  @Command(name = "list", mixinStandardHelpOptions = true, description = "List keyspaces.")
  static final class ListKeyspaces extends ClientCommand {
    ListKeyspaces(CliEnvironment env) {
      super(env);
    }

    @Override
    protected int run(BulwarkClient client) {
      List<KeyspaceInfo> infos = client.listKeyspaces();
      if (json()) {
        printJson(JsonFormat.keyspaces(infos));
      } else {
        env.out().print(TextFormat.keyspaces(infos));
        env.out().flush();
      }
      return ExitCode.OK;
    }
  }

  /** {@code keyspace describe NAME}: the spec and every shard's configuration. */
  @Command(
      name = "describe",
      mixinStandardHelpOptions = true,
      description = "Show a keyspace's spec and its shards.")
  static final class Describe extends ClientCommand {
    @Parameters(index = "0", paramLabel = "NAME", description = "The keyspace's name.")
    private String name;

    Describe(CliEnvironment env) {
      super(env);
    }

    @Override
    protected int run(BulwarkClient client) {
      KeyspaceInfo info = client.describeKeyspace(name);
      if (json()) {
        printJson(JsonFormat.keyspace(info));
      } else {
        env.out().print(TextFormat.keyspace(info));
        env.out().flush();
      }
      return ExitCode.OK;
    }
  }

  /** {@code keyspace drop NAME}: the keyspace and all its data. */
  @Command(
      name = "drop",
      mixinStandardHelpOptions = true,
      description = "Drop a keyspace and all its data.")
  static final class Drop extends ClientCommand {
    @Parameters(index = "0", paramLabel = "NAME", description = "The keyspace's name.")
    private String name;

    Drop(CliEnvironment env) {
      super(env);
    }

    @Override
    protected int run(BulwarkClient client) {
      client.dropKeyspace(name);
      if (json()) {
        printJson(JsonFormat.dropped(name));
      } else {
        env.out().println("OK dropped keyspace " + name);
      }
      return ExitCode.OK;
    }
  }
}
