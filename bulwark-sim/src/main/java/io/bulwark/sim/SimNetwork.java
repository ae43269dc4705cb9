package io.bulwark.sim;

import com.google.protobuf.InvalidProtocolBufferException;
import io.bulwark.core.pb.Message;
import io.bulwark.proto.Codec;
import io.bulwark.proto.v1.PeerEnvelope;
import java.util.Arrays;
import java.util.Collection;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * The network between nodes (peer.proto) and between clients and nodes. It assumes nothing
 * the design does not (STYLE P2): every message gets its own delay, so messages reorder; some
 * are dropped, duplicated, or delayed for long (a clogged link); and links can be cut, in one
 * direction or both, until healed. A message is lost if its link is cut when it is sent or when
 * it would arrive, and when its receiver crashed in between (a new process has new connections).
 *
 * <p>Every peer message travels as bytes: {@link Codec#toProto} then {@link Codec#fromProto},
 * and the decoded message must encode to the same bytes again, so a lossy codec fails the run.
 */
final class SimNetwork {
  private final SimScheduler scheduler;
  private final SplittableRandom random;
  private final SimKnobs knobs;
  private final SimTrace trace;
  private final Function<String, SimNode> nodes;
  /** Cut directed links, as {@code "from>to"}. */
  private final TreeSet<String> cut = new TreeSet<>();
  private boolean healthy;

  SimNetwork(SimScheduler scheduler, SplittableRandom random, SimKnobs knobs, SimTrace trace,
      Function<String, SimNode> nodes) {
    this.scheduler = scheduler;
    this.random = random;
    this.knobs = knobs;
    this.trace = trace;
    this.nodes = nodes;
  }

  /** Sends a peer message; delivery, if any, calls the receiver's {@link SimNode#receive}. */
  void send(String from, String to, Message message) {
    trace.count("net:sent");
    if (isCut(from, to) || (!healthy && random.nextDouble() < knobs.netDropRate)) {
      trace.count("net:dropped");
      return;
    }
    byte[] wire = encode(message);
    SimNode receiver = nodes.apply(to);
    int incarnation = receiver.incarnation();
    int copies = !healthy && random.nextDouble() < knobs.netDuplicateRate ? 2 : 1;
    for (int i = 0; i < copies; i++) {
      scheduler.after(delayNanos(), () -> {
        if (isCut(from, to) || receiver.incarnation() != incarnation) {
          trace.count("net:dropped");
          return;
        }
        receiver.receive(from, decode(wire));
      });
    }
  }

  /**
   * Carries a client request or reply: same delays and drops as peer messages, but clients are
   * never partitioned (they reach every node; the nodes may not reach each other).
   */
  void rpc(Runnable delivery) {
    if (!healthy && random.nextDouble() < knobs.netDropRate) {
      return;
    }
    scheduler.after(delayNanos(), delivery);
  }

  /**
   * Carries a call between two nodes (a coordinator's request to a shard primary, or its
   * answer): peer-message delays and drops, and partitions apply.
   */
  void call(String from, String to, Runnable delivery) {
    if (isCut(from, to) || (!healthy && random.nextDouble() < knobs.netDropRate)) {
      trace.count("net:dropped");
      return;
    }
    scheduler.after(delayNanos(), () -> {
      if (!isCut(from, to)) {
        delivery.run();
      }
    });
  }

  private long delayNanos() {
    if (!healthy && random.nextDouble() < knobs.netLongDelayRate) {
      return knobs.netDelayMaxNanos + random.nextLong(knobs.netLongDelayMaxNanos);
    }
    return knobs.netDelayMinNanos
        + random.nextLong(knobs.netDelayMaxNanos - knobs.netDelayMinNanos + 1);
  }

  boolean isCut(String from, String to) {
    return cut.contains(from + ">" + to);
  }

  /** Cuts every link between {@code side} and the other nodes; one way only if asked. */
  void partition(Collection<String> side, Collection<String> others,
      boolean oneWay) {
    for (String a : side) {
      for (String b : others) {
        cut.add(a + ">" + b);
        if (!oneWay) {
          cut.add(b + ">" + a);
        }
      }
    }
  }

  void healPartitions() {
    cut.clear();
  }

  /** From now on: no drops, duplicates or long delays (the liveness phase). */
  void heal() {
    healPartitions();
    healthy = true;
  }

  /** The cut links, for traces. */
  String describeCuts() {
    Map<String, TreeSet<String>> byFrom = new TreeMap<>();
    for (String link : cut) {
      String[] p = link.split(">");
      byFrom.computeIfAbsent(p[0], k -> new TreeSet<>()).add(p[1]);
    }
    return byFrom.toString();
  }

  private static byte[] encode(Message message) {
    PeerEnvelope env = Codec.toProto(message);
    byte[] wire = env.toByteArray();
    byte[] again = Codec.toProto(decode(wire)).toByteArray();
    if (!Arrays.equals(wire, again)) {
      throw new SimFailure("Codec round trip changed a message: " + message);
    }
    return wire;
  }

  private static Message decode(byte[] wire) {
    try {
      return Codec.fromProto(PeerEnvelope.parseFrom(wire));
    } catch (InvalidProtocolBufferException e) {
      throw new SimFailure("undecodable peer message: " + e.getMessage());
    }
  }
}
