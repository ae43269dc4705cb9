package io.bulwark.client;

import java.time.Duration;
import java.util.Objects;

/**
 * Time limits of a {@link BulwarkClient}. Immutable and thread-safe.
 *
 * @param requestTimeout the overall deadline of one client call, including every retry, view
 *     refresh and keyspace lookup it makes; when it passes the call throws
 *     {@link BulwarkException}. Default 10 s.
 * @param rpcTimeout the gRPC deadline of one attempt (capped by what is left of
 *     {@code requestTimeout}); also the TCP connect timeout. Default 2 s.
 * @param backoffMin the least pause between two attempts. Must be positive: retrying without a
 *     pause would hammer a node that is failing over. Default 10 ms.
 * @param backoffMax the longest pause between two attempts. Pauses grow exponentially from
 *     {@code backoffMin} up to this, each drawn uniformly (full jitter). Default 250 ms: a
 *     failover takes well under a second, and a longer pause would add to what clients see.
 */
public record ClientOptions(
    Duration requestTimeout, Duration rpcTimeout, Duration backoffMin, Duration backoffMax) {

  public ClientOptions {
    Objects.requireNonNull(requestTimeout, "requestTimeout");
    Objects.requireNonNull(rpcTimeout, "rpcTimeout");
    Objects.requireNonNull(backoffMin, "backoffMin");
    Objects.requireNonNull(backoffMax, "backoffMax");
    requirePositive("requestTimeout", requestTimeout);
    requirePositive("rpcTimeout", rpcTimeout);
    requirePositive("backoffMin", backoffMin);
    if (backoffMax.compareTo(backoffMin) < 0) {
      throw new IllegalArgumentException(
          "backoffMax (" + backoffMax + ") must not be below backoffMin (" + backoffMin + ")");
    }
  }

  /** 10 s per call, 2 s per attempt, pauses between 10 ms and 500 ms. */
  public static ClientOptions defaults() {
    return new ClientOptions(
        Duration.ofSeconds(10), Duration.ofSeconds(2), Duration.ofMillis(10), Duration.ofMillis(250));
  }

  public ClientOptions withRequestTimeout(Duration d) {
    return new ClientOptions(d, rpcTimeout, backoffMin, backoffMax);
  }

  public ClientOptions withRpcTimeout(Duration d) {
    return new ClientOptions(requestTimeout, d, backoffMin, backoffMax);
  }

  public ClientOptions withBackoff(Duration min, Duration max) {
    return new ClientOptions(requestTimeout, rpcTimeout, min, max);
  }

  private static void requirePositive(String name, Duration d) {
    if (d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(name + " must be positive, was " + d);
    }
  }
}
