package io.bulwark.server;

import io.bulwark.core.detect.HealthSample;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Reads this JVM's and this machine's resources into a {@link HealthSample}: the I/O shell
 * around {@code HealthPolicy}. Each call covers the time since the previous call.
 * <ul>
 *   <li>CPU: {@code com.sun.management.OperatingSystemMXBean} process and system CPU load.</li>
 *   <li>Heap after GC: the heap memory pools' collection usage (what the latest collection of
 *       each pool left in use), over the maximum heap.</li>
 *   <li>GC time: the growth of the collectors' accumulated collection time, over the interval.
 *       Collectors that report concurrent work rather than pauses ("G1 Concurrent GC", "ZGC
 *       Cycles", ...) are left out: their time is not time the node stood still.</li>
 *   <li>Disk: usable bytes of the data directory's file system (a failure reads as unknown).</li>
 *   <li>Fsync: the p99 of the log writer's group commits since the previous sample.</li>
 * </ul>
 * Not thread-safe: the health monitor's thread owns it.
 */
final class ResourceSampler implements Supplier<HealthSample> {
  private final LongSupplier diskFreeBytes;
  private final FsyncWindow fsync;
  private final java.lang.management.OperatingSystemMXBean os =
      ManagementFactory.getOperatingSystemMXBean();
  private long lastNanos = System.nanoTime();
  private long lastGcMillis = gcMillis();

  /** @param diskFreeBytes usable space of the data directory; may throw when unreadable */
  ResourceSampler(LongSupplier diskFreeBytes, FsyncWindow fsync) {
    this.diskFreeBytes = diskFreeBytes;
    this.fsync = fsync;
  }

  @Override
  public HealthSample get() {
    long now = System.nanoTime();
    long gc = gcMillis();
    double interval = Math.max(1, now - lastNanos) / 1e6;
    double gcTime = Math.min(1.0, Math.max(0, gc - lastGcMillis) / interval);
    lastNanos = now;
    lastGcMillis = gc;
    FsyncWindow.Summary f = fsync.takeAndReset();
    return new HealthSample(processCpu(), systemCpu(), heapAfterGc(), gcTime, diskFree(),
        f.p99Nanos(), f.count());
  }

  private long diskFree() {
    try {
      return diskFreeBytes.getAsLong();
    } catch (RuntimeException e) {
      return -1; // Unknown; the log writer fails the node if the disk is really gone.
    }
  }

  private double processCpu() {
    if (os instanceof com.sun.management.OperatingSystemMXBean sun) {
      double v = sun.getProcessCpuLoad();
      return v < 0 ? Double.NaN : v;
    }
    return Double.NaN;
  }

  private double systemCpu() {
    if (os instanceof com.sun.management.OperatingSystemMXBean sun) {
      double v = sun.getCpuLoad();
      return v < 0 ? Double.NaN : v;
    }
    return Double.NaN;
  }

  private static double heapAfterGc() {
    long max = Runtime.getRuntime().maxMemory();
    if (max <= 0 || max == Long.MAX_VALUE) {
      return Double.NaN;
    }
    long used = 0;
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      MemoryUsage after = pool.getType() == MemoryType.HEAP ? pool.getCollectionUsage() : null;
      if (after != null) {
        used += after.getUsed();
      }
    }
    return (double) used / max;
  }

  private static long gcMillis() {
    long total = 0;
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      String name = gc.getName();
      if (name.contains("Concurrent") || name.contains("Cycles")) {
        continue;
      }
      total += Math.max(0, gc.getCollectionTime());
    }
    return total;
  }
}
