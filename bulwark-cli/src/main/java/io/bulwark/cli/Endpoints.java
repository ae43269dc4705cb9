package io.bulwark.cli;

import java.util.ArrayList;
import java.util.List;

/**
 * Validates a {@code --cluster} list, {@code host:port[,host:port...]}, before anything connects,
 * so that a typo is a usage error (exit 2) with a message that says which entry is wrong.
 */
public final class Endpoints {
  /** More endpoints than this is certainly a mistake (STYLE P5). */
  public static final int ENDPOINTS_MAX = 64;

  private Endpoints() {}

  /**
   * Returns the endpoints of {@code list}, trimmed, in order.
   *
   * @throws IllegalArgumentException saying what is wrong with which entry
   */
  public static List<String> parse(String list) {
    if (list == null || list.isBlank()) {
      throw new IllegalArgumentException("the endpoint list is empty; expected host:port,...");
    }
    List<String> out = new ArrayList<>();
    for (String raw : list.split(",", -1)) {
      String e = raw.trim();
      if (e.isEmpty()) {
        throw new IllegalArgumentException(
            "'" + list + "' has an empty entry; expected host:port,host:port,...");
      }
      checkHostPort(e);
      out.add(e);
    }
    if (out.size() > ENDPOINTS_MAX) {
      throw new IllegalArgumentException(
          out.size() + " endpoints given; the limit is " + ENDPOINTS_MAX);
    }
    return out;
  }

  private static void checkHostPort(String e) {
    int colon = e.lastIndexOf(':');
    if (colon <= 0 || colon == e.length() - 1) {
      throw new IllegalArgumentException("'" + e + "' is not host:port");
    }
    String host = e.substring(0, colon);
    if (host.chars().anyMatch(Character::isWhitespace)) {
      throw new IllegalArgumentException("'" + e + "' has whitespace in its host name");
    }
    int port;
    try {
      port = Integer.parseInt(e.substring(colon + 1));
    } catch (NumberFormatException ex) {
      throw new IllegalArgumentException("'" + e + "' has a port that is not a number");
    }
    if (port < 1 || port > 65_535) {
      throw new IllegalArgumentException("'" + e + "' has port " + port + "; ports are 1..65535");
    }
  }
}
