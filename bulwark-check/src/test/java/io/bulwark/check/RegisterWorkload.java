package io.bulwark.check;

import io.bulwark.check.history.OpFunction;
import io.bulwark.check.history.OpType;
import io.bulwark.check.history.OpValue;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * Generates linearizable register histories by simulation: clients run read, write and cas back to
 * back, each operation takes effect on a true register at a random point inside its interval, and
 * results are whatever that register gave. Some operations end in info (taking effect later, up to
 * three times their interval, or never; the client is then replaced by a new process) and one write
 * or cas in eight fails (no effect). Values come from a tiny domain, as in Knossos's cas-register
 * workload, or are unique per write, as a Bulwark workload should make them (a cas then expects a
 * value written earlier on its key). Tests may corrupt results before building.
 */
final class RegisterWorkload {
  static final String[] VALUES = {null, "a", "b", "c"};
  private static final OpFunction[] FUNCTIONS = {OpFunction.READ, OpFunction.WRITE, OpFunction.CAS};

  /** One operation: what it asked for, when, when it took effect, and what it returned. */
  static final class Planned {
    long process;
    OpFunction f;
    String key;
    String arg;
    String casNew;
    long start;
    long end;
    long effectTime;
    OpType outcome = OpType.OK;
    String result;
  }

  private final SplittableRandom random;
  private final int keys;
  private final int clients;
  private final int durationMax;
  private final boolean uniqueValues;
  private final int infoOneIn;
  private final List<Planned> planned = new ArrayList<>();
  private final Map<String, List<String>> writtenByKey = new HashMap<>();

  /**
   * A workload of {@code clients} concurrent clients on {@code keys} keys, operations lasting up to
   * {@code durationMax}, one in {@code infoOneIn} ending in info.
   */
  RegisterWorkload(
      SplittableRandom random,
      int keys,
      int clients,
      int durationMax,
      boolean uniqueValues,
      int infoOneIn) {
    this.random = random;
    this.keys = keys;
    this.clients = clients;
    this.durationMax = durationMax;
    this.uniqueValues = uniqueValues;
    this.infoOneIn = infoOneIn;
  }

  /** Plans and simulates {@code count} operations. */
  List<Planned> run(int count) {
    long[] free = new long[clients];
    long[] process = new long[clients];
    long nextProcess = clients;
    for (int c = 0; c < clients; c++) {
      process[c] = c;
    }
    for (int i = 0; i < count; i++) {
      int c = random.nextInt(clients);
      Planned op = plan(process[c], free[c] + random.nextInt(4));
      if (op.outcome == OpType.INFO) {
        process[c] = nextProcess++; // after an info a process never invokes again
      }
      planned.add(op);
      free[c] = op.end;
    }
    simulate();
    return planned;
  }

  private Planned plan(long process, long start) {
    Planned op = new Planned();
    op.process = process;
    op.f = FUNCTIONS[random.nextInt(FUNCTIONS.length)];
    op.key = "k" + random.nextInt(keys);
    if (uniqueValues) {
      List<String> written = writtenByKey.computeIfAbsent(op.key, k -> new ArrayList<>());
      String fresh = "v" + planned.size();
      op.arg = op.f == OpFunction.WRITE ? fresh : null;
      if (op.f == OpFunction.CAS && !written.isEmpty()) {
        op.arg = written.get(Math.max(0, written.size() - 1 - random.nextInt(3)));
      }
      op.casNew = fresh;
      written.add(fresh);
    } else {
      op.arg = op.f == OpFunction.READ ? null : VALUES[random.nextInt(VALUES.length)];
      op.casNew = VALUES[1 + random.nextInt(VALUES.length - 1)];
    }
    op.start = start;
    op.end = start + random.nextInt(durationMax + 1);
    boolean info = random.nextInt(infoOneIn) == 0;
    long window = info ? 3 * (op.end - op.start) : op.end - op.start;
    op.effectTime =
        info && random.nextBoolean() ? Long.MAX_VALUE : start + random.nextLong(window + 1);
    if (info) {
      op.outcome = OpType.INFO;
    } else if (op.f != OpFunction.READ && random.nextInt(8) == 0) {
      op.outcome = OpType.FAIL;
    }
    return op;
  }

  /** Runs the operations against a true register in the order of their effect times. */
  private void simulate() {
    Map<String, String> state = new HashMap<>();
    List<Planned> byEffect = new ArrayList<>(planned);
    byEffect.sort(Comparator.comparingLong(op -> op.effectTime));
    for (Planned op : byEffect) {
      if (op.effectTime == Long.MAX_VALUE || op.outcome == OpType.FAIL) {
        continue;
      }
      String current = state.get(op.key);
      if (op.f == OpFunction.READ) {
        op.result = current;
      } else if (op.f == OpFunction.WRITE) {
        state.put(op.key, op.arg);
      } else if (Objects.equals(current, op.arg)) {
        state.put(op.key, op.casNew);
      } else if (op.outcome == OpType.OK) {
        op.outcome = OpType.FAIL; // the comparison failed, so the cas changed nothing
      }
    }
  }

  /** The events of {@code ops}; half the info ops never completed, half have an info event. */
  static HistoryBuilder toHistory(List<Planned> ops) {
    HistoryBuilder builder = new HistoryBuilder();
    for (Planned op : ops) {
      boolean neverCompleted = op.outcome == OpType.INFO && op.end % 2 == 0;
      long end = neverCompleted ? HistoryBuilder.NEVER_COMPLETES : op.end;
      OpValue value =
          op.f == OpFunction.CAS ? new OpValue.Cas(op.arg, op.casNew) : new OpValue.Scalar(op.arg);
      OpValue completion =
          op.f == OpFunction.READ && op.outcome == OpType.OK
              ? new OpValue.Scalar(op.result)
              : value;
      builder.op(op.process, op.f, op.key, value, completion, op.outcome, op.start, end);
    }
    return builder;
  }
}
