/**
 * The bench engine behind {@code bin/bulwark bench} (issue 7): closed-loop load against one
 * {@link io.bulwark.bench.Target} at a time, latencies in HdrHistogram, and the peers (etcd,
 * ZooKeeper) that the bench starts on loopback itself so that every system is measured on the
 * same machine, in the same run, with the same durability (fsync on commit, 3 replicas).
 *
 * <p>Reading order: {@link io.bulwark.bench.Target} (what a system must offer), {@link
 * io.bulwark.bench.ClosedLoopRunner} (one measured run), {@link io.bulwark.bench.Alternation}
 * (rounds across systems), {@link io.bulwark.bench.BenchReport} (JSON and table), then the
 * peers ({@link io.bulwark.bench.EtcdPeer}, {@link io.bulwark.bench.ZooKeeperPeer}) and the
 * failover measurement ({@link io.bulwark.bench.FailoverRunner}).
 *
 * <p>This module must not depend on {@code bulwark-cli}: the CLI's {@code bench} command wires
 * the Bulwark side (a local cluster) into it through {@link io.bulwark.bench.BenchSystem} and
 * {@link io.bulwark.bench.FailoverSubject}.
 */
package io.bulwark.bench;
