package io.bulwark.cli.local;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Goal: node ids may be given with or without their {@code n}. */
class LocalDirsTest {
  @Test
  void bareNumber_namesNodeN() {
    assertEquals("n3", LocalDirs.normaliseNodeId("3"));
    assertEquals("n3", LocalDirs.normaliseNodeId("n3"));
    assertEquals("", LocalDirs.normaliseNodeId(""));
  }
}
