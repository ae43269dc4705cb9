package io.bulwark.server;

import java.util.Locale;
import java.util.function.BiConsumer;
import java.util.function.LongSupplier;

/**
 * Refuses client writes while the data disk has less free space than the configured reserve
 * ({@code disk.reserve.bytes}; DESIGN §6), so the node stops taking writes before the disk is
 * full and never corrupts its log for lack of space. It is not a latch: free space is
 * re-read at most every {@link #CHECK_INTERVAL_NANOS} on the write path, and writes are served
 * again as soon as space returns. Emits {@code writes-refused} / {@code writes-resumed} when
 * that changes. Thread-safe.
 */
final class DiskGuard {
  /** How stale the free-space reading may be; a statfs per write would be wasteful. */
  static final long CHECK_INTERVAL_NANOS = 500_000_000L;

  private final String self;
  private final LongSupplier freeBytes;
  private final long reserveBytes;
  private final LongSupplier nanoClock;
  private final BiConsumer<String, String> emit;
  private long checkedAtNanos;
  private boolean checked;
  private long free = Long.MAX_VALUE;
  private boolean refusing;

  /**
   * @param freeBytes reads the usable bytes of the data directory's file system
   * @param nanoClock monotonic nanoseconds ({@code System::nanoTime} in production)
   * @param emit where events go: (kind, detail)
   */
  DiskGuard(String self, LongSupplier freeBytes, long reserveBytes, LongSupplier nanoClock,
      BiConsumer<String, String> emit) {
    this.self = self;
    this.freeBytes = freeBytes;
    this.reserveBytes = reserveBytes;
    this.nanoClock = nanoClock;
    this.emit = emit;
  }

  /**
   * Null if writes may proceed; otherwise why not, naming the free space and the limit (the
   * message of the client's DISK_FULL error).
   */
  String refusal() {
    String message = null;
    String event = null;
    synchronized (this) {
      long now = nanoClock.getAsLong();
      if (!checked || now - checkedAtNanos >= CHECK_INTERVAL_NANOS) {
        checked = true;
        checkedAtNanos = now;
        free = freeBytes.getAsLong();
        boolean refuse = free < reserveBytes;
        if (refuse != refusing) {
          refusing = refuse;
          event = refuse ? "writes-refused" : "writes-resumed";
        }
      }
      if (refusing) {
        message = "node " + self + " refuses writes: its data disk has " + bytes(free)
            + " free, below the disk.reserve.bytes limit of " + bytes(reserveBytes)
            + "; it serves writes again once space is freed";
      }
    }
    if (event != null) {
      emit.accept(event, "freeBytes=" + free + " reserveBytes=" + reserveBytes);
    }
    return message;
  }

  private static String bytes(long b) {
    return String.format(Locale.ROOT, "%.1f MiB (%d bytes)", b / 1048576.0, b);
  }
}
