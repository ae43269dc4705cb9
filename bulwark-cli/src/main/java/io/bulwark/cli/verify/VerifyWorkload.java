package io.bulwark.cli.verify;

import io.bulwark.check.Model;
import io.bulwark.check.history.HistoryWriter;
import io.bulwark.cli.workload.HistoryRecorder;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * What clients do during a verify run, recorded as a DESIGN §9 history and judged by a checker
 * of {@link #model()}: the register workload (read/write/cas, {@link Model#REGISTER}) or the bank
 * (transfers inside transactions, {@link Model#TXN} plus the conservation of the total).
 *
 * <p>The plumbing both share is here: the {@link HistoryRecorder} (history, processes, errors by
 * code, last acknowledged write per key) and the {@link PacedClients} that run the client
 * threads at the requested rate. A workload adds its keys and its operations.
 *
 * <p>Lifecycle: {@link #start}, then (from any thread) {@link #stop}, then {@link #finalReads}.
 */
abstract class VerifyWorkload {
  final HistoryRecorder recorder;
  final PacedClients clients;

  /** Records into {@code history}; {@code clients} threads, named {@code threadNamePrefix + i}. */
  VerifyWorkload(HistoryWriter history, String threadNamePrefix, int clients, int opsPerSecond) {
    this.recorder = new HistoryRecorder(history);
    this.clients = new PacedClients(threadNamePrefix, clients, opsPerSecond);
  }

  /** The name on the command line ({@code --workload}). */
  abstract String name();

  /** The checker model that judges this workload's history. */
  abstract Model model();

  /** The keys the workload touches (faults aim at their primaries). */
  abstract List<String> keys();

  /** Starts the client threads (after any setup the workload needs, such as opening accounts). */
  abstract void start() throws InterruptedException;

  /** Stops the client threads and waits for them (each finishes its operation in flight). */
  final void stop() throws InterruptedException {
    clients.stop();
  }

  /**
   * After recovery: reads every key once more, retrying a failed read until {@code deadline},
   * into the history. Returns the keys that could not be read.
   */
  abstract List<String> finalReads(Duration deadline) throws InterruptedException;

  /**
   * Monotonic time of the latest acknowledged write to {@code key} ({@code Long.MIN_VALUE} if
   * none): nemeses use it to strike while writes stream.
   */
  final long lastWriteAckNanos(String key) {
    return recorder.lastWriteAckNanos(key);
  }

  /**
   * What the workload itself found broken beyond the checker's model (the bank: an audit that
   * did not find the total); empty if nothing. Each makes the run invalid.
   */
  List<String> invariantViolations() {
    return List.of();
  }

  /** Failed or unknown operations by the error code the client saw ({@code DISK_FULL}, ...). */
  final Map<String, Long> errors() {
    return recorder.errors();
  }
}
