package io.bulwark.bench;

/**
 * The parameters of one measured run, the same for every system of a bench invocation.
 *
 * @param workload what each operation is
 * @param clients closed-loop client threads (each waits for its answer before the next request)
 * @param warmupSeconds seconds of load before measuring (JIT, connections, caches), not recorded
 * @param durationSeconds seconds measured
 * @param keys the key space: keys {@code 0..keys-1}, all preloaded before the run
 * @param valueSizeBytes the size of every value written
 * @param seed seeds each client's key choice (client i uses {@code seed + i})
 */
public record BenchConfig(Workload workload, int clients, int warmupSeconds, int durationSeconds,
    int keys, int valueSizeBytes, long seed) {
  public static final int CLIENTS_MAX = 1024;
  public static final int DURATION_SECONDS_MAX = 3600;
  public static final int KEYS_MAX = 1_000_000;
  /** Bulwark's value limit is larger; 1 MiB keeps etcd's default request limit (1.5 MiB) out of it. */
  public static final int VALUE_SIZE_BYTES_MAX = 1 << 20;

  /** The first thing wrong with these parameters, or null if they are valid. */
  public String problem() {
    if (workload == null) {
      return "no workload given";
    }
    if (clients < 1 || clients > CLIENTS_MAX) {
      return "--clients must be 1.." + CLIENTS_MAX + ", was " + clients;
    }
    if (warmupSeconds < 0 || warmupSeconds > DURATION_SECONDS_MAX) {
      return "--warmup must be 0.." + DURATION_SECONDS_MAX + " seconds, was " + warmupSeconds;
    }
    if (durationSeconds < 1 || durationSeconds > DURATION_SECONDS_MAX) {
      return "--duration must be 1.." + DURATION_SECONDS_MAX + " seconds, was " + durationSeconds;
    }
    if (keys < 1 || keys > KEYS_MAX) {
      return "--keys must be 1.." + KEYS_MAX + ", was " + keys;
    }
    if (workload == Workload.TXN && keys < 2) {
      return "--workload txn writes two distinct keys: --keys must be at least 2, was " + keys;
    }
    if (valueSizeBytes < 1 || valueSizeBytes > VALUE_SIZE_BYTES_MAX) {
      return "--value-size must be 1.." + VALUE_SIZE_BYTES_MAX + " bytes, was " + valueSizeBytes;
    }
    return null;
  }
}
