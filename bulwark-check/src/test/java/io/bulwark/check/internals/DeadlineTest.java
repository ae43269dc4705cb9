package io.bulwark.check.internals;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Goal: a deadline measures time on the clock it is given, from the moment it starts, and expires
 * exactly at its limit. Method: a hand-moved clock whose origin is negative, as a monotonic
 * clock's may be.
 */
class DeadlineTest {
  private long nowNanos = -1_000;

  @Test
  void expiresAtTheLimit_measuredFromTheStart() {
    Deadline deadline = Deadline.start(Duration.ofNanos(100), () -> nowNanos);
    nowNanos += 99;
    assertFalse(deadline.expired());
    assertEquals(Duration.ofNanos(99), deadline.elapsed());
    nowNanos += 1;
    assertTrue(deadline.expired());
    assertEquals(Duration.ofNanos(100), deadline.limit());
  }

  @Test
  void hugeLimit_meansNoLimit() {
    Deadline deadline = Deadline.start(Duration.ofSeconds(Long.MAX_VALUE), () -> nowNanos);
    nowNanos = Long.MAX_VALUE / 2;
    assertFalse(deadline.expired());
  }

  @Test
  void negativeLimit_isRefused() {
    assertThrows(
        IllegalArgumentException.class, () -> Deadline.start(Duration.ofNanos(-1), () -> nowNanos));
  }
}
