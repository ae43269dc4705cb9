package io.bulwark.check;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bulwark.check.history.HistoryFormatException;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The body of {@code bin/bulwark check FILE --model register|txn [--json]} (DESIGN §9), minus
 * argument parsing, which belongs to the CLI. Stateless; thread-safe.
 *
 * <p>Output, on {@code out}: one line {@code valid|invalid|unknown (MODEL, N ops, T ms)}, then for
 * invalid the anomaly and for unknown the reason; for an unreadable history one line {@code
 * unreadable: PROBLEM}. With {@code json}, one JSON object on one line instead: {@code
 * {"verdict":"valid|invalid|unknown","model","file","ops","elapsedMs","anomaly"}}, where {@code
 * anomaly} is empty when valid, or {@code {"verdict":"unreadable","model","file","error"}}.
 */
public final class CheckCommand {
  public static final int EXIT_VALID = 0;
  public static final int EXIT_INVALID = 1;
  public static final int EXIT_UNREADABLE = 2;
  public static final int EXIT_UNKNOWN = 4;

  private static final ObjectMapper JSON = new ObjectMapper();

  private CheckCommand() {}

  /**
   * Checks {@code history} and prints the outcome.
   *
   * @return {@link #EXIT_VALID}, {@link #EXIT_INVALID}, {@link #EXIT_UNREADABLE} (cannot be read,
   *     is not a DESIGN §9 history, or does not fit the model) or {@link #EXIT_UNKNOWN} (the time
   *     limit was reached, or the txn model's precondition is unmet)
   */
  public static int run(Path history, Model model, Duration limit, PrintStream out, boolean json) {
    CheckResult result;
    try {
      result = Checker.check(history, model, limit);
    } catch (IOException e) {
      String problem = describe(history, e);
      out.println(json ? unreadableJson(history, model, problem) : "unreadable: " + problem);
      return EXIT_UNREADABLE;
    }
    out.println(json ? resultJson(history, model, result) : resultText(model, result));
    switch (result.verdict()) {
      case VALID:
        return EXIT_VALID;
      case INVALID:
        return EXIT_INVALID;
      case UNKNOWN:
        return EXIT_UNKNOWN;
      default:
        throw new IllegalStateException("unhandled verdict " + result.verdict());
    }
  }

  /** A format error says what is wrong and where; file system errors often only name the file. */
  private static String describe(Path history, IOException e) {
    if (e instanceof HistoryFormatException) {
      return history + ": " + e.getMessage();
    }
    if (e instanceof NoSuchFileException) {
      return "no such file: " + history;
    }
    return "cannot read " + history + ": " + e;
  }

  private static String resultText(Model model, CheckResult result) {
    String summary =
        result.verdict().name().toLowerCase()
            + " ("
            + model.cliName()
            + ", "
            + result.opsChecked()
            + " ops, "
            + result.elapsed().toMillis()
            + " ms)";
    return result.anomaly().isEmpty() ? summary : summary + "\n" + result.anomaly();
  }

  private static String resultJson(Path history, Model model, CheckResult result) {
    ObjectNode root = JSON.createObjectNode();
    root.put("verdict", result.verdict().name().toLowerCase());
    root.put("model", model.cliName());
    root.put("file", history.toString());
    root.put("ops", result.opsChecked());
    root.put("elapsedMs", result.elapsed().toMillis());
    root.put("anomaly", result.anomaly());
    return root.toString();
  }

  private static String unreadableJson(Path history, Model model, String problem) {
    ObjectNode root = JSON.createObjectNode();
    root.put("verdict", "unreadable");
    root.put("model", model.cliName());
    root.put("file", history.toString());
    root.put("error", problem);
    return root.toString();
  }
}
