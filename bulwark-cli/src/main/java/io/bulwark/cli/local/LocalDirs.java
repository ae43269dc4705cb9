package io.bulwark.cli.local;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Path conventions of a local cluster directory (see the package documentation). */
public final class LocalDirs {
  public static final String DOWN_DIR = "down";
  public static final String SUPERVISOR_LOG = "supervisor.log";
  public static final String SUPERVISOR_LOCK = "supervisor.lock";
  public static final String ZOOKEEPER_DIR = "zookeeper";

  private LocalDirs() {}

  /**
   * The canonical form of a user-given directory: absolute, normalised, and with symbolic links
   * resolved once it exists, so that every command and the supervisor name it the same way
   * (processes are matched by the path in their command lines).
   */
  public static Path canonical(Path dir) {
    Path abs = dir.toAbsolutePath().normalize();
    try {
      return Files.exists(abs) ? abs.toRealPath() : abs;
    } catch (IOException e) {
      return abs;
    }
  }

  /** The marker that keeps {@code nodeId} down (DIR/down/ID). */
  public static Path downMarker(Path dir, String nodeId) {
    return dir.resolve(DOWN_DIR).resolve(nodeId);
  }

  /** {@code "3"} and {@code "n3"} both name node n3. */
  public static String normaliseNodeId(String given) {
    String id = given.trim();
    return id.chars().allMatch(Character::isDigit) && !id.isEmpty() ? "n" + id : id;
  }

  public static String nodeId(int k) {
    return "n" + k;
  }
}
