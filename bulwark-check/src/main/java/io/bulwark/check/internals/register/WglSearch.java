package io.bulwark.check.internals.register;

import io.bulwark.check.internals.Deadline;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;

/**
 * Decides whether register operations on one key are linearizable, from the initial state {@link
 * RegisterOp#ABSENT}: the Wing &amp; Gong search with Lowe's memoisation, as Porcupine implements
 * it.
 *
 * <p>The invokes and returns are kept in one time-ordered doubly linked list. The search walks it
 * from the front: at an invoke it tries to linearize that operation next (lifting its invoke and
 * return out of the list), at a return it has met an operation that had to be linearized by then
 * and was not, so it backtracks. Every (set of linearized operations, state) reached is remembered,
 * because the rest of the search depends on nothing else; that bounds the work by the number of
 * such configurations instead of the number of orders. Optional operations have no return in the
 * list, so nothing forces them in: leaving one out is linearizing it never. When two times are
 * equal the invoke sorts first, so the two operations count as concurrent.
 *
 * <p>Optional operations that do the same thing (same kind and values) are interchangeable once
 * invoked, as none has a deadline. So that the search does not try every subset of them, it takes
 * them in invoke order only: the k-th of a class may be linearized only after the first k-1 are.
 * Whichever of them a linearization uses, the first ones invoked would do as well.
 *
 * <p>Single use, not thread-safe. The search stops early, with an unknown outcome, at the deadline
 * or when the memo reaches {@code memoEntriesMax}.
 */
final class WglSearch {

  /** What the search concluded and how many configurations it remembered on the way. */
  record Result(SearchOutcome outcome, long configurations) {}

  private static final int NIL = -1;

  /** How many steps run between two reads of the clock; reading it every step is slow. */
  private static final int STEPS_PER_DEADLINE_CHECK = 1 << 10;

  private final List<RegisterOp> ops;
  private final Deadline deadline;
  private final long memoEntriesMax;

  // The entry list. Entries 0..n-1 are in time order; entry n is the head sentinel.
  private final int head;
  private final int[] next;
  private final int[] prev;
  private final int[] opOfEntry;

  /** For an invoke entry, its return entry or NIL (optional op); NIL for a return entry. */
  private final int[] returnOfInvoke;

  private final boolean[] isInvoke;

  /** Per op, its class of interchangeable optional ops, or NIL for a required op. */
  private final int[] classOfOp;

  /** Per optional op, its position in its class, in invoke order. */
  private final int[] rankInClass;

  /** Per class, how many of its ops are linearized now: always its first ones. */
  private final int[] linearizedInClass;

  private WglSearch(List<RegisterOp> ops, Deadline deadline, long memoEntriesMax) {
    this.ops = ops;
    this.deadline = deadline;
    this.memoEntriesMax = memoEntriesMax;
    int entryCount = ops.size() + (int) ops.stream().filter(RegisterOp::required).count();
    head = entryCount;
    next = new int[entryCount + 1];
    prev = new int[entryCount + 1];
    opOfEntry = new int[entryCount];
    returnOfInvoke = new int[entryCount];
    isInvoke = new boolean[entryCount];
    classOfOp = new int[ops.size()];
    rankInClass = new int[ops.size()];
    buildEntryList();
    linearizedInClass = new int[classifyOptionalOps()];
  }

  /** Searches for a linearization of {@code ops}. */
  static Result run(List<RegisterOp> ops, Deadline deadline, long memoEntriesMax) {
    return new WglSearch(ops, deadline, memoEntriesMax).search();
  }

  private void buildEntryList() {
    // Entry keys: op index * 2 for its invoke, op index * 2 + 1 for its return.
    int[] keys =
        IntStream.range(0, ops.size())
            .flatMap(
                i -> ops.get(i).required() ? IntStream.of(2 * i, 2 * i + 1) : IntStream.of(2 * i))
            .boxed()
            .sorted(Comparator.comparingLong(this::entryTime).thenComparingInt(k -> k & 1))
            .mapToInt(Integer::intValue)
            .toArray();
    int[] entryOfInvoke = new int[ops.size()];
    Arrays.fill(returnOfInvoke, NIL);
    for (int entry = 0; entry < keys.length; entry++) {
      int op = keys[entry] >> 1;
      opOfEntry[entry] = op;
      isInvoke[entry] = (keys[entry] & 1) == 0;
      if (isInvoke[entry]) {
        entryOfInvoke[op] = entry;
      } else {
        returnOfInvoke[entryOfInvoke[op]] = entry;
      }
      next[entry] = entry + 1 < keys.length ? entry + 1 : NIL;
      prev[entry] = entry == 0 ? head : entry - 1;
    }
    next[head] = keys.length == 0 ? NIL : 0;
  }

