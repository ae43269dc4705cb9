package io.bulwark.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bulwark.core.common.ShardId;
import io.bulwark.core.pb.Command;
import io.bulwark.core.pb.Effect;
import io.bulwark.core.pb.LogEntry;
import io.bulwark.core.pb.ShardStateMachine.Snapshot;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Goal: SimDisk promises exactly what fsync promises. Method: queue log effects by hand, run
 * the scheduler, crash at chosen moments, and compare what is reported durable with what a
 * restart recovers.
 */
class SimDiskTest {
  private static final ShardId SHARD = new ShardId("sim", 0);

  private final SimScheduler scheduler = new SimScheduler(10_000);
  private final SimKnobs knobs = new SimKnobs(new SplittableRandom(1));
  private final SimTrace trace = new SimTrace(scheduler, null);
  private final List<Long> reported = new ArrayList<>();

  private SimDisk disk(boolean durableEarly) {
    SimDisk d = new SimDisk("n1", scheduler, new SplittableRandom(2), knobs, trace, durableEarly);
    d.attach((shard, index, epoch) -> reported.add(index));
    return d;
  }

  private static Effect.AppendLog append(long from, long to) {
    List<LogEntry> entries = new ArrayList<>();
    for (long i = from; i <= to; i++) {
      entries.add(new LogEntry(1, i, Command.noop()));
    }
    return new Effect.AppendLog(entries);
  }

  private void runFor(long nanos) {
    scheduler.runUntil(scheduler.nowNanos() + nanos, () -> false);
  }

  @Test
  void appendIsReportedDurableOnlyAfterItsFsync_andACrashLosesWhatWasNot() {
    SimDisk d = disk(false);
    d.submit(SHARD, append(1, 2), null);
    assertTrue(reported.isEmpty(), "nothing is durable before the fsync completes");
    runFor(SimTime.SECOND);
    assertEquals(List.of(2L), reported);
    d.submit(SHARD, append(3, 3), null);
    d.crash();
    runFor(SimTime.SECOND);
    assertEquals(List.of(2L), reported, "the crashed process hears nothing");
    assertEquals(2, d.recover(SHARD).entries().size(), "entry 3 was never fsynced");
  }

  @Test
  void writesQueuedDuringAnFsyncShareTheNextOne_inOrder() {
    SimDisk d = disk(false);
    d.submit(SHARD, append(1, 1), null);
    d.submit(SHARD, append(2, 2), null);
    d.submit(SHARD, new Effect.TruncateLog(1), null);
    d.submit(SHARD, append(2, 3), null);
    runFor(SimTime.SECOND);
    SimDisk.Recovered r = d.recover(SHARD);
    assertEquals(3, r.entries().size());
    assertEquals(3L, reported.get(reported.size() - 1));
  }

  @Test
  void trimMakesItsCheckpointTheRecoveryPoint_andAnInstallIsDurableAtOnce() {
    SimDisk d = disk(false);
    d.submit(SHARD, append(1, 5), null);
    Snapshot atThree = new Snapshot(3, 1, List.of(), List.of());
    d.submit(SHARD, new Effect.TrimLog(4, 1), atThree);
    assertNull(d.recover(SHARD).checkpoint(), "the trim is not durable yet");
    runFor(SimTime.SECOND);
    SimDisk.Recovered r = d.recover(SHARD);
    assertEquals(atThree, r.checkpoint());
    assertEquals(3, r.baseIndex());
    assertEquals(4, r.entries().get(0).index());
    Snapshot installed = new Snapshot(9, 2, List.of(), List.of());
    d.checkpointNow(SHARD, installed);
    d.crash();
    assertEquals(installed, d.recover(SHARD).checkpoint());
  }

  @Test
  void diskEarlyDurableVariant_reportsBeforeTheFsync_andLosesTheEntryOnACrash() {
    SimDisk d = disk(true);
    d.submit(SHARD, append(1, 1), null);
    runFor(0);
    assertEquals(List.of(1L), reported, "reported at once: the lie this variant tells");
    d.crash();
    runFor(SimTime.SECOND);
    assertTrue(d.recover(SHARD).entries().isEmpty());
  }
}
