package io.bulwark.check.history;

import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * A recorded history, paired into {@link Operation}s in invoke order. Immutable.
 *
 * <p>Build one with {@link HistoryReader} from a file, or with {@link #of} from events held in
 * memory (the simulator's case; "line" then means the 1-based position in the list).
 */
public final class History {
  private final List<Operation> operations;

  History(List<Operation> operations) {
    this.operations = List.copyOf(operations);
  }

  /**
   * Pairs events, given in the order they were observed.
   *
   * @throws HistoryFormatException if they do not pair up (DESIGN §9)
   */
  public static History of(List<Op> events) throws HistoryFormatException {
    OperationPairer pairer = new OperationPairer();
    for (int i = 0; i < events.size(); i++) {
      pairer.add(events.get(i), i + 1);
    }
    return new History(pairer.finish());
  }

  /** Every operation, in the order of their invokes. */
  public List<Operation> operations() {
    return operations;
  }

  /** The first operation that matches, in invoke order. */
  public Optional<Operation> find(Predicate<Operation> predicate) {
    return operations.stream().filter(predicate).findFirst();
  }

  public int size() {
    return operations.size();
  }
}
