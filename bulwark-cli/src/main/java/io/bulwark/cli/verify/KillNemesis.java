package io.bulwark.cli.verify;

import java.util.SplittableRandom;

/** {@code kill}: SIGKILL a node (usually a hot key's primary); heal starts it again. */
final class KillNemesis implements Nemesis {
  private final VerifyCluster cluster;
  private final Targets targets;

  KillNemesis(VerifyCluster cluster, Targets targets) {
    this.cluster = cluster;
    this.targets = targets;
  }

  @Override
  public String kind() {
    return "kill";
  }

  @Override
  public Fault inject(SplittableRandom random) throws Exception {
    Targets.Choice c = targets.pick(random);
    cluster.kill(c.node());
    return new Fault(kind(), c.node(), "SIGKILL, " + c.why());
  }

  @Override
  public void heal(Fault fault) throws Exception {
    cluster.revive(fault.target());
  }
}
