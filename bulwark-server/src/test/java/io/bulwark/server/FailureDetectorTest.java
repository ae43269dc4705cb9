package io.bulwark.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bulwark.core.detect.PhiAccrualDetector;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Goal: the server's failure detector heartbeats every live peer each tick, suspects a silent
 * one with a {@code node-suspected} event, and clears it with {@code node-recovered} when it is
 * heard again. Method: call tick and onArrival with explicit nanoseconds (no scheduler).
 */
class FailureDetectorTest {
  private static final long MS = 1_000_000L;
  private final List<String> sent = new ArrayList<>();
  private final Metrics metrics = new Metrics();
  private final EventLog events = new EventLog("n1", metrics);
  private final FailureDetector fd = new FailureDetector("n1",
      PhiAccrualDetector.Options.defaults(100 * MS), () -> Set.of("n1", "n2", "n3"),
      () -> Set.of("n1", "n2", "n3", "n4"), sent::add, 3_000 * MS, events, metrics);

  private List<String> kinds() {
    List<String> out = new ArrayList<>();
    events.since(0).forEach(e -> out.add(e.kind() + " " + e.detail().split(" ")[0]));
    return out;
  }

  @Test
  void heartbeatsGoToLivePeersOnly_andASilentPeerIsSuspectedThenRecovered() {
    long delay = new PhiAccrualDetector(PhiAccrualDetector.Options.defaults(100 * MS))
        .suspicionDelayNanos();
    long t = 0;
    for (; t < 5_000 * MS; t += 100 * MS) {
      fd.onArrival("n2", t);
      fd.onArrival("n3", t);
      fd.tick(t);
    }
    // Each tick heartbeats n2 and n3: never itself, never n4 (known, but not live).
    assertEquals(Set.of("n2", "n3"), new HashSet<>(sent.subList(0, 2)));
    assertEquals(Set.of("n2", "n3"), new HashSet<>(sent));
    // n4 is known (in a configuration) but never spoke: suspected once the first-contact grace
    // (3 s here) passed, not at the phi delay (1.4 s): a starting node may take seconds.
    assertTrue(fd.isSuspected("n4"));
    assertFalse(fd.isSuspected("n2"));
    long lastHeard = t - 100 * MS;
    for (; t < lastHeard + delay; t += 100 * MS) { // n3 goes silent
      fd.onArrival("n2", t);
      fd.tick(t);
    }
    assertFalse(fd.isSuspected("n3"), "still within the delay the model allows");
    fd.onArrival("n2", t);
    fd.tick(t + 1);
    assertTrue(fd.isSuspected("n3"));
    fd.onArrival("n3", t + 2);
    fd.tick(t + 3);
    assertFalse(fd.isSuspected("n3"));
    assertEquals(List.of("node-suspected node=n4", "node-suspected node=n3",
        "node-recovered node=n3"), kinds());
    assertTrue(fd.peers().get("n2").phi() < 1);
  }

  @Test
  void aPeerNeverHeardFrom_isSuspectedOnlyAfterTheFirstContactGrace() {
    ticksUntil(0, 2_900 * MS); // every 100 ms, as the scheduler runs them
    assertFalse(fd.isSuspected("n2"), "phi alone would suspect it after 1.4 s");
    fd.tick(3_000 * MS);
    assertTrue(fd.isSuspected("n2"));
    fd.onArrival("n2", 3_500 * MS); // it finally connects
    ticksUntil(3_100 * MS, 3_500 * MS);
    assertFalse(fd.isSuspected("n2"));
  }

  @Test
  void aPauseOfThisProcess_isNotItsPeersSilence_butSilenceAfterItStillIs() {
    long t = 0;
    for (; t < 5_000 * MS; t += 100 * MS) {
      fd.onArrival("n2", t);
      fd.onArrival("n3", t);
      fd.tick(t);
    }
    // The process stands still for 5 s (its peers kept sending; their heartbeats wait in its
    // sockets). The scheduler then runs the missed rounds back to back, before the network
    // threads have delivered a single one of those heartbeats.
    long woke = t + 5_000 * MS;
    for (int i = 0; i < 5; i++) {
      fd.tick(woke + i);
    }
    assertFalse(fd.isSuspected("n2"), "a pause of this process is not n2's silence");
    assertFalse(fd.isSuspected("n3"));
    assertEquals(List.of("node-suspected node=n4", "local-pause pausedMs=5000"), kinds());
    // n2's queued heartbeats arrive; n3 had died during the pause and stays silent.
    long delay = new PhiAccrualDetector(PhiAccrualDetector.Options.defaults(100 * MS))
        .suspicionDelayNanos();
    for (t = woke + 100 * MS; t < woke + delay + 200 * MS; t += 100 * MS) {
      fd.onArrival("n2", t);
      fd.tick(t);
    }
    assertFalse(fd.isSuspected("n2"));
    assertTrue(fd.isSuspected("n3"), "silence after the pause is judged as before");
  }

  private void ticksUntil(long from, long to) {
    for (long t = from; t <= to; t += 100 * MS) {
      fd.tick(t);
    }
  }

  @Test
  void arrivalsFromItselfOrNobody_areIgnored() {
    fd.onArrival("n1", 0);
    fd.onArrival("", 0);
    assertTrue(fd.peers().isEmpty());
  }
}
