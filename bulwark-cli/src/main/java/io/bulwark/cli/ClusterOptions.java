package io.bulwark.cli;

import java.util.Optional;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/** {@code --cluster}, shared by every command that talks to a cluster (a picocli mixin). */
public final class ClusterOptions {
  @Option(
      names = "--cluster",
      paramLabel = "HOST:PORT[,HOST:PORT...]",
      description = "Client addresses of one or more nodes (the rest are discovered). "
          + "Default: $" + CliEnvironment.CLUSTER_ENV + ".")
  String cluster;

  /**
   * The endpoint list from {@code --cluster}, else from {@code BULWARK_CLUSTER}, validated.
   *
   * @throws ParameterException (exit 2) if neither is given or the list is malformed
   */
  public String endpoints(CliEnvironment env, CommandSpec spec) {
    String source = "--cluster";
    String value = cluster;
    if (value == null) {
      source = "$" + CliEnvironment.CLUSTER_ENV;
      value = Optional.ofNullable(env.env().get(CliEnvironment.CLUSTER_ENV))
          .filter(v -> !v.isBlank())
          .orElseThrow(() -> new ParameterException(spec.commandLine(),
              "no cluster given: pass --cluster host:port,... or export "
                  + CliEnvironment.CLUSTER_ENV + "=host:port,..."));
    }
    try {
      Endpoints.parse(value);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(),
          "invalid " + source + " '" + value + "': " + e.getMessage());
    }
    return value;
  }
}
