package io.bulwark.storage;

import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.Slice;
import org.rocksdb.Snapshot;

/**
 * An iterator over the keys in {@code [from, to)} of one column family, optionally at a
 * snapshot. The bounds are given to RocksDB (not only checked here), so it stops at the range's
 * end instead of reading past it. Closes every native object it made; one thread only.
 */
final class RangeIterator implements AutoCloseable {
  private final Slice lower;
  private final Slice upper;
  private final ReadOptions options;
  private final RocksIterator iterator;

  RangeIterator(RocksDB db, ColumnFamilyHandle cf, byte[] from, byte[] to, Snapshot snapshot) {
    this.lower = new Slice(from);
    this.upper = new Slice(to);
    // Explicit: verify block checksums on every read (DESIGN §7), whatever the default.
    this.options = new ReadOptions()
        .setIterateLowerBound(lower)
        .setIterateUpperBound(upper)
        .setVerifyChecksums(true);
    if (snapshot != null) {
      options.setSnapshot(snapshot);
    }
    this.iterator = db.newIterator(cf, options);
  }

  void seekToFirst() {
    iterator.seekToFirst();
  }

  void seekToLast() {
    iterator.seekToLast();
  }

  void seek(byte[] key) {
    iterator.seek(key);
  }

  /**
   * True if positioned on a key. When false, {@link #checkStatus()} tells an I/O error from the
   * end of the range.
   */
  boolean valid() {
    return iterator.isValid();
  }

  byte[] key() {
    return iterator.key();
  }

  byte[] value() {
    return iterator.value();
  }

  void next() {
    iterator.next();
  }

  /** Throws if the iteration stopped on an error rather than at the end of the range. */
  void checkStatus() throws RocksDBException {
    iterator.status();
  }

  @Override
  public void close() {
    iterator.close();
    options.close();
    upper.close();
    lower.close();
  }
}
