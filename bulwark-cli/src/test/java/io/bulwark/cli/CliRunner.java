package io.bulwark.cli;

import io.bulwark.client.BulwarkClient;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs {@link Main#execute} in-process with captured streams and a client factory that never
 * connects: it records the endpoints it was asked for and fails with {@link #NOT_CONNECTING}
 * (exit 1), so a test can tell "reached the cluster step" from "stopped at a usage error".
 */
final class CliRunner {
  static final String NOT_CONNECTING = "test: not connecting to ";

  final Map<String, String> env = new HashMap<>();
  final List<String> connectedTo = new ArrayList<>();
  byte[] stdin = new byte[0];

  /** The outcome of one command line. */
  record Result(int exitCode, String out, String err) {}

  CliRunner withEnv(String name, String value) {
    env.put(name, value);
    return this;
  }

  Result run(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    CliEnvironment environment = new CliEnvironment(env, new ByteArrayInputStream(stdin),
        new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8),
        this::connect);
    int code = Main.execute(args, environment);
    return new Result(code, out.toString(StandardCharsets.UTF_8),
        err.toString(StandardCharsets.UTF_8));
  }

  private BulwarkClient connect(String endpoints) {
    connectedTo.add(endpoints);
    throw CliException.failed(NOT_CONNECTING + endpoints);
  }
}
