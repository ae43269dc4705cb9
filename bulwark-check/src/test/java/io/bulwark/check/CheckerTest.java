package io.bulwark.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.bulwark.check.history.HistoryFormatException;
import io.bulwark.check.history.OpType;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Goal: the {@link Checker} facade refuses a history its model cannot judge, naming the line, and
 * models are named as on the command line (DESIGN §9). Method: histories built in memory. What
 * {@code bulwark check} prints and exits with is tested in {@code bulwark-cli}.
 */
class CheckerTest {
  private static final Duration LIMIT = Duration.ofSeconds(10);

  @Test
  void checker_rejectsMixedHistoryWithTheLineOfTheFirstForeignOp() {
    HistoryBuilder mixed =
        new HistoryBuilder()
            .write(1, "x", "1", 0, 10)
            .txn(2, OpType.OK, 20, 30, HistoryBuilder.r("x", "1"));
    HistoryFormatException e =
        assertThrows(
            HistoryFormatException.class,
            () -> Checker.check(mixed.build(), Model.REGISTER, LIMIT, System::nanoTime));
    assertEquals(3, e.lineNumber());
  }

  @Test
  void model_isParsedFromItsCliName() {
    assertEquals(Model.TXN, Model.fromCliName("txn"));
    assertThrows(IllegalArgumentException.class, () -> Model.fromCliName("Register"));
  }
}
