package io.bulwark.cli.verify;

import io.bulwark.check.Model;
import io.bulwark.check.history.HistoryWriter;
import io.bulwark.check.history.Op;
import io.bulwark.check.history.OpFunction;
import io.bulwark.check.history.OpType;
import io.bulwark.check.history.OpValue;
import io.bulwark.client.BulwarkClient;
import io.bulwark.client.BulwarkException;
import io.bulwark.client.VersionedValue;
import io.bulwark.client.WriteResult;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;

/**
 * Registers under contention: clients in groups of {@value #GROUP_SIZE_MAX} (at most) share
 * {@value #KEYS_PER_GROUP} keys, and each client runs reads, writes and compare-and-sets on its
 * group's keys (40 / 40 / 20 %), paced to {@code opsPerSecond} in total. Every value written is
 * unique ({@code c<client>-<n>}), so a read names the write it saw. A CAS expects the value the
 * client last saw on that key. Outcomes follow DESIGN §9: a definite error is {@code fail} (a CAS
 * whose comparison did not hold is one), an unknown outcome {@code info}, after which the client
 * goes on as a new process; a failed read is {@code fail} (it changed nothing).
 */
final class RegisterVerifyWorkload extends VerifyWorkload {
  static final int GROUP_SIZE_MAX = 5;
  static final int KEYS_PER_GROUP = 3;

  private final BulwarkClient client;
  private final String keyspace;
  private final int clientCount;
  private final long seed;

  RegisterVerifyWorkload(BulwarkClient client, String keyspace, int clients, int opsPerSecond,
      HistoryWriter history, long seed) {
    super(history, "verify-client-", clients, opsPerSecond);
    this.client = client;
    this.keyspace = keyspace;
    this.clientCount = clients;
    this.seed = seed;
  }

  @Override
  String name() {
    return "register";
  }

  @Override
  Model model() {
    return Model.REGISTER;
  }

  static int groups(int clients) {
    return (clients + GROUP_SIZE_MAX - 1) / GROUP_SIZE_MAX;
  }

  static String key(int group, int k) {
    return "g" + group + "-k" + k;
  }

  @Override
  List<String> keys() {
    List<String> keys = new ArrayList<>();
    for (int g = 0; g < groups(clientCount); g++) {
      for (int k = 0; k < KEYS_PER_GROUP; k++) {
        keys.add(key(g, k));
      }
    }
    return keys;
  }

  @Override
  void start() {
    clients.start(c -> new Client(c, new SplittableRandom(seed * 1_000_003L + c)));
  }

  /** One client: its process, and the value it last saw on each key (what its CAS expects). */
  private final class Client implements Runnable {
    private final int id;
    private final int group;
    private final SplittableRandom random;
    private final Map<String, String> lastSeen = new HashMap<>();
    private long process = recorder.newProcess();
    private long counter;

    Client(int id, SplittableRandom random) {
      this.id = id;
      this.group = id % groups(clientCount);
      this.random = random;
    }

    /** One operation. */
    @Override
    public void run() {
      String key = key(group, random.nextInt(KEYS_PER_GROUP));
      int dice = random.nextInt(100);
      OpType outcome;
      if (dice < 40) {
        outcome = read(process, key, lastSeen);
      } else if (dice < 80) {
        outcome = write(process, key, "c" + id + "-" + counter++, lastSeen);
      } else {
        outcome = cas(process, key, lastSeen.get(key), "c" + id + "-" + counter++, lastSeen);
      }
      if (outcome == OpType.INFO) {
        process = recorder.newProcess();
        lastSeen.clear();
      }
    }
  }

  private OpType read(long process, String key, Map<String, String> lastSeen) {
    Op invoke = recorder.invoke(process, OpFunction.READ, key, new OpValue.Scalar(null));
    try {
      Optional<VersionedValue> v = client.get(keyspace, bytes(key));
      String read = v.map(x -> new String(x.value(), StandardCharsets.UTF_8)).orElse(null);
      recorder.complete(invoke, OpType.OK, new OpValue.Scalar(read));
      lastSeen.put(key, read);
      return OpType.OK;
    } catch (BulwarkException e) {
      recorder.countError(e);
      recorder.complete(invoke, OpType.FAIL);
      return OpType.FAIL;
    }
  }

  private OpType write(long process, String key, String value, Map<String, String> lastSeen) {
    Op invoke = recorder.invoke(process, OpFunction.WRITE, key, new OpValue.Scalar(value));
    OpType outcome;
    try {
      client.put(keyspace, bytes(key), bytes(value));
      outcome = OpType.OK;
      lastSeen.put(key, value);
    } catch (BulwarkException e) {
      recorder.countError(e);
      outcome = e.definite() ? OpType.FAIL : OpType.INFO;
    }
    completeWrite(invoke, outcome);
    return outcome;
  }

  private OpType cas(long process, String key, String expected, String value,
      Map<String, String> lastSeen) {
    Op invoke = recorder.invoke(process, OpFunction.CAS, key, new OpValue.Cas(expected, value));
    OpType outcome;
    try {
      WriteResult r = client.compareAndSet(keyspace, bytes(key),
          expected == null ? null : bytes(expected), bytes(value));
      outcome = r.applied() ? OpType.OK : OpType.FAIL;
      if (r.applied()) {
        lastSeen.put(key, value);
      } else {
        lastSeen.put(key, r.currentValue() == null ? null
            : new String(r.currentValue(), StandardCharsets.UTF_8));
      }
    } catch (BulwarkException e) {
      recorder.countError(e);
      outcome = e.definite() ? OpType.FAIL : OpType.INFO;
    }
    completeWrite(invoke, outcome);
    return outcome;
  }

  /** Records the completion of a write or cas and, if it took effect, when it was acknowledged. */
  private void completeWrite(Op invoke, OpType outcome) {
    Op done = recorder.complete(invoke, outcome);
    if (outcome == OpType.OK) {
      recorder.writeAcked(invoke.key(), done.timeNanos());
    }
  }

  @Override
  List<String> finalReads(Duration deadline) throws InterruptedException {
    long end = System.nanoTime() + deadline.toNanos();
    List<String> unread = new ArrayList<>();
    for (String key : keys()) {
      boolean done = false;
      while (!done && System.nanoTime() - end < 0) {
        done = read(recorder.newProcess(), key, new HashMap<>()) == OpType.OK;
        if (!done) {
          Thread.sleep(100);
        }
      }
      if (!done) {
        unread.add(key);
      }
    }
    return unread;
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
