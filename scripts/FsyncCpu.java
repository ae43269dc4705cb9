import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * What one fdatasync costs the thread that calls it, in wall time and in CPU time (docs/
 * benchmarks.md: on a virtual machine the flush path can charge the caller much of its wait).
 * Appends 200 bytes and calls {@code FileChannel.force(false)} for 5 seconds in a temporary file
 * in DIR (the disk the nodes use), then deletes it.
 *
 *   java scripts/FsyncCpu.java DIR
 */
public class FsyncCpu {
  public static void main(String[] args) throws Exception {
    Path file = Files.createTempFile(Path.of(args.length > 0 ? args[0] : "."), "fsync-cpu", ".dat");
    ByteBuffer record = ByteBuffer.allocate(200);
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    int n = 0;
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
      long cpu0 = threads.getCurrentThreadCpuTime();
      long wall0 = System.nanoTime();
      while (System.nanoTime() - wall0 < 5_000_000_000L) {
        record.clear();
        ch.write(record);
        ch.force(false);
        n++;
      }
      long cpu = threads.getCurrentThreadCpuTime() - cpu0;
      long wall = System.nanoTime() - wall0;
      System.out.printf("%d fdatasyncs: %.1f us of wall time and %.1f us of this thread's CPU each%n",
          n, wall / 1e3 / n, cpu / 1e3 / n);
    } finally {
      Files.deleteIfExists(file);
    }
  }
}
