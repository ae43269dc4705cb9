package io.bulwark.cli.verify;

/**
 * One injected fault, as its nemesis describes it.
 *
 * @param kind the nemesis ({@code kill}, {@code pause}, ...)
 * @param target what it hit: a node id, or a ZooKeeper server ({@code zk2})
 * @param detail how, for the timeline ({@code "SIGKILL pid 4242, primary of k3"})
 * @param atNanos when it struck (monotonic), if not when {@link Nemesis#inject} returned; 0 if
 *     then
 */
record Fault(String kind, String target, String detail, long atNanos) {
  Fault(String kind, String target, String detail) {
    this(kind, target, detail, 0);
  }
}
