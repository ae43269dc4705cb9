package io.bulwark.server;

import io.bulwark.core.detect.HealthPolicy;
import io.bulwark.core.pb.Message;
import io.bulwark.core.pb.Op;
import java.util.function.BiConsumer;
import java.util.function.LongSupplier;

/**
 * Refuses writes while the data disk has less free space than the configured reserve
 * ({@code disk.reserve.bytes}; DESIGN §6), so the node stops writing before the disk is full and
 * never halts or corrupts its log for lack of space. Two paths ask the same guard, one reading:
 * client writes at a primary ({@link #refusal}, answered DISK_FULL) and replication to a backup
 * or learner ({@link #refusesReplication}: entries to append and snapshot chunks are dropped
 * unhandled, so the primary sees a backup that makes no progress and removes it, §3 rule 5).
 * It is not a latch: free space is re-read at most every {@link #CHECK_INTERVAL_NANOS}, and
 * writes are taken again as soon as space returns. Emits {@code writes-refused} /
 * {@code writes-resumed} when that changes. Thread-safe.
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
        message = "node " + self + " refuses writes: its data disk has "
            + HealthPolicy.bytes(free) + " free, below the disk.reserve.bytes limit of "
            + HealthPolicy.bytes(reserveBytes) + "; it serves writes again once space is freed";
      }
    }
    if (event != null) {
      // One line when the node starts and stops refusing: client writes get DISK_FULL, new
      // transaction work (records, prepares) is refused, and replicated entries and snapshot
      // chunks are dropped (bulwark_replica_refused_messages_total).
      emit.accept(event, "freeBytes=" + free + " reserveBytes=" + reserveBytes
          + " scope=client-writes,txn-new-work,replicated-entries,snapshots");
    }
    return message;
  }

  /**
   * Whether a replication message must be dropped before the replica sees it: it would make this
   * node write (entries to append, a snapshot chunk to install) while writes are refused.
   * Messages that write nothing are never refused, so a backup short of disk still acks beacons
   * (the primary keeps its lease, and the backup's grace does not expire, so it does not propose
   * itself primary) and answers empty ReplicatePrepares with what it truly holds durably.
   */
  boolean refusesReplication(Message m) {
    return writesToDisk(m) && refusal() != null;
  }

  /**
   * Null if a transaction write with {@code op} may be appended by a primary here; otherwise why
   * not. Only the ops that start new work are refused — a record's creation and a prepare, which
   * stores intents with their values; the ones that finish a transaction (decide, commit, abort)
   * write a few bytes and release locks other writers wait for, so they go on (the reserve is
   * there for such writes), and a transaction already prepared still ends.
   */
  String refusesTxnWrite(Op op) {
    return op instanceof Op.TxnPrepare || op instanceof Op.TxnRecordCreate ? refusal() : null;
  }

  /** Whether handling {@code m} at a backup or learner writes to its disk. */
  static boolean writesToDisk(Message m) {
    if (m instanceof Message.ReplicatePrepare p) {
      return !p.entries().isEmpty();
    }
    return m instanceof Message.SnapshotChunk;
  }
}
