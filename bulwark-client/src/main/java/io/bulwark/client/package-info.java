/**
 * The Java client of Bulwark (DESIGN §3 rule 4, §8). {@link io.bulwark.client.BulwarkClient}
 * routes each request to its shard's primary, follows NOT_PRIMARY redirects, retries what is safe
 * to retry under one deadline, and names every write with {@code (clientId, seq)} so that a retry
 * is applied at most once. Package-private classes are its internals: {@code Retrier} (the retry
 * loop), {@code CallState} (one call's outcome), {@code ClusterView} (the routing cache),
 * {@code Channels} (one gRPC channel per node), {@code RequestIds} and {@code Endpoints}.
 */
package io.bulwark.client;
