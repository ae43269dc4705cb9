package io.bulwark.check;

import io.bulwark.check.history.History;
import io.bulwark.check.history.HistoryFormatException;
import io.bulwark.check.history.Operation;
import java.time.Duration;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * The one entry point for checking a history against a {@link Model}: what {@code bulwark check},
 * the simulator and {@code bulwark verify} call (DESIGN §9). Stateless; thread-safe.
 */
public final class Checker {
  private Checker() {}

  /**
   * Checks {@code history}, giving up with UNKNOWN after {@code limit} as measured by {@code
   * nanoClock}, a monotonic clock in nanoseconds ({@code System::nanoTime} outside tests). This
   * module reads no file and no clock of its own: a history file is read by the caller ({@link
   * io.bulwark.check.history.HistoryReader}).
   *
   * @throws HistoryFormatException if it holds operations the model cannot judge (a txn in a
   *     register history or the reverse)
   * @throws IllegalArgumentException if {@code limit} is negative
   */
  public static CheckResult check(History history, Model model, Duration limit,
      LongSupplier nanoClock) throws HistoryFormatException {
    requireJudgeable(history, model);
    if (model == Model.REGISTER) {
      return new LinearizabilityChecker().check(history, limit, nanoClock);
    }
    return new TxnChecker().check(history, limit, nanoClock);
  }

  private static void requireJudgeable(History history, Model model) throws HistoryFormatException {
    boolean wantsRegister = model == Model.REGISTER;
    Optional<Operation> foreign = history.find(op -> op.f().isRegister() != wantsRegister);
    if (foreign.isPresent()) {
      Operation op = foreign.get();
      String advice =
          wantsRegister
              ? "check txns with --model txn"
              : "check read, write and cas " + "with --model register";
      throw new HistoryFormatException(
          op.invokeLine(),
          "f "
              + op.f().jsonName()
              + " cannot be judged by the "
              + model.cliName()
              + " model ("
              + advice
              + "; a history mixing both cannot be checked)");
    }
  }
}
