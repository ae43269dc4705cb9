package io.bulwark.cli.verify;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Small tmpfs filesystems for node data directories (the disk-full nemesis fills them). Each
 * mount is recorded in {@link Cleanup} as it is made; it is unmounted after the processes
 * recorded after it (the nodes using it) are stopped.
 */
final class TmpfsMounts {
  private TmpfsMounts() {}

  /**
   * Mounts a tmpfs of {@code bytes} at {@code at}; returns why it could not (mounting needs
   * root), or empty once mounted.
   */
  static Optional<String> mount(Path at, long bytes, Cleanup cleanup) throws Exception {
    Files.createDirectories(at);
    Shell.Result r = Shell.tryRun("mount", "-t", "tmpfs", "-o", "size=" + bytes, "tmpfs",
        at.toString());
    if (!r.ok()) {
      return Optional.of("mounting a tmpfs is not permitted here (" + r.describe()
          + "); it needs root");
    }
    cleanup.add("tmpfs mount " + at, () -> Shell.run("umount", at.toString()));
    return Optional.empty();
  }
}
