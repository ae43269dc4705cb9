package io.bulwark.cli;

import io.bulwark.client.BulwarkClient;
import io.bulwark.client.WriteResult;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/**
 * {@code put KEY [VALUE]}: without VALUE the value is all of standard input, as {@code etcdctl
 * put} does, so values larger than a command line can be stored (DESIGN §8). Prints {@code OK
 * version=N}, or with {@code --json} {@code {"key","version"}}.
 */
@Command(
    name = "put",
    mixinStandardHelpOptions = true,
    description = "Write VALUE under KEY. Without VALUE, the value is read from standard input.")
final class PutCommand extends ClientCommand {
  /**
   * The most this command reads from standard input. The cluster's own value limit (1 MiB by
   * default, DESIGN §2) is lower and is reported by the cluster; this bound only keeps a mistaken
   * pipe from filling the CLI's memory (STYLE P5).
   */
  static final int STDIN_VALUE_BYTES_MAX = 64 * 1024 * 1024;

  @Mixin private KeyspaceOption keyspace;

  @Parameters(index = "0", paramLabel = "KEY", description = "The key (UTF-8).")
  private String key;

  @Parameters(index = "1", arity = "0..1", paramLabel = "VALUE",
      description = "The value (UTF-8); omit it to read the value from standard input.")
  private String value;

  private byte[] valueBytes;

  PutCommand(CliEnvironment env) {
    super(env);
  }

  @Override
  protected void prepare() {
    valueBytes = value != null ? utf8(value) : readAll(env.in());
  }

  @Override
  protected int run(BulwarkClient client) {
    byte[] k = utf8(key);
    WriteResult result = client.put(keyspace.keyspace(), k, valueBytes);
    if (json()) {
      printJson(JsonFormat.write(k, result));
    } else {
      env.out().println("OK version=" + result.version());
    }
    return ExitCode.OK;
  }

  static byte[] readAll(InputStream in) {
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    byte[] chunk = new byte[64 * 1024];
    try {
      int n;
      while ((n = in.read(chunk)) >= 0) {
        if (buffer.size() + n > STDIN_VALUE_BYTES_MAX) {
          throw CliException.failed("the value on standard input is over "
              + STDIN_VALUE_BYTES_MAX + " bytes, the most put reads");
        }
        buffer.write(chunk, 0, n);
      }
    } catch (IOException e) {
      throw CliException.failed("cannot read the value from standard input: " + e.getMessage());
    }
    return buffer.toByteArray();
  }
}
