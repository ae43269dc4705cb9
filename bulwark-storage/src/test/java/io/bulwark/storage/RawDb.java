package io.bulwark.storage;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.DBOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteOptions;

/**
 * A raw RocksDB handle on a closed node store's directory, for tests that damage stored rows
 * the way a bad disk or a bug would, without any hook in production code.
 */
final class RawDb implements AutoCloseable {
  private final DBOptions options = new DBOptions();
  private final WriteOptions sync = new WriteOptions().setSync(true);
  private final List<ColumnFamilyHandle> handles = new ArrayList<>();
  private final RocksDB db;

  RawDb(Path dir) throws RocksDBException {
    List<ColumnFamilyDescriptor> descriptors = List.of(
        new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY),
        new ColumnFamilyDescriptor(NodeStore.LOG_CF.getBytes(UTF_8)),
        new ColumnFamilyDescriptor(NodeStore.DATA_CF.getBytes(UTF_8)),
        new ColumnFamilyDescriptor(NodeStore.META_CF.getBytes(UTF_8)));
    db = RocksDB.open(options, dir.toString(), descriptors, handles);
  }

  ColumnFamilyHandle log() {
    return handles.get(1);
  }

  byte[] get(ColumnFamilyHandle cf, byte[] key) throws RocksDBException {
    return db.get(cf, key);
  }

  void put(ColumnFamilyHandle cf, byte[] key, byte[] value) throws RocksDBException {
    db.put(cf, sync, key, value);
  }

  void delete(ColumnFamilyHandle cf, byte[] key) throws RocksDBException {
    db.delete(cf, sync, key);
  }

  @Override
  public void close() {
    handles.forEach(ColumnFamilyHandle::close);
    db.close();
    sync.close();
    options.close();
  }
}
