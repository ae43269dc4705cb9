package io.bulwark.cli.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.HashSet;
import java.util.Set;

/**
 * Port choice for a local cluster, all on 127.0.0.1.
 *
 * <p>With a base port P, node K (1-based) gets client P+K-1, peer P+100+K-1 and admin P+200+K-1,
 * and ZooKeeper P+300, so addresses are predictable. Without one, each port is one the kernel
 * reports free right now; another process could take it before the node binds it, in which case
 * the node fails to start, the supervisor restarts it with backoff, and the log says why.
 */
public final class Ports {
  /** The spacing between the client, peer and admin port ranges of a base port. */
  public static final int RANGE_STRIDE = 100;

  private final Integer basePort;
  private final Set<Integer> handedOut = new HashSet<>();

  /** {@code basePort} null: free ports. */
  public Ports(Integer basePort) {
    this.basePort = basePort;
  }

  /** The largest usable base port: ZooKeeper, the highest port, must still fit. */
  public static int basePortMax() {
    return 65_535 - 3 * RANGE_STRIDE;
  }

  public int zookeeper() {
    return basePort == null ? 0 : basePort + 3 * RANGE_STRIDE;
  }

  public int client(int k) {
    return basePort == null ? free() : basePort + k - 1;
  }

  public int peer(int k) {
    return basePort == null ? free() : basePort + RANGE_STRIDE + k - 1;
  }

  public int admin(int k) {
    return basePort == null ? free() : basePort + 2 * RANGE_STRIDE + k - 1;
  }

  /** Never hands out {@code port} (it belongs to an existing node configuration). */
  public void reserve(int port) {
    handedOut.add(port);
  }

  /** A port that is free on 127.0.0.1 now and was not handed out before by this object. */
  private int free() {
    for (int attempt = 0; attempt < 100; attempt++) {
      int port;
      try (ServerSocket s = new ServerSocket()) {
        s.setReuseAddress(false);
        s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        port = s.getLocalPort();
      } catch (IOException e) {
        throw new UncheckedIOException("cannot find a free port on 127.0.0.1: " + e, e);
      }
      if (handedOut.add(port)) {
        return port;
      }
    }
    throw new IllegalStateException("no new free port on 127.0.0.1 after 100 attempts");
  }
}
