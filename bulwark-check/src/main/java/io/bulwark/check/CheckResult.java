package io.bulwark.check;

import java.time.Duration;
import java.util.Objects;

/**
 * The outcome of checking one history.
 *
 * @param verdict what the checker concluded
 * @param anomaly for INVALID, the smallest anomaly found: what kind it is, the operations involved
 *     (with their lines in the history) and why they cannot be explained; for UNKNOWN, why the
 *     checker gave up; empty for VALID
 * @param opsChecked how many operations (invokes) of the model's kind the history holds
 * @param elapsed how long the check took
 */
public record CheckResult(Verdict verdict, String anomaly, int opsChecked, Duration elapsed) {

  public CheckResult {
    Objects.requireNonNull(verdict, "verdict");
    Objects.requireNonNull(anomaly, "anomaly");
    Objects.requireNonNull(elapsed, "elapsed");
    if ((verdict == Verdict.VALID) != anomaly.isEmpty()) {
      throw new IllegalArgumentException("only a VALID result has no anomaly text");
    }
  }

  public static CheckResult valid(int opsChecked, Duration elapsed) {
    return new CheckResult(Verdict.VALID, "", opsChecked, elapsed);
  }

  public static CheckResult invalid(String anomaly, int opsChecked, Duration elapsed) {
    return new CheckResult(Verdict.INVALID, anomaly, opsChecked, elapsed);
  }

  public static CheckResult unknown(String reason, int opsChecked, Duration elapsed) {
    return new CheckResult(Verdict.UNKNOWN, reason, opsChecked, elapsed);
  }
}
