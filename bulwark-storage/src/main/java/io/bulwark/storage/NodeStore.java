package io.bulwark.storage;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.bulwark.core.common.ShardId;
import io.bulwark.core.pb.LogEntry;
import io.bulwark.proto.Codec;
import io.bulwark.storage.Rows.AppliedPosition;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.DBOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.WALRecoveryMode;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's one RocksDB database (DESIGN §7): every shard's replicated log, applied state and
 * metadata, in the column families {@code log}, {@code data} and {@code meta}. The key layout
 * is in {@link Keys}.
 *
 * <p><b>Log.</b> {@link #append} is the group commit of DESIGN §3.1: one synced write batch for
 * every entry, of every shard, that arrived since the last one. Each stored entry carries a
 * CRC32C that {@link #readLog} verifies, with index continuity, before returning it.
 *
 * <p><b>Applied state.</b> {@link #stateMachine} returns the shard's
 * {@link RocksShardStateMachine}. Applies of every shard collect in one pending write batch
 * that {@link #flushApplies} writes: the runtime calls it once per pass of its replica loop,
 * and every read of applied state calls it first, so reads see every apply before them.
 *
 * <p><b>Threading.</b> Thread-safe; see the package documentation for the per-shard ordering
 * the runtime must keep. Every method blocks on disk I/O. After {@link #close()} every method
 * but {@code close} and {@link #diskFreeBytes()} throws {@link IllegalStateException}; a close
 * waits for calls in progress.
 *
 * <p><b>Errors.</b> {@link StorageException} for disk and RocksDB failures (naming the
 * directory), {@link CorruptLogException} for a log entry that fails its checks, and
 * {@link IllegalArgumentException} for a request the log forbids, in which case nothing was
 * written.
 */
public final class NodeStore implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(NodeStore.class);

  static final String LOG_CF = "log";
  static final String DATA_CF = "data";
  static final String META_CF = "meta";
  /** Above every key of the log and data column families: UTF-8 never contains 0xFF. */
  private static final byte[] ALL_SHARDS_END = {(byte) 0xFF};

  private final Path dir;
  private final RocksDB db;
  private final DBOptions dbOptions;
  private final ColumnFamilyOptions cfOptions;
  private final List<ColumnFamilyHandle> handles;
  private final ColumnFamilyHandle logCf;
  private final ColumnFamilyHandle dataCf;
  private final ColumnFamilyHandle metaCf;
  private final WriteOptions syncedWrite;
  private final WriteOptions unsyncedWrite;
  private final ConcurrentHashMap<ShardId, RocksShardStateMachine> machines =
      new ConcurrentHashMap<>();
  /**
   * Each shard's last log position as this store's last append left it; absent while unknown
   * (not appended to since open, or changed since by a truncation, trim or drop). Saves
   * {@link #append} a reverse seek per shard per group: over a log of trimmed ranges that seek
   * was 14 % of the log writer's CPU under 64 writers.
   */
  private final ConcurrentHashMap<ShardId, LogPosition> lastAppended = new ConcurrentHashMap<>();
  /**
   * Applies not yet written, of every shard, and the state machines whose applied position they
   * move. One RocksDB write per replica-loop pass instead of one per entry: under 64 writers the
   * apply's write was the largest item of the loop's CPU (docs/benchmarks.md). Used by the
   * thread of the state machines (the replica loop) and by {@link #close}, always inside
   * {@link #call}, so never at once.
   */
  private final WriteBatch pendingApplies = new WriteBatch();
  private final Set<RocksShardStateMachine> pendingPositions = new LinkedHashSet<>();

  /** A log entry's place: what {@link #append} checks a shard's next entry against. */
  private record LogPosition(long index, long epoch) {
    static LogPosition of(LogEntry entry) {
      return entry == null ? null : new LogPosition(entry.index(), entry.epoch());
    }
  }
  /** Calls hold the read lock; close takes the write lock, so no call uses a freed handle. */
  private final ReentrantReadWriteLock lifecycle = new ReentrantReadWriteLock();
  private boolean closed; // guarded by lifecycle

  private NodeStore(Path dir, RocksDB db, DBOptions dbOptions, ColumnFamilyOptions cfOptions,
      List<ColumnFamilyHandle> handles) {
    this.dir = dir;
    this.db = db;
    this.dbOptions = dbOptions;
    this.cfOptions = cfOptions;
    this.handles = handles;
    this.logCf = handles.get(1);
    this.dataCf = handles.get(2);
    this.metaCf = handles.get(3);
    // Durability is passed explicitly at every write (STYLE P8), never left to defaults.
    // Synced: log appends and truncations (a replica acks only durable entries, DESIGN §3.2),
    // meta, snapshot installs and shard drops (rare, and the runtime acts on them at once).
    this.syncedWrite = new WriteOptions().setSync(true).setDisableWAL(false);
    // WAL on, not synced: applies, which the durable log redoes after a crash, and log trims,
    // whose loss only brings back entries below the durable applied index.
    this.unsyncedWrite = new WriteOptions().setSync(false).setDisableWAL(false);
  }

  /**
   * Opens (creating if needed) the node store in {@code dir}. Fails with a
   * {@link StorageException} naming {@code dir} if the directory cannot be created, is locked
   * by another process (or already open in this one), the disk is full, or the database is
   * damaged.
   */
  public static NodeStore open(Path dir) {
    Objects.requireNonNull(dir, "dir");
    Path abs = dir.toAbsolutePath();
    try {
      Files.createDirectories(abs);
    } catch (IOException e) {
      throw StorageException.fromIo("open (create directory)", abs, e);
    }
    RocksDB.loadLibrary();
    DBOptions dbOptions = new DBOptions()
        .setCreateIfMissing(true)
        .setCreateMissingColumnFamilies(true)
        // A crash may tear the WAL's unsynced tail (applies only: every log append is synced,
        // and a sync covers everything before it). Recover the consistent prefix before the
        // tear; kAbsoluteConsistency would refuse to open instead.
        .setWalRecoveryMode(WALRecoveryMode.PointInTimeRecovery)
        // Unsynced writes (applies, trims) stay in RocksDB's WAL buffer until the next synced
        // write or flushWal: every synced write writes the whole buffer first, so the WAL on
        // disk is always a prefix of the writes, and a process kill loses only unsynced
        // applies, which the durable log redoes, as after an OS crash. It saves a write(2) per
        // apply (issue 7's profile: 3-4 % of a node's CPU under 64 writers).
        .setManualWalFlush(true)
        // fdatasync is enough for the WAL and SST files; fsync adds metadata we do not need.
        .setUseFsync(false)
        .setParanoidChecks(true)
        .setKeepLogFileNum(10);
    ColumnFamilyOptions cfOptions = new ColumnFamilyOptions();
    List<ColumnFamilyDescriptor> descriptors = List.of(
        new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY, cfOptions),
        new ColumnFamilyDescriptor(LOG_CF.getBytes(UTF_8), cfOptions),
        new ColumnFamilyDescriptor(DATA_CF.getBytes(UTF_8), cfOptions),
        new ColumnFamilyDescriptor(META_CF.getBytes(UTF_8), cfOptions));
    List<ColumnFamilyHandle> handles = new ArrayList<>(descriptors.size());
    RocksDB db;
    try {
      db = RocksDB.open(dbOptions, abs.toString(), descriptors, handles);
    } catch (RocksDBException e) {
      handles.forEach(ColumnFamilyHandle::close);
      cfOptions.close();
      dbOptions.close();
      throw StorageException.fromRocks("open", abs, e);
    }
    LOG.info("event=node_store_open dir={}", abs);
    return new NodeStore(abs, db, dbOptions, cfOptions, handles);
  }

  /** The directory of this store. */
  public Path directory() {
    return dir;
  }

  // ---- log ----

  /**
   * Appends entries to their shards' logs in one synced write batch: when it returns, every
   * entry is durable. If it throws {@link IllegalArgumentException} or
   * {@link CorruptLogException}, nothing was written. If it throws another
   * {@link StorageException}, whether the batch is durable is unknown (a failed sync); RocksDB
   * then refuses further writes, and the runtime must treat the node's storage as failed, never
   * retry the sync and carry on. For each shard the entries must continue
   * its log: index {@code lastLogIndex + 1} onwards, epochs never going back; an empty log
   * (new, or trimmed away) accepts a first index from 1 to {@code appliedIndex + 1}. To replace
   * a suffix, {@link #truncateAfter} first. Violations throw {@link IllegalArgumentException}.
   */
  public void append(List<LogAppend> appends) {
    Objects.requireNonNull(appends, "appends");
    if (appends.isEmpty()) {
      return;
    }
    call("append", null, () -> {
      Map<ShardId, LogPosition> lastByShard = new HashMap<>();
      Map<ShardId, byte[]> prefixes = new HashMap<>();
      try (WriteBatch batch = new WriteBatch()) {
        for (LogAppend append : appends) {
          ShardId shard = append.shard();
          byte[] prefix = prefixes.computeIfAbsent(shard, Keys::shardPrefix);
          if (!lastByShard.containsKey(shard)) {
            LogPosition known = lastAppended.get(shard);
            lastByShard.put(shard, known != null ? known
                : LogPosition.of(lastEntry(shard, prefix)));
          }
          checkAppendable(shard, lastByShard.get(shard), append.entry());
          batch.put(logCf, Keys.logKey(prefix, append.entry().index()),
              Rows.logValue(append.entry()));
          lastByShard.put(shard, LogPosition.of(append.entry()));
        }
        // One sync for the whole batch, across shards: the group commit of DESIGN §3.1.
        try {
          db.write(syncedWrite, batch);
        } catch (RocksDBException e) {
          lastByShard.keySet().forEach(lastAppended::remove); // Written or not: unknown.
          throw e;
        }
        lastAppended.putAll(lastByShard);
      }
      return null;
    });
  }

  private void checkAppendable(ShardId shard, LogPosition last, LogEntry entry)
      throws RocksDBException {
    if (last == null) {
      long applied = appliedPosition(shard).index();
      if (entry.index() < 1 || entry.index() > applied + 1) {
        throw new IllegalArgumentException("append to the empty log of shard " + shard
            + ": index " + entry.index() + " must be in [1, appliedIndex + 1 = "
            + (applied + 1) + "]");
      }
      return;
    }
    if (entry.index() != last.index() + 1) {
      throw new IllegalArgumentException("append to shard " + shard + ": index " + entry.index()
          + " does not follow the last index " + last.index()
          + " (truncateAfter before replacing entries)");
    }
    if (entry.epoch() < last.epoch()) {
      throw new IllegalArgumentException("append to shard " + shard + ": entry " + entry.index()
          + " has epoch " + entry.epoch() + ", below the previous entry's " + last.epoch());
    }
  }

  /**
   * Up to {@code maxEntries} entries of the shard's log, from {@code fromIndex} on, each
   * verified (CRC32C, decoding, its index, continuity, epochs never going back). Empty if
   * {@code fromIndex} is past the last entry. Throws {@link IllegalArgumentException} if
   * {@code fromIndex} is below the first stored entry (trimmed: send a snapshot instead), and
   * {@link CorruptLogException} naming shard and index on a failed check.
   */
  public List<LogEntry> readLog(ShardId shard, long fromIndex, int maxEntries) {
    Objects.requireNonNull(shard, "shard");
    if (fromIndex < 1) {
      throw new IllegalArgumentException("fromIndex must be >= 1, was " + fromIndex);
    }
    if (maxEntries < 1) {
      throw new IllegalArgumentException("maxEntries must be >= 1, was " + maxEntries);
    }
    return call("readLog", shard, () -> {
      byte[] prefix = Keys.shardPrefix(shard);
      long first = edgeIndex(prefix, true);
      if (first == 0) {
        return List.of();
      }
      if (fromIndex < first) {
        throw new IllegalArgumentException("readLog of shard " + shard + " from index "
            + fromIndex + ": the log starts at " + first + " (trimmed below)");
      }
      return readVerified(shard, prefix, fromIndex, maxEntries);
    });
  }

  private List<LogEntry> readVerified(ShardId shard, byte[] prefix, long fromIndex,
      int maxEntries) throws RocksDBException {
    List<LogEntry> entries = new ArrayList<>(Math.min(maxEntries, 1024));
    try (RangeIterator it = logRange(prefix)) {
      it.seek(Keys.logKey(prefix, fromIndex));
      long expected = fromIndex;
      long previousEpoch = -1;
      for (; it.valid() && entries.size() < maxEntries; it.next()) {
        long index = Keys.logIndex(prefix, it.key());
        if (index != expected) {
          throw new CorruptLogException(shard, expected, dir,
              "entry missing (the next stored entry is " + index + ")");
        }
        LogEntry entry = decodeVerified(shard, index, it.value());
        if (entry.epoch() < previousEpoch) {
          throw new CorruptLogException(shard, index, dir, "epoch " + entry.epoch()
              + " is below the previous entry's " + previousEpoch);
        }
        entries.add(entry);
        previousEpoch = entry.epoch();
        expected++;
      }
      it.checkStatus();
    }
    return entries;
  }

  /** The index of the shard's last log entry; 0 if its log is empty. */
  public long lastLogIndex(ShardId shard) {
    Objects.requireNonNull(shard, "shard");
    return call("lastLogIndex", shard, () -> edgeIndex(Keys.shardPrefix(shard), false));
  }

  /** The index of the shard's first log entry; 0 if its log is empty. */
  public long firstLogIndex(ShardId shard) {
    Objects.requireNonNull(shard, "shard");
    return call("firstLogIndex", shard, () -> edgeIndex(Keys.shardPrefix(shard), true));
  }

  /**
   * Deletes the shard's entries with index above {@code index} (synced), for a replica that
   * rejoins after the last {@code (epoch, index)} it shares with the primary (DESIGN §3.10).
   * Applied entries are committed and never truncated: {@code index < appliedIndex} throws
   * {@link IllegalArgumentException}.
   */
  public void truncateAfter(ShardId shard, long index) {
    Objects.requireNonNull(shard, "shard");
    if (index < 0) {
      throw new IllegalArgumentException("truncateAfter index must be >= 0, was " + index);
    }
    call("truncateAfter", shard, () -> {
      lastAppended.remove(shard);
      long applied = appliedPosition(shard).index();
      if (index < applied) {
        throw new IllegalArgumentException("truncateAfter(" + index + ") of shard " + shard
            + " would delete applied entries: the applied index is " + applied);
      }
      byte[] prefix = Keys.shardPrefix(shard);
      long last = edgeIndex(prefix, false);
      if (last <= index) {
        return null;
      }
      // Synced: the replica reports its last index right after (ReplicateAck), and an
      // entry of a dead epoch must not come back after a crash.
      db.deleteRange(logCf, syncedWrite, Keys.logKey(prefix, index + 1), Keys.successor(prefix));
      LOG.info("event=log_truncate shard={} after_index={} previous_last_index={}",
          shard, index, last);
      return null;
    });
  }

  /**
   * Deletes the shard's entries with index below {@code index}. The log is trimmed only below a
   * durable applied index (DESIGN §3.10): {@code index > appliedIndex + 1} throws
   * {@link IllegalArgumentException}, and the applied state is synced before anything is
   * deleted.
   */
  public void trimBefore(ShardId shard, long index) {
    Objects.requireNonNull(shard, "shard");
    if (index < 1) {
      throw new IllegalArgumentException("trimBefore index must be >= 1, was " + index);
    }
    call("trimBefore", shard, () -> {
      lastAppended.remove(shard);
      long applied = appliedPosition(shard).index();
      if (index > applied + 1) {
        throw new IllegalArgumentException("trimBefore(" + index + ") of shard " + shard
            + " would delete unapplied entries: the applied index is " + applied);
      }
      byte[] prefix = Keys.shardPrefix(shard);
      long first = edgeIndex(prefix, true);
      if (first == 0 || first >= index) {
        return null;
      }
      // Applies are in the WAL but not synced; once their entries are gone they could not be
      // replayed. Syncing the WAL makes every apply so far durable, the trimmed ones included,
      // at the cost of one fsync (a memtable flush would cost far more).
      db.flushWal(true);
      db.deleteRange(logCf, unsyncedWrite, prefix, Keys.logKey(prefix, index));
      LOG.debug("event=log_trim shard={} before_index={}", shard, index);
      return null;
    });
  }

  // ---- applied state ----

  /**
   * The shard's state machine: one instance per shard for the life of this store (until
   * {@link #dropShard}), to be used by one thread at a time, the shard core's.
   */
  public RocksShardStateMachine stateMachine(ShardId shard) {
    Objects.requireNonNull(shard, "shard");
    return machines.computeIfAbsent(shard, s -> new RocksShardStateMachine(this, s));
  }

  // ---- meta ----

  /** A node fact, or null if none was stored under {@code key}. */
  public byte[] getMeta(String key) {
    checkMetaKey(key);
    return call("getMeta", null, () -> db.get(metaCf, Keys.nodeMetaKey(key)));
  }

  /** Stores a node fact (synced). */
  public void putMeta(String key, byte[] value) {
    checkMetaKey(key);
    Objects.requireNonNull(value, "value");
    call("putMeta", null, () -> {
      db.put(metaCf, syncedWrite, Keys.nodeMetaKey(key), value);
      return null;
    });
  }

  /** A fact about one shard, or null; {@link #dropShard} deletes it with the shard. */
  public byte[] getMeta(ShardId shard, String key) {
    Objects.requireNonNull(shard, "shard");
    checkMetaKey(key);
    return call("getMeta", shard, () -> db.get(metaCf, Keys.shardMetaKey(shard, key)));
  }

  /** Stores a fact about one shard (synced), e.g. its last known epoch. */
  public void putMeta(ShardId shard, String key, byte[] value) {
    Objects.requireNonNull(shard, "shard");
    checkMetaKey(key);
    Objects.requireNonNull(value, "value");
    call("putMeta", shard, () -> {
      db.put(metaCf, syncedWrite, Keys.shardMetaKey(shard, key), value);
      return null;
    });
  }

  private static void checkMetaKey(String key) {
    Objects.requireNonNull(key, "key");
    if (key.isEmpty()) {
      throw new IllegalArgumentException("meta key must not be empty");
    }
  }

  // ---- shards and space ----

  /**
   * The shards with any log entry or stored applied state on this node (applies count once
   * {@link #flushApplies} wrote them), in {@link ShardId} order.
   */
  public List<ShardId> shards() {
    return call("shards", null, () -> {
      TreeSet<ShardId> shards = new TreeSet<>();
      for (ColumnFamilyHandle cf : List.of(logCf, dataCf)) {
        try (RangeIterator it = new RangeIterator(db, cf, new byte[0], ALL_SHARDS_END, null)) {
          // Each step seeks past a whole shard, so this loop runs once per shard.
          for (it.seekToFirst(); it.valid(); ) {
            ShardId shard = Keys.shardOf(it.key());
            shards.add(shard);
            it.seek(Keys.successor(Keys.shardPrefix(shard)));
          }
          it.checkStatus();
        }
      }
      return List.copyOf(shards);
    });
  }

  /**
   * Deletes the shard's log, applied state and meta rows in one synced batch. The shard's core
   * must be stopped first: its state machine refuses every call afterwards, and a later
   * {@link #stateMachine} call returns a new, empty one.
   */
  public void dropShard(ShardId shard) {
    Objects.requireNonNull(shard, "shard");
    call("dropShard", shard, () -> {
      writePendingApplies(); // None of them may land after the drop's range deletes.
      byte[] prefix = Keys.shardPrefix(shard);
      byte[] end = Keys.successor(prefix);
      byte[] metaPrefix = Keys.shardMetaPrefix(shard);
      try (WriteBatch batch = new WriteBatch()) {
        batch.deleteRange(logCf, prefix, end);
        batch.deleteRange(dataCf, prefix, end);
        batch.deleteRange(metaCf, metaPrefix, Keys.successor(metaPrefix));
        db.write(syncedWrite, batch);
      }
      lastAppended.remove(shard);
      RocksShardStateMachine dropped = machines.remove(shard);
      if (dropped != null) {
        dropped.markDropped();
      }
      LOG.info("event=shard_drop shard={} dir={}", shard, dir);
      return null;
    });
  }

  /** Bytes available to this process on the file system of the store's directory. */
  public long diskFreeBytes() {
    try {
      return Files.getFileStore(dir).getUsableSpace();
    } catch (IOException e) {
      throw StorageException.fromIo("diskFreeBytes", dir, e);
    }
  }

  /**
   * Syncs the WAL (so applies made before a clean shutdown survive an OS crash after it) and
   * closes the database. Waits for calls in progress; idempotent.
   */
  @Override
  public void close() {
    lifecycle.writeLock().lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      StorageException failure = null;
      try {
        writePendingApplies();
        db.flushWal(true);
      } catch (RocksDBException e) {
        failure = StorageException.fromRocks("close (sync WAL)", dir, e);
      }
      machines.clear();
      handles.forEach(ColumnFamilyHandle::close);
      try {
        db.closeE();
      } catch (RocksDBException e) {
        StorageException closeFailure = StorageException.fromRocks("close", dir, e);
        if (failure == null) {
          failure = closeFailure;
        } else {
          failure.addSuppressed(closeFailure);
        }
      }
      pendingApplies.close();
      syncedWrite.close();
      unsyncedWrite.close();
      cfOptions.close();
      dbOptions.close();
      LOG.info("event=node_store_close dir={}", dir);
      if (failure != null) {
        throw failure;
      }
    } finally {
      lifecycle.writeLock().unlock();
    }
  }

  // ---- for RocksShardStateMachine and the helpers above ----

  /** A body that may fail in RocksDB. */
  @FunctionalInterface
  interface RocksCall<T> {
    T call() throws RocksDBException;
  }

  /**
   * Runs {@code body} while the store is open, translating RocksDB failures into
   * {@link StorageException}s that name the operation, the shard and the directory.
   */
  <T> T call(String operation, ShardId shard, RocksCall<T> body) {
    lifecycle.readLock().lock();
    try {
      if (closed) {
        throw new IllegalStateException("node store " + dir + " is closed");
      }
      return body.call();
    } catch (RocksDBException e) {
      throw StorageException.fromRocks(
          shard == null ? operation : operation + " of shard " + shard, dir, e);
    } finally {
      lifecycle.readLock().unlock();
    }
  }

  RocksDB db() {
    return db;
  }

  /**
   * Writes the applies collected since the last call, with each touched shard's applied
   * position, in one write: WAL on, not synced (the entries are in the durable log, and crash
   * recovery replays the log above the stored applied index). The runtime calls it at the end
   * of each replica-loop pass, before it hands that pass's log effects to the log writer, whose
   * trims and empty-log checks read the stored applied position.
   */
  public void flushApplies() {
    call("flushApplies", null, () -> {
      writePendingApplies();
      return null;
    });
  }

  /** The batch that {@link RocksShardStateMachine#apply} adds to (inside {@link #call}). */
  WriteBatch pendingApplies() {
    return pendingApplies;
  }

  /** {@code machine} applied entries into the pending batch: write its position with it. */
  void pendingPosition(RocksShardStateMachine machine) {
    pendingPositions.add(machine);
  }

  /** Writes {@link #pendingApplies} if not empty (inside {@link #call}). */
  void writePendingApplies() throws RocksDBException {
    if (pendingPositions.isEmpty()) {
      return;
    }
    for (RocksShardStateMachine machine : pendingPositions) {
      machine.addAppliedPosition(pendingApplies);
    }
    try {
      db.write(unsyncedWrite, pendingApplies);
    } finally {
      pendingApplies.clear();
      pendingPositions.clear();
    }
  }

  ColumnFamilyHandle dataCf() {
    return dataCf;
  }

  WriteOptions syncedWrite() {
    return syncedWrite;
  }

  /** The applied position as stored (what a crash would recover, once the WAL is synced). */
  AppliedPosition appliedPosition(ShardId shard) throws RocksDBException {
    return Rows.applied(db.get(dataCf, Keys.appliedKey(Keys.shardPrefix(shard))));
  }

  private RangeIterator logRange(byte[] prefix) {
    return new RangeIterator(db, logCf, prefix, Keys.successor(prefix), null);
  }

  /** The first ({@code first}) or last log index under {@code prefix}; 0 if none. */
  private long edgeIndex(byte[] prefix, boolean first) throws RocksDBException {
    try (RangeIterator it = logRange(prefix)) {
      if (first) {
        it.seekToFirst();
      } else {
        it.seekToLast();
      }
      if (!it.valid()) {
        it.checkStatus();
        return 0;
      }
      return Keys.logIndex(prefix, it.key());
    }
  }

  /** The last entry of the log under {@code prefix}, verified; null if the log is empty. */
  private LogEntry lastEntry(ShardId shard, byte[] prefix) throws RocksDBException {
    try (RangeIterator it = logRange(prefix)) {
      it.seekToLast();
      if (!it.valid()) {
        it.checkStatus();
        return null;
      }
      return decodeVerified(shard, Keys.logIndex(prefix, it.key()), it.value());
    }
  }

  /** Checks a stored log value's CRC32C, decodes it and checks it belongs at {@code index}. */
  private LogEntry decodeVerified(ShardId shard, long index, byte[] value) {
    String problem = Rows.checkLogValue(value);
    if (problem != null) {
      throw new CorruptLogException(shard, index, dir, problem);
    }
    LogEntry entry;
    try {
      entry = Codec.decodeLogEntry(Rows.logPayload(value));
    } catch (Codec.CodecException e) {
      throw new CorruptLogException(shard, index, dir, "undecodable entry: " + e.getMessage());
    }
    if (entry.index() != index) {
      throw new CorruptLogException(shard, index, dir,
          "the stored entry says index " + entry.index());
    }
    return entry;
  }
}
