package io.bulwark.cli.verify;

import io.bulwark.check.Model;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * What clients do during a verify run, recorded as a DESIGN §9 history and judged by a checker
 * of {@link #model()}: the register workload (read/write/cas, {@link Model#REGISTER}) or the bank
 * (transfers inside transactions, {@link Model#TXN} plus the conservation of the total).
 *
 * <p>Lifecycle: {@link #start}, then (from any thread) {@link #stop}, then {@link #finalReads}.
 */
interface VerifyWorkload {
  /** The name on the command line ({@code --workload}). */
  String name();

  /** The checker model that judges this workload's history. */
  Model model();

  /** The keys the workload touches (faults aim at their primaries). */
  List<String> keys();

  /** Starts the client threads. */
  void start();

  /** Stops the client threads and waits for them (each finishes its operation in flight). */
  void stop() throws InterruptedException;

  /**
   * After recovery: reads every key once more, retrying a failed read until {@code deadline},
   * into the history. Returns the keys that could not be read.
   */
  List<String> finalReads(Duration deadline) throws InterruptedException;

  /**
   * Monotonic time of the latest acknowledged write to {@code key} ({@code Long.MIN_VALUE} if
   * none): nemeses use it to strike while writes stream.
   */
  long lastWriteAckNanos(String key);

  /**
   * What the workload itself found broken beyond the checker's model (the bank: an audit that
   * did not find the total); empty if nothing. Each makes the run invalid.
   */
  default List<String> invariantViolations() {
    return List.of();
  }

  /** Failed or unknown operations by the error code the client saw ({@code DISK_FULL}, ...). */
  Map<String, Long> errors();
}
