package io.bulwark.check.internals.register;

import io.bulwark.check.internals.Deadline;
import java.util.Optional;

/** Checks one key's history and, when it is not linearizable, explains why. Stateless. */
public final class KeyChecker {
  private KeyChecker() {}

  /**
   * The verdict on one key.
   *
   * @param configurations how many configurations the first search remembered (its work); 0 if the
   *     key was decided without a search
   * @param anomaly the explanation when NOT_LINEARIZABLE, otherwise empty
   */
  public record Result(SearchOutcome outcome, long configurations, String anomaly) {}

  /**
   * Checks {@code history}: first for an observer whose value nobody wrote in time ({@link
   * MissingWriterCheck}), then by search; if the search finds it not linearizable, shrinks and
   * renders the anomaly within what is left of the same deadline.
   */
  public static Result check(KeyHistory history, Deadline deadline, long memoEntriesMax) {
    Optional<RegisterOp> unwritten = MissingWriterCheck.find(history.ops());
    if (unwritten.isPresent()) {
      String anomaly = MissingWriterCheck.render(history.key(), unwritten.get());
      return new Result(SearchOutcome.NOT_LINEARIZABLE, 0, anomaly);
    }
    WglSearch.Result result = WglSearch.run(history.ops(), deadline, memoEntriesMax);
    if (result.outcome() != SearchOutcome.NOT_LINEARIZABLE) {
      return new Result(result.outcome(), result.configurations(), "");
    }
    RegisterAnomaly anomaly =
        new AnomalyExplainer(history.key(), history.ops(), deadline, memoEntriesMax).explain();
    return new Result(result.outcome(), result.configurations(), anomaly.render());
  }
}
