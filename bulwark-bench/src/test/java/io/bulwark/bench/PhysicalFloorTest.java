package io.bulwark.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PhysicalFloorTest {

  @Test
  void measuresARealSyncAndARealRoundTrip_andLeavesNoFileBehind(@TempDir Path dir)
      throws Exception {
    PhysicalFloor f = PhysicalFloor.measure(dir, 20, 100);

    assertTrue(f.fdatasyncP50Ms() > 0 && f.loopbackRttP50Ms() > 0, f.toString());
    assertEquals(f.fdatasyncP50Ms() + 2 * f.loopbackRttP50Ms(), f.floorMs(), 1e-12);
    assertEquals(20, f.samples());
    try (var files = Files.list(dir)) {
      assertEquals(0, files.count(), "the synced file is removed");
    }
  }

  @Test
  void refusesNonsense(@TempDir Path dir) {
    assertThrows(IllegalArgumentException.class, () -> PhysicalFloor.measure(dir, 0, 100));
    assertThrows(IllegalArgumentException.class, () -> PhysicalFloor.measure(dir, 10, 0));
  }
}
