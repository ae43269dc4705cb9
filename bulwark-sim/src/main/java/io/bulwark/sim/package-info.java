/**
 * Deterministic simulation of Bulwark's primary-backup replication (DESIGN §1, §3; STYLE §6).
 *
 * <p>The very same {@link io.bulwark.core.pb.ShardReplica} cores that the server runs are driven
 * here on one thread by a discrete-event scheduler ({@link io.bulwark.sim.SimScheduler}), with a
 * simulated network ({@link io.bulwark.sim.SimNetwork}, every message round-tripped through
 * {@link io.bulwark.proto.Codec}), per-node disks ({@link io.bulwark.sim.SimDisk}), a simulated
 * ZooKeeper ({@link io.bulwark.sim.SimCoord}) and drifting per-node clocks
 * ({@link io.bulwark.sim.SimClock}). Everything random derives from one seed, so a failing seed
 * replays bit for bit: {@code SimMain --seed S}.
 *
 * <p>A run ({@link io.bulwark.sim.SimRun}) has three phases: faults while clients write and read
 * (safety, judged by registered {@link io.bulwark.sim.Invariant}s after every event); heal and
 * require every client to complete a write within a bound (liveness); then read every key and
 * judge the whole DESIGN §9 history with {@link io.bulwark.check.Checker} plus a durability and a
 * convergence check. Only the environment is simulated: the cores are never mocked.
 */
package io.bulwark.sim;
