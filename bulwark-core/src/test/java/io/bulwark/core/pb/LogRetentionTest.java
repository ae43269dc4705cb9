package io.bulwark.core.pb;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bulwark.core.common.KeyspaceSpec;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The in-memory log keeps applied entries for catching up replicas within a count and a byte
 * bound ({@link ReplicaOptions#logRetainEntries()}, {@link ReplicaOptions#logRetainBytes()}):
 * with large values a count alone let a node's heap fill with retained values and the node die
 * of OutOfMemoryError, and die again while reading its log back at restart.
 */
class LogRetentionTest {
  private static final long RETAIN_BYTES = 10_000;
  private static final String KIB = "x".repeat(1_000);

  private static ReplicaOptions byteBound() {
    return ReplicaOptions.defaults(1, KeyspaceSpec.Acks.ALL).withLogRetainBytes(RETAIN_BYTES);
  }

  @Test
  void largeValues_everyReplicaKeepsAppliedEntriesWithinTheByteBound() {
    ReplicaCluster c = new ReplicaCluster(byteBound(), "n1", "n2", "n3").started();
    for (int i = 1; i <= 60; i++) {
      c.put("n1", "client", i, "k" + i, KIB);
      c.settle();
    }
    c.run(2 * c.opts.beaconNanos()); // backups apply what the last beacon says is committed
    long entrySize = c.replica("n1").logEntry(c.replica("n1").lastIndex()).sizeBytes();
    for (String n : List.of("n1", "n2", "n3")) {
      ShardReplica r = c.replica(n);
      assertTrue(r.logFirstIndex() > 1, n + " trimmed nothing: " + r);
      long kept = bytes(r, r.logFirstIndex(), r.appliedIndex());
      assertTrue(kept <= RETAIN_BYTES + RETAIN_BYTES / 4,
          n + " keeps " + kept + " bytes of applied entries, bound " + RETAIN_BYTES);
      assertTrue(kept >= RETAIN_BYTES - entrySize,
          n + " trimmed more than the bound asks: keeps " + kept + " bytes");
    }
  }

  @Test
  void learnerBehindTheByteBound_catchesUpBySnapshot() {
    ReplicaCluster c = new ReplicaCluster(byteBound(), "n1", "n2", "n3").started();
    c.cut.add("n3");
    c.run(c.opts.leaseNanos() + 2 * c.opts.beaconNanos()); // n3 is removed
    assertFalse(c.zk.isReplica("n3"));
    for (int i = 1; i <= 30; i++) {
      long id = c.put("n1", "client", i, "k" + i, KIB + i);
      c.settle();
      assertInstanceOf(ClientReply.Written.class, c.replies.get(id));
    }
    assertTrue(c.replica("n1").logFirstIndex() > 1, "the byte bound trimmed n1's log");
    c.addLearner("n3");
    c.run(10 * c.opts.beaconNanos());
    assertTrue(c.events.stream().anyMatch(e -> e.startsWith("n3 snapshot-installed")),
        c.events::toString);
    assertTrue(c.zk.backups().contains("n3"), "n3 was promoted: " + c.zk);
    for (int i = 1; i <= 30; i++) {
      assertArrayEquals((KIB + i).getBytes(),
          c.machines.get("n3").get(("k" + i).getBytes()).value());
    }
  }

  @Test
  void restart_readsALogLargerThanTheBound_keepsWithinIt_andTrimsTheDisk() {
    // Written under the default bound (2 MiB keeps all 60 KiB), read back under 10,000 bytes:
    // the log a node persisted before the byte bound existed, or under a larger one.
    ReplicaCluster c = new ReplicaCluster("n1", "n2", "n3").started();
    for (int i = 1; i <= 60; i++) {
      c.put("n1", "client", i, "k" + i, KIB);
      c.settle();
    }
    ShardReplica before = c.replica("n1");
    assertEquals(1, before.logFirstIndex());
    List<LogEntry> durable = new ArrayList<>();
    for (long i = 1; i <= before.lastIndex(); i++) {
      durable.add(before.logEntry(i));
    }
    Outbox out = new Outbox();
    ShardReplica r = new ShardReplica(c.shard, "n1", byteBound(), c.machines.get("n1"), 0, 0,
        durable, out, c.now);
    assertEquals(before.lastIndex(), r.lastIndex());
    long kept = bytes(r, r.logFirstIndex(), r.appliedIndex());
    assertTrue(kept <= RETAIN_BYTES + RETAIN_BYTES / 4, "keeps " + kept + " bytes");
    List<Effect> effects = out.drain();
    assertEquals(List.of(new Effect.TrimLog(r.logFirstIndex(), durable.get(0).epoch())),
        effects, "the trim made while reading goes to the disk too");
  }

  private static long bytes(ShardReplica r, long from, long to) {
    long sum = 0;
    for (long i = from; i <= to; i++) {
      sum += r.logEntry(i).sizeBytes();
    }
    return sum;
  }
}
