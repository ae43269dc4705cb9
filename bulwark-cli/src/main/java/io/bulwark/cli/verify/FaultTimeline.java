package io.bulwark.cli.verify;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code faults.jsonl}: one JSON line per event, written as it happens:
 * {@code {"time":<monotonic ns>,"event":"inject|heal|recovery|skip|crash|error","kind":"kill",
 * "target":"n2","detail":"..."}}. {@code time} is on the same clock as the history's, so faults
 * and operations line up. Also keeps the fault windows for {@link HistoryAnalysis}. Thread-safe.
 */
final class FaultTimeline {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** A fault from injection to heal ({@code healNanos} is the run's end if it was never healed). */
  record Window(String kind, String target, long injectNanos, long healNanos) {}

  private final Path file;
  private final List<Window> windows = new ArrayList<>();
  private final Map<String, Long> openSince = new TreeMap<>();
  private final Map<String, Integer> injected = new TreeMap<>();
  private final Map<String, String> skipped = new TreeMap<>();
  private final List<String> crashes = new ArrayList<>();

  FaultTimeline(Path file) {
    this.file = file;
  }

  synchronized void injected(Fault f, long nanos) {
    write(nanos, "inject", f.kind(), f.target(), f.detail());
    openSince.put(f.kind() + "/" + f.target(), nanos);
    injected.merge(f.kind(), 1, Integer::sum);
  }

  synchronized void healed(Fault f, long nanos) {
    write(nanos, "heal", f.kind(), f.target(), "");
    Long since = openSince.remove(f.kind() + "/" + f.target());
    if (since != null) {
      windows.add(new Window(f.kind(), f.target(), since, nanos));
    }
  }

  /** A nemesis that was asked for but cannot run here, and why. */
  synchronized void skipped(String kind, String reason) {
    write(System.nanoTime(), "skip", kind, "", reason);
    skipped.put(kind, reason);
  }

  /** A node process that exited although no nemesis killed it. */
  synchronized void crashed(String node, int exitCode) {
    write(System.nanoTime(), "crash", "crash", node, "exit code " + exitCode);
    crashes.add(node + " exited with code " + exitCode);
  }

  /** After a heal: whether and when the cluster was whole again. */
  synchronized void recovered(String detail) {
    write(System.nanoTime(), "recovery", "", "", detail);
  }

  synchronized void error(String kind, String message) {
    write(System.nanoTime(), "error", kind, "", message);
  }

  /** Closes the windows of faults never healed at {@code nanos}. */
  synchronized void closeOpen(long nanos) {
    for (Map.Entry<String, Long> e : openSince.entrySet()) {
      String[] kt = e.getKey().split("/", 2);
      windows.add(new Window(kt[0], kt[1], e.getValue(), nanos));
    }
    openSince.clear();
  }

  synchronized List<Window> windows() {
    return List.copyOf(windows);
  }

  synchronized Map<String, Integer> injected() {
    return new TreeMap<>(injected);
  }

  synchronized Map<String, String> skipped() {
    return new TreeMap<>(skipped);
  }

  synchronized List<String> crashes() {
    return List.copyOf(crashes);
  }

  private void write(long nanos, String event, String kind, String target, String detail) {
    ObjectNode o = JSON.createObjectNode();
    o.put("time", nanos);
    o.put("event", event);
    o.put("kind", kind);
    o.put("target", target);
    o.put("detail", detail);
    try {
      Files.writeString(file, JSON.writeValueAsString(o) + "\n", StandardCharsets.UTF_8,
          StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new VerifyException("cannot write the fault timeline " + file, e);
    }
  }
}
