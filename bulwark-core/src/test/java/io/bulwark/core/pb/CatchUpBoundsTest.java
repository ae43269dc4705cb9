package io.bulwark.core.pb;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bulwark.core.common.KeyspaceSpec;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Goal: catching up a follower costs bounded memory (DESIGN §3.11 catch-up; STYLE P5). A primary
 * that leads a learner far behind sends it prepares of at most {@code batchBytesMax} (one larger
 * entry alone), keeps at most {@code unackedBytesMax} in flight beyond what it acked, sends the
 * rest as acks come back, and after a retransmit resends one batch, not a window; snapshot chunks
 * are bounded by bytes too. Found by DiskFullIT: a primary with two learners starting from index 0
 * sent 256 entries of 100 KiB (25 MiB) per prepare, again on every event and every retransmit
 * interval, and ran a 512 MiB node out of heap.
 *
 * <p>Method: {@link ReplicaCluster} with the default options and values of 100 KiB and 1 MiB (the
 * DESIGN §2 limit). The test takes the primary's prepares to the learner off the network itself,
 * adds up the bytes ({@link LogEntry#sizeBytes()}) of entries sent and not yet acked, then hands
 * them to the learner and its acks back. The clock stands still while it does, so no retransmit
 * or beacon interferes unless a test moves it.
 */
class CatchUpBoundsTest {
  private static final long BATCH = ReplicaOptions.BATCH_BYTES_MAX_DEFAULT;
  private static final long WINDOW = ReplicaOptions.UNACKED_BYTES_MAX_DEFAULT;

  /** What the test saw of a catch-up. */
  private static final class Seen {
    long maxUnackedBytes;
    long maxPrepareBytes;
    int maxPrepareEntries;
    int prepares;
    /** Entries sent to the learner and not acked by it: index -> bytes. */
    final TreeMap<Long, Long> unacked = new TreeMap<>();
    /** Prepares taken off the network and not yet handed to the learner. */
    final List<Message.ReplicatePrepare> held = new ArrayList<>();

    long unackedBytes() {
      return unacked.values().stream().mapToLong(Long::longValue).sum();
    }
  }

  @Test
  void learnerFarBehindWithLargeValues_isSentAtMostTheWindowBeforeItAcks_andTheRestAsItAcks() {
    int writes = 100;
    ReplicaCluster c = learnerBehind(ReplicaOptions.defaults(1, KeyspaceSpec.Acks.ALL), writes,
        100 << 10);
    Seen seen = new Seen();

    // Nothing acked yet: the first send is one batch (the retransmit's probe), however often
    // the primary is asked.
    c.now += c.opts.retransmitNanos();
    pump(c, seen);
    assertEquals(1, seen.prepares, "one probe batch before the learner answers");
    assertTrue(seen.unackedBytes() <= BATCH, seen.unackedBytes() + " bytes in the probe");

    // From the first ack on: pipelined up to the window, never beyond it, the rest as acks come.
    long reportedBytes = 0;
    for (int round = 0; round < 200 && !caughtUp(c); round++) {
      deliverToLearnerAndAckBack(c, seen);
      pump(c, seen);
      for (LearnerProgress p : c.replica("n1").learnerProgress()) {
        assertTrue(p.bytesSent() >= reportedBytes, "copied bytes never go back: " + p);
        reportedBytes = p.bytesSent();
      }
    }
    assertTrue(caughtUp(c), "n3 caught up: " + c.replica("n3"));
    // Progress (DESIGN §6) counts the log bytes the learner acked, not only snapshot bytes.
    assertTrue(reportedBytes > (long) (writes - 10) * (100 << 10),
        "progress reported " + reportedBytes + " bytes copied by log tail");
    assertTrue(seen.maxUnackedBytes <= WINDOW, seen.maxUnackedBytes + " bytes in flight");
    assertTrue(seen.maxUnackedBytes > WINDOW - 2 * BATCH,
        "the window is used (pipelining), not one batch at a time: " + seen.maxUnackedBytes);
    assertTrue(seen.maxPrepareBytes <= BATCH, seen.maxPrepareBytes + " bytes in one prepare");
    assertTrue(seen.prepares >= 10, seen.prepares + " prepares for 10 MiB");
    for (int i = 0; i < writes; i++) {
      assertArrayEquals(value(i, 100 << 10), c.machines.get("n3").get(("k" + i).getBytes())
          .value());
    }
    c.run(2 * c.opts.beaconNanos());
    assertTrue(c.zk.backups().contains("n3"), "n3 was promoted: " + c.zk);
  }

  @Test
  void entryLargerThanTheBatchBound_goesAlone_andTheLearnerStillCatchesUp() {
    int writes = 12;
    int valueBytes = 1 << 20; // The DESIGN §2 limit: with key and overhead, above BATCH.
    ReplicaCluster c = learnerBehind(ReplicaOptions.defaults(1, KeyspaceSpec.Acks.ALL), writes,
        valueBytes);
    Seen seen = new Seen();
    c.now += c.opts.retransmitNanos();
    pump(c, seen);
    for (int round = 0; round < 200 && !caughtUp(c); round++) {
      deliverToLearnerAndAckBack(c, seen);
      pump(c, seen);
    }
    assertTrue(caughtUp(c), "n3 caught up: " + c.replica("n3"));
    assertEquals(1, seen.maxPrepareEntries, "each prepare carried one entry");
    assertTrue(seen.maxPrepareBytes > BATCH, "that entry exceeds the batch bound");
    assertTrue(seen.maxUnackedBytes <= WINDOW, seen.maxUnackedBytes + " bytes in flight");
    assertTrue(seen.maxUnackedBytes > BATCH, "more than one such entry was in flight at once");
    for (int i = 0; i < writes; i++) {
      assertArrayEquals(value(i, valueBytes), c.machines.get("n3").get(("k" + i).getBytes())
          .value());
    }
  }

  @Test
  void stalledLearner_getsOneBatchPerRetransmit_notAWindowOfDuplicates() {
    ReplicaCluster c = learnerBehind(ReplicaOptions.defaults(1, KeyspaceSpec.Acks.ALL), 100,
        100 << 10);
    Seen seen = new Seen();
    c.now += c.opts.retransmitNanos();
    pump(c, seen);
    deliverToLearnerAndAckBack(c, seen);
    pump(c, seen);
    assertTrue(seen.unackedBytes() > WINDOW - 2 * BATCH, "window full: " + seen.unackedBytes());
    long acked = seen.unacked.firstKey() - 1;

    // The learner stalls: what was sent is lost and nothing is acked. Everything else (the
    // backup's beacon acks) is delivered, so only the learner is behind.
    for (int i = 0; i < 3; i++) {
      seen.held.clear();
      seen.unacked.clear();
      int before = seen.prepares;
      c.now += c.opts.retransmitNanos();
      List<Message.ReplicatePrepare> sent = pump(c, seen);
      assertEquals(before + 1, seen.prepares, "one batch per retransmit interval");
      assertEquals(acked, sent.get(0).prevIndex(), "resent from the learner's match point");
      assertTrue(seen.unackedBytes() <= BATCH, seen.unackedBytes() + " bytes resent");
      c.deliver();
      c.fsync();
    }

    // It answers again: the primary pipelines once more.
    deliverToLearnerAndAckBack(c, seen);
    int before = seen.prepares;
    pump(c, seen);
    assertTrue(seen.prepares > before + 1, "pipelining resumed after an ack showed progress");
  }

  @Test
  void smallWrites_arePipelinedToBackupsWithoutWaitingForAcks() {
    ReplicaCluster c = new ReplicaCluster("n1", "n2", "n3").started();
    long last = c.replica("n1").lastIndex();
    for (int i = 0; i < 5; i++) {
      c.put("n1", "client", i + 1, "k" + i, "v" + i);
    }
    for (String backup : List.of("n2", "n3")) {
      List<Long> sent = new ArrayList<>();
      for (ReplicaCluster.InFlight m : c.network) {
        if (m.to().equals(backup) && m.message() instanceof Message.ReplicatePrepare p) {
          p.entries().forEach(e -> sent.add(e.index()));
        }
      }
      assertEquals(List.of(last + 1, last + 2, last + 3, last + 4, last + 5), sent,
          "each write's prepare went to " + backup + " at once");
    }
    c.settle();
    assertEquals(last + 5, c.replica("n1").committedIndex());
  }

  @Test
  void snapshotChunks_areBoundedByBytes() {
    int writes = 30;
    ReplicaOptions opts = ReplicaOptions.defaults(1, KeyspaceSpec.Acks.ALL)
        .withLogRetainEntries(8);
    ReplicaCluster c = learnerBehind(opts, writes, 100 << 10);
    List<Message.SnapshotChunk> chunks = new ArrayList<>();
    c.now += c.opts.retransmitNanos();
    c.input("n1", new Input.Tick(c.now));
    for (ReplicaCluster.InFlight m : c.network) {
      if (m.to().equals("n3") && m.message() instanceof Message.SnapshotChunk ch) {
        chunks.add(ch);
      }
    }
    assertTrue(chunks.size() > 1, chunks.size() + " chunks for 3 MiB");
    for (Message.SnapshotChunk ch : chunks) {
      long bytes = 0;
      for (KeyValue kv : ch.entries()) {
        bytes += kv.key().length + kv.value().length;
      }
      assertTrue(bytes <= BATCH, "chunk " + ch.chunk() + " holds " + bytes + " bytes");
    }
    c.run(10 * c.opts.beaconNanos());
    assertTrue(c.events.stream().anyMatch(e -> e.startsWith("n3 snapshot-installed")),
        c.events::toString);
    for (int i = 0; i < writes; i++) {
      assertArrayEquals(value(i, 100 << 10), c.machines.get("n3").get(("k" + i).getBytes())
          .value());
    }
  }

  // ---------------------------------------------------------------- helpers

  /**
   * n1 primary, n2 backup; n3 was cut off and removed, {@code writes} values of
   * {@code valueBytes} were committed without it, and it is back as a learner (same epoch: the
   * controller edits only learners). Nothing has been sent to it yet.
   */
  /**
   * A learner {@code writes} puts behind. The log keeps every one of them unless {@code opts}
   * bound it by entries: these tests are about the log tail's bounds, which a byte retention of
   * large values would replace with a snapshot (LogRetentionTest).
   */
  private static ReplicaCluster learnerBehind(ReplicaOptions opts, int writes, int valueBytes) {
    ReplicaCluster c = new ReplicaCluster(opts.withLogRetainBytes(Long.MAX_VALUE), "n1", "n2",
        "n3").started();
    c.cut.add("n3");
    c.run(c.opts.leaseNanos() + 2 * c.opts.beaconNanos());
    assertFalse(c.zk.isReplica("n3"));
    for (int i = 0; i < writes; i++) {
      long id = c.put("n1", "client", i + 1, "k" + i,
          new String(value(i, valueBytes), StandardCharsets.US_ASCII));
      c.settle();
      assertInstanceOf(ClientReply.Written.class, c.replies.get(id));
    }
    c.addLearner("n3");
    c.settle();
    return c;
  }

  /** {@code bytes} bytes, different for each {@code i} (ASCII, so a String round-trips them). */
  private static byte[] value(int i, int bytes) {
    byte[] v = new byte[bytes];
    for (int k = 0; k < bytes; k++) {
      v[k] = (byte) ('a' + (i + k) % 26);
    }
    return v;
  }

  private static boolean caughtUp(ReplicaCluster c) {
    return c.replica("n3").durableIndex() >= c.replica("n1").lastIndex();
  }

  /**
   * Asks the primary to send (ticks at the same instant, as many events do) and takes every
   * prepare it sent the learner off the network, recording what is in flight.
   */
  private static List<Message.ReplicatePrepare> pump(ReplicaCluster c, Seen seen) {
    for (int i = 0; i < 20; i++) {
      c.input("n1", new Input.Tick(c.now));
    }
    List<Message.ReplicatePrepare> taken = new ArrayList<>();
    for (Iterator<ReplicaCluster.InFlight> it = c.network.iterator(); it.hasNext(); ) {
      ReplicaCluster.InFlight m = it.next();
      if (m.from().equals("n1") && m.to().equals("n3")
          && m.message() instanceof Message.ReplicatePrepare p && !p.entries().isEmpty()) {
        it.remove();
        taken.add(p);
        long bytes = 0;
        for (LogEntry e : p.entries()) {
          bytes += e.sizeBytes();
          seen.unacked.put(e.index(), e.sizeBytes());
        }
        seen.prepares++;
        seen.maxPrepareBytes = Math.max(seen.maxPrepareBytes, bytes);
        seen.maxPrepareEntries = Math.max(seen.maxPrepareEntries, p.entries().size());
      }
    }
    seen.maxUnackedBytes = Math.max(seen.maxUnackedBytes, seen.unackedBytes());
    seen.held.addAll(taken);
    return taken;
  }

  /**
   * Hands the learner what {@link #pump} took, makes it durable there, and delivers the
   * learner's acks (and everything else queued) to the primary.
   */
  private static void deliverToLearnerAndAckBack(ReplicaCluster c, Seen seen) {
    for (Message.ReplicatePrepare p : seen.held) {
      c.input("n3", new Input.Received(c.now, "n1", p));
    }
    seen.held.clear();
    c.fsync();
    for (ReplicaCluster.InFlight m : c.network) {
      if (m.from().equals("n3") && m.message() instanceof Message.ReplicateAck a && a.matched()) {
        seen.unacked.headMap(a.durableIndex() + 1).clear();
      }
    }
    c.deliver();
    c.fsync();
  }
}
