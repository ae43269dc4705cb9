package io.bulwark.sim;

import io.bulwark.check.history.Op;
import io.bulwark.check.history.OpFunction;
import io.bulwark.check.history.OpType;
import io.bulwark.check.history.OpValue;
import io.bulwark.core.common.ShardId;
import io.bulwark.core.pb.ClientReply;
import io.bulwark.core.pb.Command;
import io.bulwark.core.pb.Input;
import io.bulwark.core.pb.Outcome;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * One client, doing what bulwark-client does: send each request to the node it believes is the
 * shard's primary, follow {@code primaryHint}s, and retry elsewhere with jittered exponential
 * backoff until the operation's deadline. Writes carry {@code (clientId, seq)} and every retry
 * reuses them (DESIGN §3.4), so a write applies at most once however often it is sent.
 *
 * <p>What it records (DESIGN §9): {@code ok} when it happened; {@code fail} when it certainly
 * did not — a read that never got an answer, a CAS whose expectation did not hold, or a write
 * every attempt of which was refused before append; {@code info} when a write may have been
 * appended ({@code Indeterminate}, or an attempt that got no reply) and no later attempt
 * learnt its fate. After an info the client continues as a new process.
 */
final class SimClient extends SimClientBase<SimClient.Workload> {
  /** The next operation a workload wants from a client. */
  record Request(OpFunction f, String key, OpValue value) {}

  /** Where a client gets its operations and reports their outcomes. */
  interface Workload {
    /** The next operation for this client, or null to stay idle for now. */
    Request next(SimClient client);

    /** The operation ended; {@code value} is the completion's (the value read, for a read). */
    void completed(SimClient client, Request request, OpType outcome, OpValue value);
  }

  private static final long BACKOFF_BASE_NANOS = 2 * SimTime.MS;
  private static final long BACKOFF_MAX_NANOS = 200 * SimTime.MS;

  /** The operation in flight. */
  private static final class Current {
    final Request request;
    final Op invoke;
    final ShardId shard;
    final Command command;
    final long deadlineNanos;
    boolean maybeApplied;
    int retries;
    /** The node that gave the final answer, for the trace. */
    String answeredBy = "-";

    Current(Request request, Op invoke, ShardId shard, Command command, long deadlineNanos) {
      this.request = request;
      this.invoke = invoke;
      this.shard = shard;
      this.command = command;
      this.deadlineNanos = deadlineNanos;
    }
  }

  private final Map<ShardId, String> primaryGuess = new HashMap<>();
  private long seq;
  private Current current;

  SimClient(String clientId, SimScheduler scheduler, SplittableRandom random, SimKnobs knobs,
      SimNetwork network, List<SimNode> nodes, SimHistory history, SimTrace trace,
      SimKeys keys) {
    super(clientId, scheduler, random, knobs, network, nodes, history, trace, keys);
  }

  @Override
  boolean isBusy() {
    return current != null;
  }

  @Override
  boolean startNext() {
    Request next = workload.next(this);
    if (next == null) {
      return false;
    }
    invoke(next);
    return true;
  }

  private void invoke(Request r) {
    long now = scheduler.nowNanos();
    Op invoke = new Op(process, OpType.INVOKE, r.f(), r.key(), r.value(), now);
    history.append(invoke);
    Command command = null;
    if (r.f() != OpFunction.READ) {
      seq++;
      // Every earlier seq of this client is finished: none will be retried (Command Javadoc).
      command = new Command(clientId, seq, seq, keys.op(r));
    }
    current = new Current(r, invoke, keys.shardOf(r.key()), command,
        now + knobs.clientOpDeadlineNanos);
    send();
  }

  private void send() {
    Current c = current;
    if (scheduler.nowNanos() >= c.deadlineNanos) {
      finish(c.command != null && c.maybeApplied ? OpType.INFO : OpType.FAIL, null);
      return;
    }
    int a = ++attempt;
    SimNode target = target(c.shard);
    byte[] key = keys.bytes(c.request.key());
    SimNode.RequestFactory make = c.command == null
        ? (id, now) -> new Input.ClientRead(now, id, key)
        : (id, now) -> new Input.ClientWrite(now, id, c.command);
    network.rpc(() -> target.request(c.shard, c.command != null, make,
        reply -> network.rpc(() -> onReply(a, target.id(), reply))));
    scheduler.after(knobs.clientAttemptTimeoutNanos, () -> onTimeout(a));
  }

  private SimNode target(ShardId shard) {
    String guess = primaryGuess.get(shard);
    if (guess != null) {
      for (SimNode n : nodes) {
        if (n.id().equals(guess)) {
          return n;
        }
      }
    }
    return nodes.get(random.nextInt(nodes.size()));
  }

  private void onReply(int a, String from, ClientReply reply) {
    if (a != attempt || current == null) {
      return; // A late answer to an attempt already given up on.
    }
    attempt++;
    Current c = current;
    c.answeredBy = from;
    if (reply instanceof ClientReply.Written w) {
      Outcome o = w.outcome();
      primaryGuess.put(c.shard, from);
      finish(c.request.f() == OpFunction.CAS && !o.applied() ? OpType.FAIL : OpType.OK, null);
    } else if (reply instanceof ClientReply.ReadValue rv) {
      primaryGuess.put(c.shard, from);
      String v = rv.value() == null ? null : new String(rv.value().value(), StandardCharsets.UTF_8);
      finish(OpType.OK, new OpValue.Scalar(v));
    } else if (reply instanceof ClientReply.Refused r) {
      if (r.refusal() == ClientReply.Refusal.NOT_PRIMARY) {
        if (r.primaryHint() != null) {
          primaryGuess.put(c.shard, r.primaryHint());
        } else {
          primaryGuess.remove(c.shard);
        }
      }
      retry();
    } else if (reply instanceof ClientReply.Indeterminate) {
      c.maybeApplied = true;
      retry();
    } else {
      throw new SimFailure("unexpected reply " + reply);
    }
  }

  private void onTimeout(int a) {
    if (a != attempt || current == null) {
      return;
    }
    attempt++;
    if (current.command != null) {
      current.maybeApplied = true; // The request may have been appended; its reply lost.
    }
    primaryGuess.remove(current.shard);
    retry();
  }

  private void retry() {
    Current c = current;
    long backoff = Math.min(BACKOFF_MAX_NANOS, BACKOFF_BASE_NANOS << Math.min(c.retries, 10));
    c.retries++;
    scheduler.after(backoff / 2 + random.nextLong(backoff / 2 + 1), () -> {
      if (current == c) {
        send();
      }
    });
  }

  private void finish(OpType type, OpValue readValue) {
    Current c = current;
    current = null;
    OpValue value = readValue != null ? readValue : c.invoke.value();
    history.append(c.invoke.complete(type, value, scheduler.nowNanos()));
    trace.record(clientId + "/p" + process, "client:" + c.request.f().jsonName() + ":"
        + type.jsonName(), c.request.key() + " " + value + " via " + c.answeredBy + " invoked "
        + SimTime.format(c.invoke.timeNanos()));
    if (type == OpType.INFO) {
      process = history.newProcess();
    }
    workload.completed(this, c.request, type, value);
    wake(think());
  }
}
