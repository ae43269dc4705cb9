package io.bulwark.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bulwark.client.BulwarkClient;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * A command that talks to a cluster. The order is fixed so that usage errors never touch the
 * network: resolve and validate {@code --cluster}, then {@link #prepare()} (the subclass's own
 * argument checks, which throw {@link ParameterException}), then connect and {@link #run}.
 * Failures of the call itself propagate as {@code BulwarkException} and are mapped to exit codes
 * by {@link Main}.
 */
abstract class ClientCommand implements Callable<Integer> {
  protected final CliEnvironment env;

  @Spec protected CommandSpec spec;

  @Mixin private ClusterOptions clusterOptions;

  @Mixin private JsonOption jsonOption;

  protected ClientCommand(CliEnvironment env) {
    this.env = env;
  }

  @Override
  public final Integer call() {
    String endpoints = clusterOptions.endpoints(env, spec);
    prepare();
    BulwarkClient client;
    try {
      client = env.clients().connect(endpoints);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(),
          "invalid cluster '" + endpoints + "': " + e.getMessage());
    }
    try (client) {
      return run(client);
    }
  }

  /** Checks arguments and reads input before connecting; throws ParameterException (exit 2). */
  protected void prepare() {}

  /** Performs the command; returns its exit code. */
  protected abstract int run(BulwarkClient client);

  protected boolean json() {
    return jsonOption.json();
  }

  protected void printJson(ObjectNode document) {
    env.out().println(JsonFormat.render(document));
  }

  protected ParameterException usage(String message) {
    return new ParameterException(spec.commandLine(), message);
  }

  protected static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
