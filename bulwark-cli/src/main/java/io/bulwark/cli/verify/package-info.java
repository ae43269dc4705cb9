/**
 * {@code bin/bulwark verify}: Jepsen-style verification on real processes (issue 4). A run starts
 * its own cluster (node processes, real ZooKeeper server processes), drives a workload that
 * records a DESIGN §9 history, injects real faults on a schedule drawn from the seed (nemeses:
 * SIGKILL, SIGSTOP, iptables partitions between network namespaces, a filled tmpfs, ZooKeeper
 * server kills), heals them, waits for recovery and judges the history with the checkers of
 * {@code bulwark-check}.
 *
 * <p>One class, one job: {@link io.bulwark.cli.verify.VerifyCommand} (options, the run's steps),
 * {@link io.bulwark.cli.verify.VerifyCluster} (the processes), {@link
 * io.bulwark.cli.verify.NamespaceNetwork} (namespaces, veth, bridge, iptables), the {@link
 * io.bulwark.cli.verify.Nemesis} implementations, {@link io.bulwark.cli.verify.NemesisRunner}
 * (the schedule), {@link io.bulwark.cli.verify.FaultTimeline}, the {@link
 * io.bulwark.cli.verify.VerifyWorkload} subclasses, {@link
 * io.bulwark.cli.verify.HistoryAnalysis} (lost writes, unavailability), {@link
 * io.bulwark.cli.verify.Verdict}, {@link io.bulwark.cli.verify.RunDirectory} and {@link
 * io.bulwark.cli.verify.Cleanup} (everything the run created, undone in reverse, also from a
 * shutdown hook on SIGINT/SIGTERM).
 */
package io.bulwark.cli.verify;
