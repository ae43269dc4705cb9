package io.bulwark.storage;

import static io.bulwark.storage.Entries.ORDERS_7;
import static io.bulwark.storage.Entries.USERS_0;
import static io.bulwark.storage.Entries.USERS_1;
import static io.bulwark.storage.Entries.b;
import static io.bulwark.storage.Entries.puts;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bulwark.core.common.ShardId;
import io.bulwark.core.pb.ShardStateMachine;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.RocksDBException;
import org.rocksdb.Status;

/**
 * Goal: NodeStore's lifecycle, meta rows, shard listing and dropping, and its error messages
 * (DESIGN §7; STYLE §5: a failure names the path and says what an operator can act on).
 *
 * <p>Method: a real RocksDB in a {@code @TempDir}. Disk full cannot be caused portably in a unit
 * test, so the translation of RocksDB's "no space" status is tested on a built exception; the
 * lock failure is real (a second open of the same directory).
 */
class NodeStoreTest {
  @TempDir Path dir;

  @Test
  void metaPutThenReopen_returnsNodeAndShardFacts() {
    try (NodeStore store = NodeStore.open(dir)) {
      assertNull(store.getMeta("node-id"));
      store.putMeta("node-id", b("n1"));
      store.putMeta(USERS_0, "epoch", b("7"));
    }
    try (NodeStore store = NodeStore.open(dir)) {
      assertArrayEquals(b("n1"), store.getMeta("node-id"));
      assertArrayEquals(b("7"), store.getMeta(USERS_0, "epoch"));
      assertNull(store.getMeta(USERS_1, "epoch"));
      assertNull(store.getMeta("epoch"));
      assertTrue(store.shards().isEmpty(), "meta alone does not make a shard");
    }
  }

  @Test
  void shards_listsEveryShardWithLogOrAppliedState() {
    ShardId emptyKeyspace = new ShardId("", 3);
    ShardId maxShard = new ShardId("users", Integer.MAX_VALUE);
    try (NodeStore store = NodeStore.open(dir)) {
      store.append(puts(USERS_1, 1, 1, 2));
      store.append(puts(emptyKeyspace, 1, 1, 1));
      store.append(puts(maxShard, 1, 1, 1));
      store.stateMachine(ORDERS_7).apply(Entries.put(1, 1, "k", "v"));
      store.flushApplies();
      assertEquals(List.of(emptyKeyspace, ORDERS_7, USERS_1, maxShard), store.shards());
    }
  }

  @Test
  void dropShard_deletesItsLogDataAndMeta_andKeepsOtherShards() {
    try (NodeStore store = NodeStore.open(dir)) {
      for (ShardId shard : List.of(USERS_0, USERS_1)) {
        store.append(puts(shard, 1, 1, 3));
        store.stateMachine(shard).apply(Entries.put(1, 1, "k", "v"));
        store.putMeta(shard, "epoch", b("1"));
      }
      ShardStateMachine old = store.stateMachine(USERS_0);
      store.dropShard(USERS_0);

      assertThrows(IllegalStateException.class, old::appliedIndex);
      assertEquals(List.of(USERS_1), store.shards());
      assertEquals(0, store.lastLogIndex(USERS_0));
      assertNull(store.getMeta(USERS_0, "epoch"));
      ShardStateMachine fresh = store.stateMachine(USERS_0);
      assertEquals(0, fresh.appliedIndex());
      assertNull(fresh.get(b("k")));

      assertEquals(3, store.lastLogIndex(USERS_1));
      assertEquals(1, store.stateMachine(USERS_1).appliedIndex());
      assertNotNull(store.getMeta(USERS_1, "epoch"));
    }
  }

  @Test
  void stateMachine_isOneCachedInstancePerShard() {
    try (NodeStore store = NodeStore.open(dir)) {
      assertSame(store.stateMachine(USERS_0), store.stateMachine(new ShardId("users", 0)));
      assertFalse(store.stateMachine(USERS_0) == store.stateMachine(USERS_1));
    }
  }

