package io.bulwark.cli.verify;

import java.util.List;
import java.util.SplittableRandom;

/**
 * {@code partition}: cuts a node (usually a hot key's primary) off from every other node with
 * iptables rules in its namespace, half the time from ZooKeeper too; the verify process's
 * clients still reach it, so an isolated primary that kept serving would be seen. Heal flushes
 * the rules.
 */
final class PartitionNemesis implements Nemesis {
  private final NamespaceNetwork network;
  private final VerifyCluster cluster;
  private final Targets targets;

  PartitionNemesis(NamespaceNetwork network, VerifyCluster cluster, Targets targets) {
    this.network = network;
    this.cluster = cluster;
    this.targets = targets;
  }

  @Override
  public String kind() {
    return "partition";
  }

  @Override
  public Fault inject(SplittableRandom random) {
    Targets.Choice c = targets.pick(random);
    boolean fromZookeeper = random.nextBoolean();
    network.isolate(c.node(), fromZookeeper ? cluster.zookeeperPorts() : List.of());
    return new Fault(kind(), c.node(), "isolated from the other nodes"
        + (fromZookeeper ? " and ZooKeeper" : "") + " (" + network.rules(c.node()).size()
        + " iptables rules), " + c.why());
  }

  @Override
  public void heal(Fault fault) {
    network.heal(fault.target());
  }
}
