package io.bulwark.check.internals.txn;

import io.bulwark.check.history.MicroOp;
import io.bulwark.check.history.Operation;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the history proves about the order of each key's versions, as a graph of "v1 comes before
 * v2" facts; null stands for the initial version. It is partial: the checker infers no order from
 * real time, so it judges serializability, not strict serializability.
 *
 * <p>Two sources, each true of every serial execution: the initial version comes before every
 * version a committed txn installed; and a txn that read v1 (an external read) and then wrote v2 to
 * the same key installed v2 right after v1 (writes follow reads, as in Elle).
 */
final class VersionOrder {
  private final Map<String, Map<String, Set<String>>> successorsByKey = new HashMap<>();

  VersionOrder(Set<Operation> committed, List<ReadChecker.ExternalRead> reads, WriteIndex writes) {
    for (Operation txn : committed) {
      for (MicroOp microOp : WriteIndex.microOps(txn)) {
        if (!microOp.isWrite() || writes.isUnchecked(microOp.key())) {
          continue;
        }
        WriteIndex.Write write = writes.writeOf(microOp.key(), microOp.value());
        if (write.installed()) {
          add(microOp.key(), null, microOp.value());
        }
      }
    }
    for (ReadChecker.ExternalRead read : reads) {
      String written = lastWrite(read.reader(), read.key());
      if (written != null) {
        add(read.key(), read.value(), written);
      }
    }
  }

  /** The versions known to come right after {@code value} of {@code key} (null: initial). */
  Set<String> successors(String key, String value) {
    Map<String, Set<String>> successors = successorsByKey.get(key);
    // A HashMap, unlike Map.of(), accepts the null that stands for the initial version.
    return successors == null ? Set.of() : successors.getOrDefault(value, Set.of());
  }

  /** Every key with at least one fact. */
  Set<String> keys() {
    return successorsByKey.keySet();
  }

  /** Every version of {@code key} that has successors, including null for the initial one. */
  Set<String> predecessors(String key) {
    Map<String, Set<String>> successors = successorsByKey.get(key);
    return successors == null ? Set.of() : successors.keySet();
  }

  private void add(String key, String before, String after) {
    successorsByKey
        .computeIfAbsent(key, k -> new HashMap<>())
        .computeIfAbsent(before, v -> new LinkedHashSet<>())
        .add(after);
  }

  /** The value {@code txn} last wrote to {@code key}, or null if it wrote none. */
  private static String lastWrite(Operation txn, String key) {
    String last = null;
    for (MicroOp microOp : WriteIndex.microOps(txn)) {
      if (microOp.isWrite() && microOp.key().equals(key)) {
        last = microOp.value();
      }
    }
    return last;
  }
}
