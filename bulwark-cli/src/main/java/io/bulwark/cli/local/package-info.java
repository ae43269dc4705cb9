/**
 * The supervised local cluster behind {@code bin/bulwark local ...} (DESIGN §8).
 *
 * <p>Layout of a cluster directory {@code DIR}:
 * <pre>
 * DIR/cluster.json          {@link io.bulwark.cli.local.ClusterFile}: ZooKeeper address, the
 *                           supervisor's pid, every node's id, pid, state, addresses, data dir
 * DIR/supervisor.log        the supervisor's standard out and error
 * DIR/supervisor.lock       held (flock) by the running supervisor: one supervisor per DIR
 * DIR/zookeeper/            the embedded ZooKeeper's snapshots and transaction log
 * DIR/down/NODE             marker: NODE was killed by {@code local kill} and stays down
 * DIR/nK/node.properties    node nK's configuration ({@code io.bulwark.server.NodeConfig})
 * DIR/nK/node.log           node nK's standard out and error
 * DIR/nK/data/              node nK's RocksDB
 * </pre>
 *
 * <p>Processes are recognised by their command lines ({@link
 * io.bulwark.cli.local.ClusterProcesses}), never by a pid alone, so a recycled pid is never
 * signalled.
 */
package io.bulwark.cli.local;
