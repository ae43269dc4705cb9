package io.bulwark.core.detect;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Goal: only a missing znode together with phi suspicion makes a node gone (DESIGN §6). */
class LivenessTest {
  @Test
  void goneNeedsBothSignals() {
    assertEquals(Liveness.ALIVE, Liveness.of(true, false));
    assertEquals(Liveness.SUSPECTED, Liveness.of(true, true));
    // A ZooKeeper outage expires every session, but the nodes still hear each other.
    assertEquals(Liveness.UNREGISTERED, Liveness.of(false, false));
    assertEquals(Liveness.GONE, Liveness.of(false, true));
  }
}
