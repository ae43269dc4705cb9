package io.bulwark.cli.verify;

import io.bulwark.bench.ZooKeeperPeer;
import java.util.SplittableRandom;

/**
 * {@code zookeeper}: SIGKILL a ZooKeeper server, half the time the leader; heal starts it again
 * and waits until the ensemble has a leader. With a single server this is a whole ZooKeeper
 * outage, through which nodes keep serving on their leases (DESIGN §3 rule 9).
 */
final class ZooKeeperNemesis implements Nemesis {
  private final VerifyCluster cluster;

  ZooKeeperNemesis(VerifyCluster cluster) {
    this.cluster = cluster;
  }

  @Override
  public String kind() {
    return "zookeeper";
  }

  @Override
  public Fault inject(SplittableRandom random) throws Exception {
    ZooKeeperPeer zk = cluster.zookeeper();
    int leader = zk.leader();
    boolean hitLeader = random.nextBoolean();
    int index = hitLeader ? leader : random.nextInt(zk.servers());
    long pid = zk.pid(index);
    cluster.killZooKeeper(index);
    return new Fault(kind(), VerifyCluster.zookeeperName(index), "SIGKILL pid " + pid + ", "
        + (index == leader ? "the leader" : "a follower"));
  }

  @Override
  public void heal(Fault fault) throws Exception {
    cluster.restartZooKeeper(Integer.parseInt(fault.target().substring(2)) - 1);
  }
}
