/**
 * Failure detection and node health (DESIGN §6) as pure decisions: no clock, thread or I/O.
 * Time comes in as monotonic nanoseconds and measurements as plain values, so the server, the
 * simulator and unit tests drive the same code.
 * <ul>
 *   <li>{@link io.bulwark.core.detect.PhiAccrualDetector}: heartbeat arrival times of one peer
 *       -> suspicion level phi.
 *   <li>{@link io.bulwark.core.detect.Liveness}: membership (ZooKeeper) and suspicion (phi)
 *       combined into "is this node gone?".
 *   <li>{@link io.bulwark.core.detect.HealthPolicy}: resource samples -> HEALTHY / DEGRADED /
 *       FAILED with a reason, with hysteresis.
 *   <li>{@link io.bulwark.core.detect.LatencyHistogram}: a bounded latency summary (fsync p99).
 * </ul>
 */
package io.bulwark.core.detect;
