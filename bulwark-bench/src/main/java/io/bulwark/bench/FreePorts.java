package io.bulwark.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;

/**
 * Free TCP ports on 127.0.0.1, chosen by the kernel. All are held open until every one is
 * chosen, so they are distinct; another process could still take one before the peer binds it,
 * in which case the peer fails to start and says so in its log.
 */
final class FreePorts {
  private FreePorts() {}

  static List<Integer> take(int count) {
    List<ServerSocket> held = new ArrayList<>();
    try {
      for (int i = 0; i < count; i++) {
        held.add(new ServerSocket(0, 1, InetAddress.getLoopbackAddress()));
      }
      List<Integer> ports = new ArrayList<>();
      held.forEach(s -> ports.add(s.getLocalPort()));
      return ports;
    } catch (IOException e) {
      throw new UncheckedIOException("no free ports on 127.0.0.1", e);
    } finally {
      for (ServerSocket s : held) {
        try {
          s.close();
        } catch (IOException e) {
          // Closing a listening socket we own does not fail in practice; nothing to undo.
        }
      }
    }
  }
}
