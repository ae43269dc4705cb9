package io.bulwark.sim;

import io.bulwark.check.history.OpFunction;
import io.bulwark.check.history.OpType;
import io.bulwark.check.history.OpValue;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * The three workloads of a run, one per phase. Every written value is unique in the run
 * ({@code v17}), so a value read names the write that produced it.
 */
final class Workloads {
  private Workloads() {}

  /** Hands out unique values. */
  static final class Values {
    private long next;

    String next() {
      return "v" + next++;
    }
  }

  /**
   * Chaos phase: a random mix of reads (40%), puts (40%), CASes (15%) and deletes (5%) on random
   * keys, until {@code steps} operations were invoked. A CAS expects the value its client last
   * saw for the key, so many of them apply.
   */
  static final class Mixed implements SimClient.Workload {
    private final SplittableRandom random;
    private final List<String> keys;
    private final Values values;
    private final int steps;
    private final Map<String, String> lastSeen = new HashMap<>();
    private int invoked;

    Mixed(SplittableRandom random, List<String> keys, Values values, int steps) {
      this.random = random;
      this.keys = keys;
      this.values = values;
      this.steps = steps;
    }

    boolean done() {
      return invoked >= steps;
    }

    @Override
    public SimClient.Request next(SimClient client) {
      if (done()) {
        return null;
      }
      invoked++;
      String key = keys.get(random.nextInt(keys.size()));
      int dice = random.nextInt(100);
      if (dice < 40) {
        return new SimClient.Request(OpFunction.READ, key, new OpValue.Scalar(null));
      }
      if (dice < 80) {
        return new SimClient.Request(OpFunction.WRITE, key, new OpValue.Scalar(values.next()));
      }
      if (dice < 95) {
        String expected = lastSeen.get(client.id() + "/" + key);
        return new SimClient.Request(OpFunction.CAS, key,
            new OpValue.Cas(expected, values.next()));
      }
      return new SimClient.Request(OpFunction.WRITE, key, new OpValue.Scalar(null));
    }

    @Override
    public void completed(SimClient client, SimClient.Request request, OpType outcome,
        OpValue value) {
      if (outcome != OpType.OK) {
        return;
      }
      String seen =
          value instanceof OpValue.Cas c ? c.newValue() : ((OpValue.Scalar) value).value();
      lastSeen.put(client.id() + "/" + request.key(), seen);
    }
  }

  /**
   * Liveness phase: each client writes its share of the keys (every key is someone's) until
   * each of those writes succeeded once; then it idles.
   */
  static final class WriteEachKeyOnce implements SimClient.Workload {
    private final Values values;
    private final Map<String, List<String>> todo = new TreeMap<>();
    /** Requests issued here: an operation left over from the chaos phase does not count. */
    private final Set<SimClient.Request> issued =
        Collections.newSetFromMap(new IdentityHashMap<>());

    WriteEachKeyOnce(List<SimClient> clients, List<String> keys, Values values) {
      this.values = values;
      for (int i = 0; i < clients.size(); i++) {
        List<String> mine = new ArrayList<>();
        for (int k = i; k < keys.size(); k += clients.size()) {
          mine.add(keys.get(k));
        }
        if (mine.isEmpty()) {
          mine.add(keys.get(i % keys.size()));
        }
        todo.put(clients.get(i).id(), mine);
      }
    }

    boolean done() {
      return todo.values().stream().allMatch(List::isEmpty);
    }

    /** Which clients still wait for a successful write, and of which keys. */
    String pending() {
      Map<String, List<String>> left = new TreeMap<>(todo);
      left.values().removeIf(List::isEmpty);
      return left.toString();
    }

    @Override
    public SimClient.Request next(SimClient client) {
      List<String> mine = todo.get(client.id());
      if (mine == null || mine.isEmpty()) {
        return null;
      }
      SimClient.Request r = new SimClient.Request(OpFunction.WRITE, mine.get(0),
          new OpValue.Scalar(values.next()));
      issued.add(r);
      return r;
    }

    @Override
    public void completed(SimClient client, SimClient.Request request, OpType outcome,
        OpValue value) {
      if (outcome == OpType.OK && issued.contains(request)) {
        todo.get(client.id()).remove(request.key());
      }
    }
  }

  /** Final phase: one client reads every key until each read succeeds; keeps what it read. */
  static final class ReadEveryKey implements SimClient.Workload {
    private final List<String> keys;
    private final Map<String, String> finalValues = new TreeMap<>();
    private final String reader;
    private final Set<SimClient.Request> issued =
        Collections.newSetFromMap(new IdentityHashMap<>());

    ReadEveryKey(String reader, List<String> keys) {
      this.reader = reader;
      this.keys = keys;
    }

    boolean done() {
      return finalValues.size() == keys.size();
    }

    /** Key -> value read at the end (null: absent). */
    Map<String, String> finalValues() {
      return finalValues;
    }

    @Override
    public SimClient.Request next(SimClient client) {
      if (!client.id().equals(reader)) {
        return null;
      }
      for (String k : keys) {
        if (!finalValues.containsKey(k)) {
          SimClient.Request r = new SimClient.Request(OpFunction.READ, k, new OpValue.Scalar(null));
          issued.add(r);
          return r;
        }
      }
      return null;
    }

    @Override
    public void completed(SimClient client, SimClient.Request request, OpType outcome,
        OpValue value) {
      if (outcome == OpType.OK && issued.contains(request)) {
        finalValues.put(request.key(), ((OpValue.Scalar) value).value());
      }
    }
  }
}
