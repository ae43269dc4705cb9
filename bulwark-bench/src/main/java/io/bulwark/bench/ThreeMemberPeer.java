package io.bulwark.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * What etcd and ZooKeeper peers share: a few member processes in one directory, a leader found
 * by asking the members, kill and restart of one member, and a close that stops them all and
 * removes the directory. A subclass builds the members ({@link #start}) and says how to find
 * the leader ({@link #agreedLeader}) and how to describe the members when a wait fails.
 */
abstract class ThreeMemberPeer implements Peer {
  protected final Path dir;
  protected final List<MemberProcess> members = new ArrayList<>();
  private final boolean keepDir;
  private final Duration readyDeadline;
  private boolean closed;

  ThreeMemberPeer(Path dir, boolean keepDir, Duration readyDeadline) {
    this.dir = dir;
    this.keepDir = keepDir;
    this.readyDeadline = readyDeadline;
  }

  /** The index of the leader every member follows, or -1 while there is none. */
  protected abstract int agreedLeader();

  /** Each member's view and log, for the message of a wait that timed out. */
  protected abstract String describe();

  /** Starts every member built by the subclass and waits until they follow one leader. */
  protected void startMembers() throws Exception {
    for (MemberProcess m : members) {
      m.start();
    }
    awaitReady();
  }

  @Override
  public synchronized List<Long> serverPids() {
    return members.stream().map(MemberProcess::pid).filter(p -> p > 0).toList();
  }

  @Override
  public synchronized int leader() throws Exception {
    int[] found = new int[1];
    Waits.until(name() + " to have a leader every member follows", readyDeadline,
        () -> (found[0] = agreedLeader()) >= 0, this::describe);
    return found[0];
  }

  @Override
  public synchronized void kill(int index) throws InterruptedException {
    members.get(index).kill();
  }

  @Override
  public synchronized void restart(int index) throws Exception {
    members.get(index).start();
    awaitReady();
  }

  private void awaitReady() throws Exception {
    Waits.until(name() + "'s " + members.size() + " members to elect a leader", readyDeadline,
        () -> {
          for (MemberProcess m : members) {
            if (!m.alive()) {
              throw new BenchException(name() + " member " + m.exitDescription());
            }
          }
          return agreedLeader() >= 0;
        }, this::describe);
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    members.forEach(MemberProcess::stop);
    if (!keepDir) {
      TempDirs.deleteQuietly(dir);
    }
  }
}
