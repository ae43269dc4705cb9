package io.bulwark.check;

import io.bulwark.check.history.History;
import io.bulwark.check.history.Operation;
import io.bulwark.check.internals.Deadline;
import io.bulwark.check.internals.register.KeyChecker;
import io.bulwark.check.internals.register.KeyHistory;
import io.bulwark.check.internals.register.SearchOutcome;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.LongSupplier;

/**
 * Checks that read, write and cas operations are linearizable, each key being a register that
 * starts absent (DESIGN §9, {@code --model register}).
 *
 * <p>Each key is checked on its own (linearizability is compositional, as Knossos and Porcupine
 * exploit), by a Wing &amp; Gong search memoised on (operations linearized, state). What each
 * outcome means: an ok operation happened between its invoke and its return; a failed one did not
 * happen (a failed cas, in particular, changed nothing); an info one may take effect at any time
 * after its invoke, or never, and an info read constrains nothing. An ok cas found the expected
 * value. Two operations are ordered only if one returned strictly before the other was invoked.
 *
 * <p>Keys are checked smallest first. The first key found not linearizable makes the verdict
 * INVALID; its history is then shrunk to the first operation whose result cannot be explained and
 * the few operations that show why. A key whose search runs out of time or memo makes the verdict
 * UNKNOWN unless another key is INVALID: the checker never guesses.
 *
 * <p>Stateless apart from its settings; thread-safe.
 */
public final class LinearizabilityChecker {
  /**
   * The default bound on memoised configurations per search: about 100 bytes each for short
   * histories, so some hundreds of megabytes at most.
   */
  public static final long MEMO_ENTRIES_MAX_DEFAULT = 2_000_000;

  private final long memoEntriesMax;

  public LinearizabilityChecker() {
    this(MEMO_ENTRIES_MAX_DEFAULT);
  }

  /** A checker whose searches give up (UNKNOWN) after remembering {@code memoEntriesMax}. */
  public LinearizabilityChecker(long memoEntriesMax) {
    if (memoEntriesMax < 1) {
      throw new IllegalArgumentException("memoEntriesMax must be positive: " + memoEntriesMax);
    }
    this.memoEntriesMax = memoEntriesMax;
  }

  /**
   * Checks {@code history}, giving up after {@code limit} as measured by {@code nanoClock} (a
   * monotonic clock in nanoseconds, such as {@code System::nanoTime}).
   *
   * @throws IllegalArgumentException if the history holds a txn, which this model cannot judge
   */
  public CheckResult check(History history, Duration limit, LongSupplier nanoClock) {
    Deadline deadline = Deadline.start(limit, nanoClock);
    List<KeyHistory> keys = keysSmallestFirst(history);
    String undecided = "";
    int keysLinearizable = 0;
    for (KeyHistory key : keys) {
      KeyChecker.Result result = KeyChecker.check(key, deadline, memoEntriesMax);
      if (result.outcome() == SearchOutcome.NOT_LINEARIZABLE) {
        return CheckResult.invalid(result.anomaly(), history.size(), deadline.elapsed());
      }
      if (result.outcome() == SearchOutcome.LINEARIZABLE) {
        keysLinearizable++;
      } else if (undecided.isEmpty()) {
        undecided = undecidedReason(key, result, deadline.limit());
      }
    }
    if (!undecided.isEmpty()) {
      String reason =
          undecided
              + "; "
              + keysLinearizable
              + " of "
              + keys.size()
              + " keys were found linearizable";
      return CheckResult.unknown(reason, history.size(), deadline.elapsed());
    }
    return CheckResult.valid(history.size(), deadline.elapsed());
  }

  private static List<KeyHistory> keysSmallestFirst(History history) {
    Map<String, List<Operation>> byKey = new TreeMap<>();
    for (Operation operation : history.operations()) {
      if (!operation.f().isRegister()) {
        throw new IllegalArgumentException(
            "the register model cannot judge a txn: " + operation.describe());
      }
      byKey.computeIfAbsent(operation.key(), k -> new ArrayList<>()).add(operation);
    }
    List<KeyHistory> keys = new ArrayList<>();
    byKey.forEach((key, operations) -> keys.add(KeyHistory.of(key, operations)));
    keys.sort(Comparator.comparingInt(KeyHistory::operationCount));
    return keys;
  }

  private String undecidedReason(KeyHistory key, KeyChecker.Result result, Duration limit) {
    String what =
        result.outcome() == SearchOutcome.TIME_LIMIT
            ? "time limit " + limit + " reached"
            : "memo limit of " + memoEntriesMax + " configurations reached";
    return what
        + " on key "
        + key.key()
        + " ("
        + key.operationCount()
        + " operations, "
        + result.configurations()
        + " configurations explored)";
  }
}
