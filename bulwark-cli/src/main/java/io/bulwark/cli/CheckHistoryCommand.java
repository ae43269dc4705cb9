package io.bulwark.cli;

import io.bulwark.check.CheckCommand;
import io.bulwark.check.Model;
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
 */
@Command(
    name = "check",
    mixinStandardHelpOptions = true,
    description = "Check a history (JSON Lines, DESIGN §9) for linearizability (register) or "
        + "serializability (txn). Exit 0 valid, 1 invalid, 2 unreadable, 4 unknown.")
final class CheckHistoryCommand implements Callable<Integer> {
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
    int code = CheckCommand.run(file, model, timeLimit, env.out(), jsonOption.json());
    env.out().flush();
    return code;
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
