package io.bulwark.cli.verify;

import io.bulwark.client.BulwarkClient;
import io.bulwark.client.BulwarkException;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * {@code kill}: SIGKILL, then a restart at heal. Half the strikes (drawn from the seed) kill one
 * node, usually a hot key's primary. The other half are a power loss that one machine outlives
 * briefly: every node but a hot key's primary dies at once, the primary {@value
 * #PRIMARY_OUTLIVES_MS} ms later (less than a lease, so it is still serving); at heal the others
 * restart first and the old primary only once its shard has a new primary (or after {@link
 * #NEW_PRIMARY_WAIT_MS}).
 *
 * <p>That second form tells {@code acks=all} from {@code acks=primary} with nothing but SIGKILL.
 * With {@code acks=primary} the primary goes on acknowledging writes on its own fsync after its
 * backups died; a backup then becomes primary without them, and the old primary truncates them
 * when it rejoins: acknowledged writes are lost. With {@code acks=all} the primary cannot commit
 * anything once its backups are gone, so nothing acknowledged can be lost.
 */
final class KillNemesis implements Nemesis {
  static final long NEW_PRIMARY_WAIT_MS = 60_000;
  /** Less than a lease (300 ms): the primary is still serving when its backups die. */
  static final long PRIMARY_OUTLIVES_MS = 250;
  /** A power loss strikes once the hot key had a write acknowledged this recently... */
  static final long STREAMING_WITHIN_MS = 50;
  /** ...or after waiting this long for one (a starved cluster may acknowledge nothing). */
  static final long STREAMING_WAIT_MS = 10_000;
  static final String ALL = "all";

  private final VerifyCluster cluster;
  private final Targets targets;
  private final BulwarkClient client;
  private final String keyspace;
  private final VerifyWorkload workload;
  private String lastPrimary;
  private String lastKey;

  KillNemesis(VerifyCluster cluster, Targets targets, BulwarkClient client, String keyspace,
      VerifyWorkload workload) {
    this.cluster = cluster;
    this.targets = targets;
    this.client = client;
    this.keyspace = keyspace;
    this.workload = workload;
  }

  @Override
  public String kind() {
    return "kill";
  }

  @Override
  public Fault inject(SplittableRandom random) throws Exception {
    Targets.Choice c = targets.pick(random);
    if (random.nextBoolean()) {
      cluster.kill(c.node());
      return new Fault(kind(), c.node(), "SIGKILL, " + c.why());
    }
    String streamingKey = awaitStreamingWrites();
    lastKey = streamingKey != null ? streamingKey : targets.hotKey(random);
    boolean streaming = streamingKey != null;
    lastPrimary = primaryOf(lastKey);
    long at = cluster.killAll(lastPrimary, PRIMARY_OUTLIVES_MS);
    return new Fault(kind(), ALL, "SIGKILL to every node, " + lastKey + "'s primary "
        + lastPrimary + " " + PRIMARY_OUTLIVES_MS + " ms after the others; it restarts last"
        + (streaming ? "" : " (no write to " + lastKey + " was being acknowledged)"), at);
  }

  /**
   * Waits (bounded) until one of the workload's keys just had a write acknowledged, and returns
   * it; null if none did.
   */
  private String awaitStreamingWrites() throws InterruptedException {
    long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(STREAMING_WAIT_MS);
    long within = TimeUnit.MILLISECONDS.toNanos(STREAMING_WITHIN_MS);
    while (System.nanoTime() - end < 0) {
      for (String key : workload.keys()) {
        long last = workload.lastWriteAckNanos(key);
        if (last != Long.MIN_VALUE && System.nanoTime() - last <= within) {
          return key;
        }
      }
      Thread.sleep(5);
    }
    return null;
  }

  @Override
  public void heal(Fault fault) throws Exception {
    if (!fault.target().equals(ALL)) {
      cluster.revive(fault.target());
      return;
    }
    for (String id : cluster.nodeIds()) {
      if (!id.equals(lastPrimary)) {
        cluster.revive(id);
      }
    }
    if (lastPrimary == null) {
      return;
    }
    long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(NEW_PRIMARY_WAIT_MS);
    while (System.nanoTime() - end < 0) {
      String now = primaryOf(lastKey);
      if (now != null && !now.equals(lastPrimary)) {
        break;
      }
      Thread.sleep(100);
    }
    cluster.revive(lastPrimary);
  }

  /** The key's primary as the cluster reports it now (a status call, not the client's cache). */
  private String primaryOf(String key) {
    try {
      int shard = client.locate(keyspace, key.getBytes(StandardCharsets.UTF_8)).shard();
      return client.status().shards().stream()
          .filter(s -> s.keyspace().equals(keyspace) && s.shard() == shard)
          .map(s -> s.primary()).findFirst().orElse(null);
    } catch (BulwarkException e) {
      return null;
    }
  }
}
