package io.bulwark.storage;

import java.io.IOException;
import java.nio.file.Path;
import org.rocksdb.RocksDBException;
import org.rocksdb.Status;

/**
 * The disk or RocksDB failed. Unchecked: the runtime cannot recover in place, and its fatal
 * handler decides whether to stop the node or only the shard. The message always names the
 * node store's directory; {@link #diskFull()} says whether the cause was a lack of space, which
 * the runtime reports differently (the operator frees space; the data is intact).
 */
public class StorageException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final boolean diskFull;

  public StorageException(String message, Throwable cause) {
    this(message, cause, false);
  }

  StorageException(String message, Throwable cause, boolean diskFull) {
    super(message, cause);
    this.diskFull = diskFull;
  }

  /** True if the storage reported that the disk is full. */
  public boolean diskFull() {
    return diskFull;
  }

  /** Translates a RocksDB failure of {@code operation} into a message a human can act on. */
  static StorageException fromRocks(String operation, Path dir, RocksDBException e) {
    String detail = e.getMessage();
    Status status = e.getStatus();
    if (status != null && status.getSubCode() == Status.SubCode.NoSpace
        || mentionsNoSpace(detail)) {
      return new StorageException(
          operation + " failed in node store " + dir + ": disk full (RocksDB: " + detail + ")",
          e, true);
    }
    if (detail != null && (detail.contains("/LOCK") || detail.contains("lock hold by"))) {
      return new StorageException(operation + " failed in node store " + dir
          + ": the directory is locked by another process, or is already open in this one"
          + " (RocksDB: " + detail + ")", e);
    }
    return new StorageException(
        operation + " failed in node store " + dir + " (RocksDB: " + detail + ")", e);
  }

  /** Translates a file-system failure of {@code operation} (outside RocksDB). */
  static StorageException fromIo(String operation, Path dir, IOException e) {
    String detail = String.valueOf(e);
    if (mentionsNoSpace(detail)) {
      return new StorageException(
          operation + " failed in node store " + dir + ": disk full (" + detail + ")", e, true);
    }
    return new StorageException(operation + " failed in node store " + dir + ": " + detail, e);
  }

  private static boolean mentionsNoSpace(String detail) {
    return detail != null && detail.contains("No space left on device");
  }
}
