package io.bulwark.check;

import io.bulwark.check.history.History;
import io.bulwark.check.history.Operation;
import io.bulwark.check.internals.Deadline;
import io.bulwark.check.internals.txn.TxnAnalyzer;
import java.time.Duration;
import java.util.Map;
import java.util.function.LongSupplier;
import java.util.stream.Collectors;

/**
 * Checks that committed transactions are serializable and that no transaction is seen partly
 * applied (DESIGN §9, {@code --model txn}), by dependency-graph cycle search as Elle does for
 * read-write registers.
 *
 * <p><b>Precondition</b> (Elle's rw-register has the same): every value written to a key is written
 * once in the whole history, by one micro-op of one txn, and is never null (no deletes), since null
 * is every key's initial version. A read then identifies the write it saw. Keys that break this are
 * left out of the analysis and named in the result: if nothing is found elsewhere the verdict is
 * UNKNOWN, never VALID.
 *
 * <p>What it reports, the smallest (fewest txns) first:
 *
 * <ul>
 *   <li>{@code internal}: a read that disagrees with the txn's own earlier read or write;
 *   <li>{@code garbage-read}: a read of a value no txn wrote;
 *   <li>{@code G1a} aborted read: a read of a value only a failed txn wrote;
 *   <li>{@code G1b} intermediate read: a read of a value its writer overwrote within itself;
 *   <li>{@code G0}, {@code G1c}, {@code G2}: a cycle of ww; of ww and wr; or with rw edges (write
 *       skew, or read skew, where a txn is seen partly applied).
 * </ul>
 *
 * <p>The edges: ww from the version order, which is inferred from the initial version (before all
 * others) and from txns that read a key and then wrote it (their write comes right after what they
 * read); wr from reads to their writers; rw from a read to the writer of the next version. Real
 * time is not used, so this is serializability, not strict serializability. Failed txns did not
 * commit. An info txn may or may not have: its writes explain reads, and it joins the graph only
 * when an ok txn read one of them. Anomaly text starts with the kind (as listed above) and names
 * txns Tn, the n-th operation invoked, with their lines in the history.
 *
 * <p>The analysis is polynomial, so the time limit only cuts short the search for a shorter cycle
 * once one is known. Stateless; thread-safe.
 */
public final class TxnChecker {
  /** A report names this many unchecked keys at most; a workload that breaks it breaks it often. */
  private static final int UNCHECKED_KEYS_LISTED_MAX = 10;

  /**
   * Checks {@code history}; after {@code limit}, as measured by {@code nanoClock} (a monotonic
   * clock in nanoseconds, such as {@code System::nanoTime}), it stops looking for a shorter cycle.
   *
   * @throws IllegalArgumentException if the history holds a read, write or cas
   */
  public CheckResult check(History history, Duration limit, LongSupplier nanoClock) {
    Deadline deadline = Deadline.start(limit, nanoClock);
    for (Operation operation : history.operations()) {
      if (operation.f().isRegister()) {
        throw new IllegalArgumentException(
            "the txn model judges only txns: " + operation.describe());
      }
    }
    TxnAnalyzer.Report report = TxnAnalyzer.analyze(history.operations(), deadline);
    String unchecked = report.uncheckedKeys().isEmpty() ? "" : describe(report.uncheckedKeys());
    if (!report.anomaly().isEmpty()) {
      String text = unchecked.isEmpty() ? report.anomaly() : report.anomaly() + "\n" + unchecked;
      return CheckResult.invalid(text, history.size(), deadline.elapsed());
    }
    if (!unchecked.isEmpty()) {
      return CheckResult.unknown(
          "no anomaly among the checked keys, but " + unchecked,
          history.size(),
          deadline.elapsed());
    }
    return CheckResult.valid(history.size(), deadline.elapsed());
  }

  private static String describe(Map<String, String> uncheckedKeys) {
    String listed =
        uncheckedKeys.entrySet().stream()
            .limit(UNCHECKED_KEYS_LISTED_MAX)
            .map(e -> e.getKey() + " (" + e.getValue() + ")")
            .collect(Collectors.joining(", "));
    int more = uncheckedKeys.size() - UNCHECKED_KEYS_LISTED_MAX;
    return uncheckedKeys.size()
        + " keys were left unchecked because their written values are "
        + "not unique: "
        + listed
        + (more > 0 ? " and " + more + " more" : "");
  }
}