  @Test
  void secondOpenOfTheSameDirectory_failsNamingTheDirectoryAndTheLock() {
    try (NodeStore store = NodeStore.open(dir)) {
      StorageException e = assertThrows(StorageException.class, () -> NodeStore.open(dir));
      assertTrue(e.getMessage().contains(dir.toAbsolutePath().toString()), e.getMessage());
      assertTrue(e.getMessage().contains("locked"), e.getMessage());
      assertFalse(e.diskFull());
      store.putMeta("still", b("usable"));
    }
  }

  @Test
  void openOnARegularFile_failsNamingThePath() throws Exception {
    Path file = Files.writeString(dir.resolve("not-a-dir"), "x");
    StorageException e = assertThrows(StorageException.class, () -> NodeStore.open(file));
    assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
  }

  @Test
  void noSpaceFromRocksDb_isReportedAsDiskFull() {
    RocksDBException noSpace = new RocksDBException("IO error: No space left on device",
        new Status(Status.Code.IOError, Status.SubCode.NoSpace, "No space left on device"));
    StorageException e = StorageException.fromRocks("append", dir, noSpace);
    assertTrue(e.diskFull());
    assertTrue(e.getMessage().contains("disk full"), e.getMessage());
    assertTrue(e.getMessage().contains(dir.toString()), e.getMessage());
    assertSame(noSpace, e.getCause());

    StorageException other = StorageException.fromRocks("append", dir,
        new RocksDBException("IO error: bad sector",
            new Status(Status.Code.IOError, Status.SubCode.None, "bad sector")));
    assertFalse(other.diskFull());
  }

  @Test
  void closedStore_refusesCalls_andCloseIsIdempotent() {
    NodeStore store = NodeStore.open(dir);
    ShardStateMachine machine = store.stateMachine(USERS_0);
    store.close();
    store.close();
    assertThrows(IllegalStateException.class, () -> store.lastLogIndex(USERS_0));
    assertThrows(IllegalStateException.class, () -> store.getMeta("x"));
    assertThrows(IllegalStateException.class, () -> machine.get(b("k")));
    assertThrows(IllegalStateException.class, () -> store.stateMachine(USERS_1));
  }

  @Test
  void diskFreeBytes_reportsTheFileSystemOfTheDirectory() {
    try (NodeStore store = NodeStore.open(dir)) {
      assertTrue(store.diskFreeBytes() > 0);
      assertEquals(dir.toAbsolutePath(), store.directory());
    }
  }

  @Test
  void namesThatCannotBeKeyed_areRefused() {
    try (NodeStore store = NodeStore.open(dir)) {
      assertThrows(IllegalArgumentException.class,
          () -> store.lastLogIndex(new ShardId("bad\0name", 0)));
      assertThrows(IllegalArgumentException.class,
          () -> store.stateMachine(USERS_0).appliedOutcome("client\0x", 1));
      assertThrows(IllegalArgumentException.class, () -> store.putMeta("", b("v")));
    }
  }

  @Test
  void concurrentAppendsAndReadsOfDifferentShards_eachLogIsComplete() throws Exception {
    int threads = 4;
    int appendsPerThread = 50;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try (NodeStore store = NodeStore.open(dir)) {
      List<Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        ShardId shard = new ShardId("concurrent", t);
        futures.add(pool.submit(() -> {
          for (long i = 1; i <= appendsPerThread; i++) {
            store.append(puts(shard, 1, 2 * i - 1, 2 * i));
            assertEquals(2 * i, store.lastLogIndex(shard));
            assertEquals(2, store.readLog(shard, 2 * i - 1, 10).size());
          }
          return null;
        }));
      }
      for (Future<?> f : futures) {
        f.get(60, TimeUnit.SECONDS);
      }
      assertEquals(threads, store.shards().size());
      for (int t = 0; t < threads; t++) {
        assertEquals(2 * appendsPerThread,
            store.readLog(new ShardId("concurrent", t), 1, 1000).size());
      }
    } finally {
      pool.shutdownNow();
      assertTrue(pool.awaitTermination(30, TimeUnit.SECONDS), "append threads did not stop");
    }
  }
}
