package io.bulwark.jmh;

import io.bulwark.core.common.Invariants;
import io.bulwark.core.common.KeyspaceSpec;
import io.bulwark.core.pb.ClientReply;
import io.bulwark.core.pb.Command;
import io.bulwark.core.pb.Input;
import io.bulwark.core.pb.Op;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The CPU cost of one write in the PacificA core, with no disk, network or thread in the way:
 * a primary and two backups (RF 3, acks all, min-insync 2) in one thread, one 100-byte put at a
 * time, each taken from the client request to the primary's reply.
 *
 * <p>One operation is the eight inputs a commit needs (DESIGN §3, ARCHITECTURE "The path of a
 * write"): {@code ClientWrite} at the primary, which emits {@code AppendLog} and a
 * {@code ReplicatePrepare} per backup; {@code LogDurable} at the primary; each backup's
 * {@code Received(ReplicatePrepare)}, its {@code LogDurable} and the primary's
 * {@code Received(ReplicateAck)}, the second of which commits, applies (to
 * {@code MemoryShardStateMachine}) and produces the {@code Reply}. The backups apply the entry
 * when the next prepare carries its commit, so a steady run pays for that too. Today the core
 * also has each backup ack every prepare on receipt, which makes ten inputs (see
 * {@code INPUTS_PER_WRITE_TODAY}); the teardown checks the count is one of the two.
 *
 * <p>Why it matters: the runtime drives every replica of a node from one thread (ARCHITECTURE,
 * "Threads in a node"), so the inverse of this figure, times three replicas per write spread
 * over the nodes, bounds the writes per second a node's replica thread can commit before disk
 * and network are counted. It should be far above the fsync and round-trip rates.
 *
 * <p>The fake clock stays put during the measurement: a commit needs no tick, and a fixed clock
 * keeps the primary inside the lease its backups granted at start, with no beacon or
 * retransmission to interleave. Keys cycle over a fixed set and each write promises its
 * predecessor was acked ({@code firstUnackedSeq}), so applied state, dedup rows and (through
 * the core's own trims) the in-memory log stay bounded however long JMH runs.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@State(Scope.Thread)
public class CommitPathBenchmark {
  private static final String PRIMARY = "n1";
  private static final int KEYS = 1_024;
  private static final int VALUE_BYTES = 100;
  private static final long START_NANOS = 1_000_000_000L;
  /**
   * The path DESIGN §3.2 describes: ClientWrite, 3 LogDurable, 2 Received(ReplicatePrepare),
   * 2 Received(ReplicateAck).
   */
  private static final long INPUTS_PER_WRITE_DESIGNED = 8;
  /**
   * The path the core takes today: each backup also acks a prepare on receipt, before its
   * LogDurable (an ack that vouches only for its old durable index), because
   * ShardReplica.onReplicatePrepare tests {@code appended.isEmpty()} after flushAppended has
   * emptied it. Two more primary inputs per write, counted in this benchmark's figure.
   */
  private static final long INPUTS_PER_WRITE_TODAY = 10;

  private HandDrivenShard shard;
  private byte[][] keys;
  private byte[] value;
  private long seq;
  private long requestId;
  private long inputsAtStart;

  @Setup
  public void setUp() {
    shard = new HandDrivenShard(START_NANOS, 2, KeyspaceSpec.Acks.ALL, PRIMARY, "n2", "n3")
        .start();
    keys = new byte[KEYS][];
    for (int i = 0; i < KEYS; i++) {
      keys[i] = ("key-" + i).getBytes(StandardCharsets.UTF_8);
    }
    value = new byte[VALUE_BYTES];
    Arrays.fill(value, (byte) 'v');
    seq = 0;
    requestId = 0;
    inputsAtStart = shard.inputsHandled;
  }

  /**
   * Fails the run if the writes took another path than the one described here (a beacon,
   * retransmission or refusal mixed in), so that the figure keeps its meaning.
   */
  @TearDown
  public void checkPath() {
    long inputs = shard.inputsHandled - inputsAtStart;
    boolean designed = inputs == seq * INPUTS_PER_WRITE_DESIGNED;
    boolean today = inputs == seq * INPUTS_PER_WRITE_TODAY;
    Invariants.check(designed || today, "%s writes took %s inputs, not %s or %s each", seq,
        inputs, INPUTS_PER_WRITE_DESIGNED, INPUTS_PER_WRITE_TODAY);
  }

  @Benchmark
  public void commitOnePut(Blackhole bh) {
    seq++;
    Command cmd = new Command("bench-client", seq, seq,
        new Op.Put(keys[(int) (seq % KEYS)], value));
    List<ClientReply> replies =
        shard.run(PRIMARY, new Input.ClientWrite(shard.nowNanos, ++requestId, cmd));
    // Exactly one reply, and a written one: a refusal would measure the wrong path.
    Invariants.check(replies.size() == 1, "write %s got %s replies", seq, replies.size());
    Invariants.check(replies.get(0) instanceof ClientReply.Written, "write %s got %s", seq,
        replies.get(0));
    bh.consume(replies.get(0));
  }
}
