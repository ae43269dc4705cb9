package io.bulwark.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Goal: writes are refused below the configured reserve with a message naming the free space and
 * the limit, and served again once space returns — a re-check, not a latch (DESIGN §6). Method:
 * a scripted free-space reading and a hand-driven clock.
 */
class DiskGuardTest {
  private static final long MIB = 1L << 20;
  private long free = 500 * MIB;
  private long now;
  private final List<String> events = new ArrayList<>();
  private final DiskGuard guard = new DiskGuard("n1", () -> free, 100 * MIB, () -> now,
      (kind, detail) -> events.add(kind));

  @Test
  void belowTheReserve_refusesWithFreeBytesAndLimit_thenServesAgainWhenSpaceReturns() {
    assertNull(guard.refusal());
    free = 40 * MIB;
    now += DiskGuard.CHECK_INTERVAL_NANOS;
    String refusal = guard.refusal();
    assertNotNull(refusal);
    assertTrue(refusal.contains("40.0 MiB (41943040 bytes) free")
        && refusal.contains("disk.reserve.bytes limit of 100.0 MiB (104857600 bytes)"), refusal);
    free = 300 * MIB; // an operator freed space
    assertNotNull(guard.refusal(), "the reading is reused within the check interval");
    now += DiskGuard.CHECK_INTERVAL_NANOS;
    assertNull(guard.refusal());
    assertEquals(List.of("writes-refused", "writes-resumed"), events);
  }

  @Test
  void theFirstWrite_readsTheDisk() {
    free = MIB;
    assertNotNull(guard.refusal());
  }
}
