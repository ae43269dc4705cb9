package io.bulwark.cli.verify;

import java.util.SplittableRandom;

/**
 * {@code pause}: SIGSTOP a node (usually a hot key's primary), a stand-in for a long GC pause;
 * heal sends SIGCONT. A paused primary's backups take over after grace; when it wakes it must not
 * serve a stale read, which the linearizability checker judges.
 */
final class PauseNemesis implements Nemesis {
  private final VerifyCluster cluster;
  private final Targets targets;

  PauseNemesis(VerifyCluster cluster, Targets targets) {
    this.cluster = cluster;
    this.targets = targets;
  }

  @Override
  public String kind() {
    return "pause";
  }

  @Override
  public Fault inject(SplittableRandom random) {
    Targets.Choice c = targets.pick(random);
    cluster.pause(c.node());
    return new Fault(kind(), c.node(), "SIGSTOP, " + c.why());
  }

  @Override
  public void heal(Fault fault) {
    cluster.resume(fault.target());
  }
}