  /** Fills {@link #classOfOp} and {@link #rankInClass}; returns the number of classes. */
  private int classifyOptionalOps() {
    Map<List<Integer>, Integer> classes = new HashMap<>();
    List<Integer> classSizes = new ArrayList<>();
    Arrays.fill(classOfOp, NIL);
    for (int entry = 0; entry < opOfEntry.length; entry++) {
      RegisterOp op = ops.get(opOfEntry[entry]);
      if (isInvoke[entry] && !op.required()) {
        List<Integer> effect = List.of(op.kind().ordinal(), op.expected(), op.written());
        int opClass = classes.computeIfAbsent(effect, e -> classes.size());
        if (opClass == classSizes.size()) {
          classSizes.add(0);
        }
        classOfOp[opOfEntry[entry]] = opClass;
        rankInClass[opOfEntry[entry]] = classSizes.get(opClass);
        classSizes.set(opClass, classSizes.get(opClass) + 1);
      }
    }
    return classSizes.size();
  }

  private long entryTime(int key) {
    RegisterOp op = ops.get(key >> 1);
    return (key & 1) == 0 ? op.invokeNanos() : op.completeNanos();
  }

  private Result search() {
    int requiredLeft = (int) ops.stream().filter(RegisterOp::required).count();
    if (requiredLeft == 0) {
      return new Result(SearchOutcome.LINEARIZABLE, 0);
    }
    Set<Configuration> memo = new HashSet<>();
    long[] linearized = new long[(ops.size() + 63) / 64];
    int[] invokeStack = new int[ops.size()];
    int[] stateStack = new int[ops.size()];
    int depth = 0;
    int state = RegisterOp.ABSENT;
    int entry = next[head];
    for (long steps = 1; ; steps++) {
      if (steps % STEPS_PER_DEADLINE_CHECK == 0 && deadline.expired()) {
        return new Result(SearchOutcome.TIME_LIMIT, memo.size());
      }
      if (entry == NIL) {
        // A required op's return stays listed until it is linearized, and the walk stops there.
        throw new IllegalStateException("walked past every return with required ops left");
      }
      if (!isInvoke[entry]) {
        if (depth == 0) {
          return new Result(SearchOutcome.NOT_LINEARIZABLE, memo.size());
        }
        depth--;
        int invoke = invokeStack[depth];
        RegisterOp undone = ops.get(opOfEntry[invoke]);
        state = stateStack[depth];
        clearBit(linearized, opOfEntry[invoke]);
        unlift(invoke);
        countInClass(opOfEntry[invoke], -1);
        requiredLeft += undone.required() ? 1 : 0;
        entry = next[invoke];
        continue;
      }
      int op = opOfEntry[entry];
      int nextState = ops.get(op).step(state);
      if (nextState != RegisterOp.ILLEGAL && isNextOfItsClass(op)) {
        setBit(linearized, op);
        Configuration reached = new Configuration(linearized, nextState);
        if (!memo.contains(reached)) {
          // Copy only what is kept: most configurations tried were reached before.
          memo.add(reached.copy());
          if (memo.size() >= memoEntriesMax) {
            return new Result(SearchOutcome.MEMO_LIMIT, memo.size());
          }
          invokeStack[depth] = entry;
          stateStack[depth] = state;
          depth++;
          state = nextState;
          lift(entry);
          countInClass(op, +1);
          requiredLeft -= ops.get(op).required() ? 1 : 0;
          if (requiredLeft == 0) {
            return new Result(SearchOutcome.LINEARIZABLE, memo.size());
          }
          entry = next[head];
          continue;
        }
        clearBit(linearized, op);
      }
      entry = next[entry];
    }
  }

  /** True for a required op, or for an optional op whose earlier-invoked twins are all used. */
  private boolean isNextOfItsClass(int op) {
    return classOfOp[op] == NIL || linearizedInClass[classOfOp[op]] == rankInClass[op];
  }

  private void countInClass(int op, int delta) {
    if (classOfOp[op] != NIL) {
      linearizedInClass[classOfOp[op]] += delta;
    }
  }

  /** Removes an invoke and its return (if any) from the list; {@link #unlift} undoes it. */
  private void lift(int invoke) {
    unlink(invoke);
    if (returnOfInvoke[invoke] != NIL) {
      unlink(returnOfInvoke[invoke]);
    }
  }

  /** Puts back what {@link #lift} removed, in reverse order, so the links are restored. */
  private void unlift(int invoke) {
    if (returnOfInvoke[invoke] != NIL) {
      relink(returnOfInvoke[invoke]);
    }
    relink(invoke);
  }

  private void unlink(int entry) {
    next[prev[entry]] = next[entry];
    if (next[entry] != NIL) {
      prev[next[entry]] = prev[entry];
    }
  }

  private void relink(int entry) {
    next[prev[entry]] = entry;
    if (next[entry] != NIL) {
      prev[next[entry]] = entry;
    }
  }

  private static void setBit(long[] bits, int i) {
    bits[i >> 6] |= 1L << i;
  }

  private static void clearBit(long[] bits, int i) {
    bits[i >> 6] &= ~(1L << i);
  }

  /** A memo entry: which ops are linearized and the state they leave. */
  private static final class Configuration {
    private final long[] linearized;
    private final int state;
    private final int hash;

    Configuration(long[] linearized, int state) {
      this.linearized = linearized;
      this.state = state;
      this.hash = 31 * Arrays.hashCode(linearized) + state;
    }

    Configuration copy() {
      return new Configuration(linearized.clone(), state);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Configuration
          && ((Configuration) o).state == state
          && Arrays.equals(((Configuration) o).linearized, linearized);
    }

    @Override
    public int hashCode() {
      return hash;
    }
  }
}
