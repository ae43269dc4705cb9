package io.bulwark.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bulwark.client.BulwarkClient;
import io.bulwark.client.ShardLocation;
import java.time.Duration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code handover SHARD --to NODE [--wait DURATION]}: asks the primary of a shard to hand
 * primaryship over to one of its backups (DESIGN §3 rule 8), the manual twin of what the
 * controller does for a DEGRADED primary. The primary stops taking writes (clients retry them at
 * the target), lets in-flight writes commit, waits until the target holds its whole log, and
 * then moves primaryship; it aborts and keeps serving if the target does not catch up within a
 * lease. With {@code --wait}, polls status until the target is primary (exit 0) or the time is
 * up (exit 1). {@code --json}: {@code {"keyspace","shard","epoch","primary","target","moved"}}.
 */
@Command(
    name = "handover",
    mixinStandardHelpOptions = true,
    description = "Ask a shard's primary to hand over to one of its backups.")
final class HandoverCommand extends ClientCommand {
  /** Between two status polls of --wait. */
  static final Duration POLL = Duration.ofMillis(200);

  @Mixin private KeyspaceOption keyspace;

  @Parameters(index = "0", paramLabel = "SHARD", description = "The shard number.")
  private int shard;

  @Option(names = "--to", paramLabel = "NODE", required = true,
      description = "The backup to become primary.")
  private String target;

  @Option(names = "--wait", paramLabel = "DURATION", converter = Durations.class,
      description = "Wait until NODE is primary, at most this long (e.g. 10s).")
  private Duration wait;

  HandoverCommand(CliEnvironment env) {
    super(env);
  }

  @Override
  protected int run(BulwarkClient client) {
    ShardLocation asked = client.handOver(keyspace.keyspace(), shard, target);
    boolean moved = false;
    if (wait != null) {
      long deadline = System.nanoTime() + wait.toNanos();
      while (!moved && System.nanoTime() < deadline) {
        moved = primaryOf(client).equals(target);
        if (!moved) {
          pause();
        }
      }
    }
    if (json()) {
      ObjectNode o = JsonFormat.object();
      o.put("keyspace", asked.keyspace());
      o.put("shard", asked.shard());
      o.put("epoch", asked.epoch());
      o.put("primary", asked.primary());
      o.put("target", target);
      o.put("moved", moved);
      printJson(o);
    } else {
      env.out().println("handover of " + asked.keyspace() + "/" + asked.shard() + " from "
          + asked.primary() + " to " + target + " requested (epoch " + asked.epoch() + ")"
          + (wait == null ? "" : moved ? "; " + target + " is primary" : "; not moved yet"));
    }
    return wait == null || moved ? ExitCode.OK : ExitCode.FAILED;
  }

  private String primaryOf(BulwarkClient client) {
    for (ShardLocation s : client.status().shards()) {
      if (s.keyspace().equals(keyspace.keyspace()) && s.shard() == shard) {
        return s.primary();
      }
    }
    return "";
  }

  private static void pause() {
    try {
      Thread.sleep(POLL.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CliException(ExitCode.FAILED, "interrupted while waiting for the handover");
    }
  }
}
