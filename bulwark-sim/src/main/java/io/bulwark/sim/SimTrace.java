package io.bulwark.sim;

import java.io.PrintStream;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What happened in a run, for the person replaying a failing seed: the last lines of a trace
 * (every core {@code Emit}, every fault, every client outcome) and counts of each kind of line.
 * The counts double as coverage probes (STYLE §6): {@link SimMain} reports the core events that
 * never fired in a batch. With {@code --verbose} every line is also printed as it happens.
 */
final class SimTrace {
  static final int RECENT_MAX = 400;

  private final SimScheduler scheduler;
  private final PrintStream verbose;
  private final ArrayDeque<String> recent = new ArrayDeque<>();
  private final TreeMap<String, Long> counts = new TreeMap<>();

  SimTrace(SimScheduler scheduler, PrintStream verbose) {
    this.scheduler = scheduler;
    this.verbose = verbose;
  }

  /** Records one line: {@code kind} is what is counted (e.g. {@code core:became-primary}). */
  void record(String who, String kind, String detail) {
    counts.merge(kind, 1L, Long::sum);
    String line = SimTime.format(scheduler.nowNanos()) + " " + who + " " + kind + " " + detail;
    if (verbose != null) {
      verbose.println(line);
    }
    recent.addLast(line);
    if (recent.size() > RECENT_MAX) {
      recent.removeFirst();
    }
  }

  /** Counts without a trace line: for frequent things (messages, fsyncs). */
  void count(String kind) {
    counts.merge(kind, 1L, Long::sum);
  }

  List<String> recent() {
    return new ArrayList<>(recent);
  }

  Map<String, Long> counts() {
    return new TreeMap<>(counts);
  }
}
