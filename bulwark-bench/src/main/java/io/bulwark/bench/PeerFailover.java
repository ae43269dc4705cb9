package io.bulwark.bench;

/** A {@link Peer} as a {@link FailoverSubject}: the leader is killed and restarted. */
public final class PeerFailover implements FailoverSubject {
  private final Peer peer;
  private int victim = -1;

  public PeerFailover(Peer peer) {
    this.peer = peer;
  }

  @Override
  public String name() {
    return peer.name();
  }

  @Override
  public Target openTarget() throws Exception {
    return peer.openTarget();
  }

  @Override
  public void awaitHealthy() throws Exception {
    peer.leader();
  }

  @Override
  public String killServing(byte[] probeKey) throws Exception {
    victim = peer.leader();
    peer.kill(victim);
    return peer.name() + " leader (member " + (victim + 1) + ")";
  }

  @Override
  public void recover() throws Exception {
    if (victim >= 0) {
      peer.restart(victim);
      victim = -1;
    }
  }
}
