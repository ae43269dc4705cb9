package io.bulwark.jmh;

import io.bulwark.check.history.History;
import io.bulwark.check.history.HistoryFormatException;
import io.bulwark.check.history.Op;
import io.bulwark.check.history.OpFunction;
import io.bulwark.check.history.OpType;
import io.bulwark.check.history.OpValue;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * A linearizable history of concurrent register operations (read, write, cas), made by
 * simulating processes against one in-memory register per key: each operation takes effect at
 * a point strictly between its invoke and its completion, so the history is valid by
 * construction and a checker must say so.
 *
 * <p>At every step one process, picked at random, moves its operation along: an idle process
 * invokes, a pending one takes effect, a taken-effect one completes. The random interleaving
 * of these three steps over several processes is what makes operations overlap. Every write
 * and cas writes a value never written before, as a recording workload does, and a cas expects
 * the current value half of the time (so about half succeed, and the others fail, which the
 * history records as fail). Deterministic for a seed.
 */
final class RegisterHistoryGenerator {
  private static final long STEP_NANOS = 1_000;

  private final SplittableRandom random;
  private final int processes;
  private final int keys;

  /** One process's operation in flight. */
  private static final class Pending {
    final Op invoke;
    boolean tookEffect;
    OpType outcome;
    OpValue result;

    Pending(Op invoke) {
      this.invoke = invoke;
    }
  }

  RegisterHistoryGenerator(long seed, int processes, int keys) {
    this.random = new SplittableRandom(seed);
    this.processes = processes;
    this.keys = keys;
  }

  /** A history of {@code operations} operations, every one of them completed (ok or fail). */
  History generate(int operations) {
    Map<String, String> registers = new HashMap<>();
    Pending[] pending = new Pending[processes];
    List<Op> events = new ArrayList<>(2 * operations);
    long now = 0;
    int invoked = 0;
    int completed = 0;
    while (completed < operations) {
      now += STEP_NANOS;
      int p = random.nextInt(processes);
      Pending op = pending[p];
      if (op == null) {
        if (invoked < operations) {
          pending[p] = new Pending(invoke(p, invoked++, registers, now));
          events.add(pending[p].invoke);
        }
      } else if (!op.tookEffect) {
        takeEffect(op, registers);
      } else {
        events.add(op.invoke.complete(op.outcome, op.result, now));
        pending[p] = null;
        completed++;
      }
    }
    try {
      return History.of(events);
    } catch (HistoryFormatException e) {
      throw new IllegalStateException("the generator made a malformed history", e);
    }
  }

  private Op invoke(int process, int n, Map<String, String> registers, long now) {
    String key = "k" + random.nextInt(keys);
    String fresh = "v" + n;
    int dice = random.nextInt(10);
    if (dice < 5) {
      return new Op(process, OpType.INVOKE, OpFunction.READ, key, new OpValue.Scalar(null), now);
    }
    if (dice < 8) {
      return new Op(process, OpType.INVOKE, OpFunction.WRITE, key, new OpValue.Scalar(fresh),
          now);
    }
    // Expect the value as of the invoke: another process may still change it before this cas
    // takes effect, which is when the comparison is made.
    String expected = random.nextBoolean() ? registers.get(key) : "v" + random.nextInt(n + 1);
    return new Op(process, OpType.INVOKE, OpFunction.CAS, key, new OpValue.Cas(expected, fresh),
        now);
  }

  private static void takeEffect(Pending op, Map<String, String> registers) {
    Op in = op.invoke;
    String current = registers.get(in.key());
    op.tookEffect = true;
    op.outcome = OpType.OK;
    op.result = in.value();
    if (in.f() == OpFunction.READ) {
      op.result = new OpValue.Scalar(current);
    } else if (in.f() == OpFunction.WRITE) {
      registers.put(in.key(), ((OpValue.Scalar) in.value()).value());
    } else {
      OpValue.Cas cas = (OpValue.Cas) in.value();
      if (Objects.equals(cas.expected(), current)) {
        registers.put(in.key(), cas.newValue());
      } else {
        op.outcome = OpType.FAIL;
      }
    }
  }
}
