package io.bulwark.cli.verify;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;

/**
 * {@code disk-full}: every node's data directory is a small tmpfs ({@link #TMPFS_BYTES}, mounted
 * by the run); the fault fills a node's (usually a hot key's primary's) with a ballast file until
 * {@link #LEFT_FREE_BYTES} are left, below {@code disk.reserve.bytes}: the node refuses writes
 * with DISK_FULL. Heal deletes the ballast; the node serves again once it sees the space.
 */
final class DiskFullNemesis implements Nemesis {
  static final long TMPFS_BYTES = 320L << 20;
  static final long RESERVE_BYTES = 80L << 20;
  static final long LOW_BYTES = 120L << 20;
  /** What the ballast leaves free: below the reserve, far from zero (RocksDB keeps working). */
  static final long LEFT_FREE_BYTES = 50L << 20;
  static final String BALLAST = "verify-ballast";

  private final VerifyCluster cluster;
  private final Targets targets;

  DiskFullNemesis(VerifyCluster cluster, Targets targets) {
    this.cluster = cluster;
    this.targets = targets;
  }

  /** The node settings that make a node refuse writes before its tmpfs is full. */
  static java.util.Map<String, String> nodeSettings() {
    return java.util.Map.of("disk.reserve.bytes", Long.toString(RESERVE_BYTES),
        "disk.low.bytes", Long.toString(LOW_BYTES));
  }

  @Override
  public String kind() {
    return "disk-full";
  }

  @Override
  public Fault inject(SplittableRandom random) throws IOException {
    Targets.Choice c = targets.pick(random);
    Path data = cluster.dataDir(c.node());
    long bytes = Files.getFileStore(data).getUsableSpace() - LEFT_FREE_BYTES;
    fill(data.resolve(BALLAST), Math.max(0, bytes));
    return new Fault(kind(), c.node(), "ballast of " + (bytes >> 20) + " MiB leaves "
        + (Files.getFileStore(data).getUsableSpace() >> 20) + " MiB free, " + c.why());
  }

  @Override
  public void heal(Fault fault) throws IOException {
    Files.deleteIfExists(cluster.dataDir(fault.target()).resolve(BALLAST));
  }

  private static void fill(Path file, long bytes) throws IOException {
    byte[] chunk = new byte[1 << 20];
    try (OutputStream out = Files.newOutputStream(file)) {
      for (long written = 0; written < bytes; written += chunk.length) {
        out.write(chunk, 0, (int) Math.min(chunk.length, bytes - written));
      }
    }
  }
}
