package io.bulwark.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bulwark.core.detect.Liveness;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Goal: a node is gone only while its znode is missing and it is suspected (DESIGN §6), gone
 * time is measured from when both first held, and each change is an event. Method: set the two
 * signals by hand and call update with explicit nanoseconds.
 */
class LivenessTrackerTest {
  private static final long S = 1_000_000_000L;
  private final Set<String> registered = new HashSet<>(Set.of("n2", "n3"));
  private final Set<String> suspected = new HashSet<>();
  private final List<String> events = new ArrayList<>();
  private final LivenessTracker liveness = new LivenessTracker(registered::contains,
      suspected::contains, (kind, detail) -> events.add(kind + " " + detail));
  private final List<String> nodes = List.of("n2", "n3");

  @Test
  void zookeeperOutageAlone_andSuspicionAlone_doNotMakeANodeGone() {
    liveness.update(nodes, 0);
    registered.clear(); // every session expired
    liveness.update(nodes, S);
    assertEquals(Liveness.UNREGISTERED, liveness.liveness("n2"));
    assertFalse(liveness.isGone("n2"));
    registered.add("n2");
    suspected.add("n2"); // slow, but its session is fine
    liveness.update(nodes, 2 * S);
    assertEquals(Liveness.SUSPECTED, liveness.liveness("n2"));
    assertFalse(liveness.isGone("n2"));
    assertTrue(events.isEmpty(), events.toString());
  }

  @Test
  void znodeMissingAndSuspected_isGone_forAsLongAsBothHold_withEvents() {
    liveness.update(nodes, 0);
    registered.remove("n3");
    liveness.update(nodes, S); // session gone, but heartbeats still arrive
    suspected.add("n3");
    liveness.update(nodes, 2 * S);
    assertTrue(liveness.isGone("n3"));
    assertEquals(OptionalLong.of(5 * S), liveness.goneForNanos("n3", 7 * S));
    assertEquals(1, events.size());
    assertTrue(events.get(0).startsWith("node-failed node=n3"), events.toString());
    liveness.update(nodes, 3 * S); // unchanged: no new event, gone time keeps running
    assertEquals(OptionalLong.of(5 * S), liveness.goneForNanos("n3", 7 * S));

    registered.add("n3"); // it restarted and registered again
    liveness.update(nodes, 10 * S);
    assertEquals(Liveness.SUSPECTED, liveness.liveness("n3"));
    assertEquals(OptionalLong.empty(), liveness.goneForNanos("n3", 11 * S));
    assertEquals("node-returned node=n3 liveness=SUSPECTED goneMs=8000", events.get(1));
  }

  @Test
  void aNodeNeverEvaluated_isAlive() {
    assertEquals(Liveness.ALIVE, liveness.liveness("n9"));
    assertEquals(OptionalLong.empty(), liveness.goneForNanos("n9", S));
  }
}
