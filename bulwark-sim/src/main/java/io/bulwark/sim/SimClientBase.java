package io.bulwark.sim;

import java.util.List;
import java.util.SplittableRandom;

/**
 * What every simulated client shares: its environment, its history process (a new one after an
 * {@code info}, DESIGN §9), the attempt counter that lets late answers be recognised, and the
 * loop "one operation at a time: when idle, ask the workload for the next". Single-threaded,
 * driven by the scheduler.
 *
 * @param <W> the workload type the client takes its operations from
 */
abstract class SimClientBase<W> {
  final String clientId;
  final SimScheduler scheduler;
  final SplittableRandom random;
  final SimKnobs knobs;
  final SimNetwork network;
  final List<SimNode> nodes;
  final SimHistory history;
  final SimTrace trace;
  final SimKeys keys;
  W workload;
  long process;
  /** Numbers attempts; an answer to any but the latest is ignored. */
  int attempt;
  private boolean waking;

  SimClientBase(String clientId, SimScheduler scheduler, SplittableRandom random,
      SimKnobs knobs, SimNetwork network, List<SimNode> nodes, SimHistory history,
      SimTrace trace, SimKeys keys) {
    this.clientId = clientId;
    this.scheduler = scheduler;
    this.random = random;
    this.knobs = knobs;
    this.network = network;
    this.nodes = nodes;
    this.history = history;
    this.trace = trace;
    this.keys = keys;
    this.process = history.newProcess();
  }

  String id() {
    return clientId;
  }

  /** True while an operation is in flight. */
  abstract boolean isBusy();

  /** Asks the workload for the next operation and starts it; false if it had none. */
  abstract boolean startNext();

  /** Called when the workload had nothing to do; by default the client waits for {@link #use}. */
  void onIdle() {}

  /** Switches workloads; an idle client asks the new one for work at once. */
  void use(W w) {
    this.workload = w;
    wake(0);
  }

  /** After {@code delayNanos}, an idle client asks its workload for the next operation. */
  void wake(long delayNanos) {
    if (isBusy() || waking) {
      return;
    }
    waking = true;
    scheduler.after(delayNanos, () -> {
      waking = false;
      if (!isBusy() && !startNext()) {
        onIdle();
      }
    });
  }

  /** A think time between two operations, from the seed's bound. */
  long think() {
    return knobs.clientThinkMaxNanos == 0 ? 0 : random.nextLong(knobs.clientThinkMaxNanos);
  }
}
