package io.bulwark.sim;

import java.util.PriorityQueue;
import java.util.function.BooleanSupplier;

/**
 * The discrete-event scheduler: one global simulated time in nanoseconds and a queue of actions,
 * run one at a time on the caller's thread. Events at the same time run in the order they were
 * scheduled, so a run is a pure function of its seed (STYLE P6).
 *
 * <p>Every run is bounded: {@link #runUntil} stops at a time, at a condition, or when the event
 * budget is spent, which fails the run ({@link SimFailure}) rather than looping forever.
 */
final class SimScheduler {

  private record Event(long timeNanos, long seq, Runnable action) {}

  private final PriorityQueue<Event> queue = new PriorityQueue<>((a, b) -> {
    int c = Long.compare(a.timeNanos(), b.timeNanos());
    return c != 0 ? c : Long.compare(a.seq(), b.seq());
  });
  private final long eventsMax;
  private Runnable afterEach = () -> { };
  private long nowNanos;
  private long nextSeq;
  private long executed;

  SimScheduler(long eventsMax) {
    this.eventsMax = eventsMax;
  }

  /** The global simulated time: what no node can read directly (each has its own clock). */
  long nowNanos() {
    return nowNanos;
  }

  long eventsExecuted() {
    return executed;
  }

  /** Runs after every event: where the invariants are checked. */
  void afterEach(Runnable hook) {
    this.afterEach = hook;
  }

  void at(long timeNanos, Runnable action) {
    if (timeNanos < nowNanos) {
      throw new IllegalArgumentException("event at " + timeNanos + " is before now " + nowNanos);
    }
    queue.add(new Event(timeNanos, nextSeq++, action));
  }

  void after(long delayNanos, Runnable action) {
    at(nowNanos + Math.max(0, delayNanos), action);
  }

  /**
   * Runs events until time {@code untilNanos} has passed or {@code done} holds (checked after
   * every event); time then stands at whichever came first.
   */
  void runUntil(long untilNanos, BooleanSupplier done) {
    while (!done.getAsBoolean()) {
      Event e = queue.peek();
      if (e == null || e.timeNanos() > untilNanos) {
        nowNanos = Math.max(nowNanos, untilNanos);
        return;
      }
      queue.poll();
      if (++executed > eventsMax) {
        throw new SimFailure("event budget of " + eventsMax + " events exhausted at t="
            + SimTime.format(nowNanos) + " (a livelock, or --steps too large)");
      }
      nowNanos = e.timeNanos();
      e.action().run();
      afterEach.run();
    }
  }
}
