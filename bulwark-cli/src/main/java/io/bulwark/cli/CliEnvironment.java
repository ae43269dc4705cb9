package io.bulwark.cli;

import io.bulwark.client.BulwarkClient;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Objects;

/**
 * What a command may touch outside its arguments: environment variables, the standard streams
 * and the way to reach a cluster. {@link Main#main} passes the real ones; tests pass their own,
 * so parsing and exit codes are tested without a process or a cluster.
 *
 * @param env environment variables (for {@code BULWARK_CLUSTER})
 * @param in standard input ({@code put KEY} without a value reads it)
 * @param out standard output: command output only (UTF-8)
 * @param err standard error: {@code error: ...} lines and warnings (UTF-8)
 * @param clients how to connect to a cluster
 */
public record CliEnvironment(
    Map<String, String> env, InputStream in, PrintStream out, PrintStream err,
    ClientFactory clients) {

  /** The variable that stands in for {@code --cluster} (like etcdctl's ETCDCTL_ENDPOINTS). */
  public static final String CLUSTER_ENV = "BULWARK_CLUSTER";

  /** Connects to a cluster; {@link BulwarkClient#connect(String)} in production. */
  @FunctionalInterface
  public interface ClientFactory {
    /**
     * A client for {@code endpoints}.
     *
     * @throws IllegalArgumentException if the endpoint list is malformed
     */
    BulwarkClient connect(String endpoints);
  }

  public CliEnvironment {
    env = Map.copyOf(env);
    Objects.requireNonNull(in, "in");
    Objects.requireNonNull(out, "out");
    Objects.requireNonNull(err, "err");
    Objects.requireNonNull(clients, "clients");
  }

  /**
   * The process's own environment and streams. The streams are UTF-8 whatever the platform
   * default: keys and values are UTF-8 strings on the command line (DESIGN §8).
   */
  public static CliEnvironment system() {
    return new CliEnvironment(System.getenv(), System.in,
        new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8),
        new PrintStream(new FileOutputStream(FileDescriptor.err), true, StandardCharsets.UTF_8),
        BulwarkClient::connect);
  }
}
