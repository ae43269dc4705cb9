package io.bulwark.check.internals.register;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A non-linearizable stretch of one key's history, as {@link AnomalyExplainer} left it, and its
 * rendering for people.
 *
 * <p>The report lists the culprit, the other observers that remain (reads and cas), and for each
 * observer the writes it could have seen (those not certainly overwritten before it was invoked)
 * and the latest write of the value it returned or expected, wherever that was. Other writes are
 * part of the proof but rarely of the story, so they are counted, not listed.
 *
 * @param culprit the operation returning at the cut
 * @param ops the shrunk history that is still not linearizable
 * @param cutSize how many operations the cut held before reads were dropped
 * @param earliestCut true if the culprit is the first operation whose result cannot be explained
 * @param shrunkFully false if the deadline stopped the shrinking early
 */
record RegisterAnomaly(
    String key,
    RegisterOp culprit,
    List<RegisterOp> ops,
    int cutSize,
    boolean earliestCut,
    boolean shrunkFully) {

  /** Longer lists do not help a reader; the cut is still counted in full. */
  static final int LISTED_MAX = 25;

  String render() {
    StringBuilder text = new StringBuilder();
    text.append("key ").append(key).append(" is not linearizable: ");
    if (earliestCut) {
      text.append("no order of the operations invoked before this one returned explains it:\n");
    } else {
      text.append("no order explains the ")
          .append(cutSize)
          .append(" operations invoked by the time this one returned:\n");
    }
    text.append("  ").append(culprit.source().describe()).append('\n');
    List<RegisterOp> involved = involved();
    text.append("operations involved:\n");
    for (RegisterOp op : involved) {
      if (op != culprit) {
        text.append("  ").append(op.source().describe());
        if (op.source().isOk() && !op.required()) {
          text.append(" (had not returned yet)");
        }
        text.append('\n');
      }
    }
    int unlisted = cutSize - involved.size();
    if (unlisted > 0) {
      text.append("(")
          .append(unlisted)
          .append(unlisted == 1 ? " other operation" : " other operations")
          .append(" invoked by then not shown)\n");
    }
    if (!shrunkFully) {
      text.append("(the time limit stopped the search for a shorter explanation)\n");
    }
    return text.toString().stripTrailing();
  }

  /** The culprit first, then what the class comment describes, in invoke order, capped. */
  private List<RegisterOp> involved() {
    List<RegisterOp> observers = new ArrayList<>();
    observers.add(culprit);
    ops.stream()
        .filter(op -> op != culprit && op.required() && op.kind() != RegisterOp.Kind.WRITE)
        .forEach(observers::add);
    Set<RegisterOp> listed = new LinkedHashSet<>();
    for (RegisterOp observer : observers) {
      if (listed.size() >= LISTED_MAX) {
        break;
      }
      listed.add(observer);
      listed.addAll(visibleWrites(observer));
      latestWriteOfExpected(observer).ifPresent(listed::add);
    }
    List<RegisterOp> sorted = new ArrayList<>(listed);
    sorted.sort(Comparator.comparingInt(op -> op.source().index()));
    sorted.remove(culprit);
    sorted.add(0, culprit);
    return sorted.subList(0, Math.min(sorted.size(), LISTED_MAX));
  }

  /** The last-invoked write of the value {@code observer} read or expected, if there is one. */
  private Optional<RegisterOp> latestWriteOfExpected(RegisterOp observer) {
    return ops.stream()
        .filter(w -> w != observer && w.isWriter() && w.written() == observer.expected())
        .filter(w -> w.invokeNanos() <= observer.completeNanos())
        .max(Comparator.comparingLong(RegisterOp::invokeNanos));
  }

  /**
   * The writes and cas in {@link #ops} that {@code observer} could have seen: invoked before it
   * returned, and not followed by another required write that started after they returned and
   * returned before the observer was invoked.
   */
  private List<RegisterOp> visibleWrites(RegisterOp observer) {
    long latestOverwriteStart = Long.MIN_VALUE;
    for (RegisterOp w : ops) {
      if (w.required() && w.isWriter() && w.completeNanos() < observer.invokeNanos()) {
        latestOverwriteStart = Math.max(latestOverwriteStart, w.invokeNanos());
      }
    }
    List<RegisterOp> visible = new ArrayList<>();
    for (RegisterOp w : ops) {
      boolean overwritten = w.completeNanos() < latestOverwriteStart;
      if (w != observer
          && w.isWriter()
          && w.invokeNanos() <= observer.completeNanos()
          && !overwritten) {
        visible.add(w);
      }
    }
    return visible;
  }
}
