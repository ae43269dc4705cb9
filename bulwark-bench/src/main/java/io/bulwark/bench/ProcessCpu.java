package io.bulwark.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Supplier;

/**
 * The real {@link CpuMeter}: this JVM's CPU time from the platform MXBean, and each server
 * process's from {@code /proc/PID/stat} (utime + stime, which cover all its threads). A server
 * that died or restarted during the window loses its CPU from the sum; the bench waits for
 * stable clusters before measuring, so that happens only under faults.
 */
public final class ProcessCpu implements CpuMeter {
  /** USER_HZ: the unit of /proc/PID/stat times. 100 on every mainstream Linux build. */
  static final long CLOCK_TICKS_PER_SECOND = 100;

  private final Supplier<List<Long>> serverPids;

  /** @param serverPids the system's server processes, asked at every reading (pids change) */
  public ProcessCpu(Supplier<List<Long>> serverPids) {
    this.serverPids = serverPids;
  }

  @Override
  public Reading read() {
    return new Reading(clientCpuNanos(), serverCpuNanos(serverPids.get()));
  }

  /** This JVM's CPU time, or -1 where the JVM does not offer it. */
  static long clientCpuNanos() {
    OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
    if (os instanceof com.sun.management.OperatingSystemMXBean sun) {
      return sun.getProcessCpuTime();
    }
    return -1;
  }

  /** The summed CPU time of {@code pids}, or -1 if there are none or one cannot be read. */
  static long serverCpuNanos(List<Long> pids) {
    if (pids.isEmpty()) {
      return -1;
    }
    long ticks = 0;
    for (long pid : pids) {
      long t = ticks(pid);
      if (t < 0) {
        return -1;
      }
      ticks += t;
    }
    return ticks * (1_000_000_000L / CLOCK_TICKS_PER_SECOND);
  }

  /** utime + stime of {@code pid} in clock ticks, or -1 if it cannot be read. */
  static long ticks(long pid) {
    String stat;
    try {
      stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
    } catch (IOException e) {
      return -1; // Gone, or not Linux.
    }
    return parseTicks(stat);
  }

  /**
   * utime + stime from the text of {@code /proc/PID/stat}: fields 14 and 15, counted after the
   * command name, which is in parentheses and may itself hold spaces or parentheses.
   */
  static long parseTicks(String stat) {
    int close = stat.lastIndexOf(')');
    if (close < 0) {
      return -1;
    }
    String[] f = stat.substring(close + 2).trim().split("\\s+");
    // After ")": field 3 (state) is f[0], so field N is f[N - 3].
    if (f.length < 13) {
      return -1;
    }
    try {
      return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    } catch (NumberFormatException e) {
      return -1;
    }
  }
}
