package io.bulwark.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bulwark.check.CheckResult;
import io.bulwark.check.Checker;
import io.bulwark.check.Model;
import io.bulwark.check.history.HistoryFormatException;
import io.bulwark.cli.workload.HistoryFiles;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.TypeConversionException;

/**
 * {@code check FILE --model register|txn --time-limit 60s}: judges a DESIGN §9 history with the
 * checkers of {@code bulwark-check}. Exit 0 valid, 1 invalid (the smallest anomaly is printed),
 * 2 unreadable input, 4 unknown (the time limit was reached). Needs no cluster.
 *
 * <p>Output: one line {@code valid|invalid|unknown (MODEL, N ops, T ms)}, then for invalid the
 * anomaly and for unknown the reason; for an unreadable history one line {@code unreadable:
 * PROBLEM}. With {@code --json}, one JSON object on one line instead: {@code
 * {"verdict":"valid|invalid|unknown","model","file","ops","elapsedMs","anomaly"}}, where {@code
 * anomaly} is empty when valid, or {@code {"verdict":"unreadable","model","file","error"}}.
 */
@Command(
    name = "check",
    mixinStandardHelpOptions = true,
    description = "Check a history (JSON Lines, DESIGN §9) for linearizability (register) or "
        + "serializability (txn). Exit 0 valid, 1 invalid, 2 unreadable, 4 unknown.")
final class CheckHistoryCommand implements Callable<Integer> {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final CliEnvironment env;

  @Parameters(index = "0", paramLabel = "FILE", description = "The history file.")
  private Path file;

  @Option(names = "--model", paramLabel = "register|txn", defaultValue = "register",
      converter = ModelConverter.class,
      description = "register: linearizable read/write/cas per key (default); "
          + "txn: serializable transactions, none seen partly applied.")
  private Model model;

  @Option(names = "--time-limit", paramLabel = "DURATION", defaultValue = "60s",
      converter = Durations.class,
      description = "Give up (exit 4, unknown) after this long, e.g. 90s or 5m "
          + "(default: ${DEFAULT-VALUE}).")
  private Duration timeLimit;

  @Mixin private JsonOption jsonOption;

  CheckHistoryCommand(CliEnvironment env) {
    this.env = env;
  }

  @Override
  public Integer call() {
    int code = check();
    env.out().flush();
    return code;
  }

  private int check() {
    boolean json = jsonOption.json();
    CheckResult result;
    try {
      result = Checker.check(HistoryFiles.read(file), model, timeLimit, System::nanoTime);
    } catch (IOException e) {
      String problem = describe(e);
      env.out().println(json ? unreadableJson(problem) : "unreadable: " + problem);
      return ExitCode.UNREADABLE;
    }
    env.out().println(json ? resultJson(result) : resultText(result));
    switch (result.verdict()) {
      case VALID:
        return ExitCode.OK;
      case INVALID:
        return ExitCode.FAILED;
      case UNKNOWN:
        return ExitCode.UNKNOWN;
      default:
        throw new IllegalStateException("unhandled verdict " + result.verdict());
    }
  }

  /** A format error says what is wrong and where; file system errors often only name the file. */
  private String describe(IOException e) {
    if (e instanceof HistoryFormatException) {
      return file + ": " + e.getMessage();
    }
    if (e instanceof NoSuchFileException) {
      return "no such file: " + file;
    }
    return "cannot read " + file + ": " + e;
  }

  private String resultText(CheckResult result) {
    String summary = result.verdict().name().toLowerCase() + " (" + model.cliName() + ", "
        + result.opsChecked() + " ops, " + result.elapsed().toMillis() + " ms)";
    return result.anomaly().isEmpty() ? summary : summary + "\n" + result.anomaly();
  }

  private String resultJson(CheckResult result) {
    ObjectNode root = JSON.createObjectNode();
    root.put("verdict", result.verdict().name().toLowerCase());
    root.put("model", model.cliName());
    root.put("file", file.toString());
    root.put("ops", result.opsChecked());
    root.put("elapsedMs", result.elapsed().toMillis());
    root.put("anomaly", result.anomaly());
    return root.toString();
  }

  private String unreadableJson(String problem) {
    ObjectNode root = JSON.createObjectNode();
    root.put("verdict", "unreadable");
    root.put("model", model.cliName());
    root.put("file", file.toString());
    root.put("error", problem);
    return root.toString();
  }

  /** {@code --model} by its DESIGN §9 spelling. */
  static final class ModelConverter implements ITypeConverter<Model> {
    @Override
    public Model convert(String value) {
      try {
        return Model.fromCliName(value);
      } catch (IllegalArgumentException e) {
        throw new TypeConversionException(e.getMessage());
      }
    }
  }
}
