package io.bulwark.client;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Parses {@code host:port} endpoints. IPv6 hosts must be bracketed ({@code [::1]:7000}). The
 * canonical form ({@code host:port}, lower-case host) keys the channel pool, so that one node
 * reached through a seed and through a reported address shares one channel. Stateless.
 */
final class Endpoints {
  static final int PORT_MAX = 65_535;

  private Endpoints() {}

  /** A parsed endpoint. */
  record HostPort(String host, int port) {
    @Override
    public String toString() {
      return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }
  }

  /**
   * Parses a comma-separated list ("host:port,host:port"), dropping duplicates.
   *
   * @throws IllegalArgumentException naming the first malformed part
   */
  static List<String> parseList(String csv) {
    if (csv == null || csv.isBlank()) {
      throw new IllegalArgumentException("no endpoints given: expected host:port[,host:port...]");
    }
    return canonicalAll(List.of(csv.split(",", -1)), " in \"" + csv + "\"");
  }

  /**
   * Canonicalises a list of endpoints, dropping duplicates.
   *
   * @throws IllegalArgumentException naming the first malformed element
   */
  static List<String> parseList(List<String> endpoints) {
    if (endpoints == null || endpoints.isEmpty()) {
      throw new IllegalArgumentException("no endpoints given: expected host:port[,host:port...]");
    }
    return canonicalAll(endpoints, "");
  }

  private static List<String> canonicalAll(List<String> parts, String where) {
    Set<String> out = new LinkedHashSet<>();
    for (int i = 0; i < parts.size(); i++) {
      String part = parts.get(i);
      String why = problem(part);
      if (why != null) {
        throw new IllegalArgumentException("endpoint " + (i + 1) + " \"" + part + "\"" + where
            + " is not host:port: " + why);
      }
      out.add(parse(part).toString());
    }
    return new ArrayList<>(out);
  }

  /** The canonical form of an address a node reported, or null if it is malformed. */
  static String canonicalOrNull(String address) {
    return address == null || problem(address) != null ? null : parse(address).toString();
  }

  /** Parses one endpoint that {@link #problem} accepted. */
  static HostPort parse(String endpoint) {
    String why = problem(endpoint);
    if (why != null) {
      throw new IllegalArgumentException("endpoint \"" + endpoint + "\" is not host:port: " + why);
    }
    String s = endpoint.trim();
    int colon = s.lastIndexOf(':');
    String host = s.substring(0, colon);
    if (host.startsWith("[")) {
      host = host.substring(1, host.length() - 1);
    }
    return new HostPort(host.toLowerCase(java.util.Locale.ROOT), Integer.parseInt(s.substring(colon + 1)));
  }

  /** Why {@code endpoint} is not a valid {@code host:port}, or null if it is. */
  static String problem(String endpoint) {
    if (endpoint == null || endpoint.isBlank()) {
      return "it is empty";
    }
    String s = endpoint.trim();
    int colon = s.lastIndexOf(':');
    if (colon < 0) {
      return "the port is missing";
    }
    String host = s.substring(0, colon);
    String port = s.substring(colon + 1);
    if (host.startsWith("[")) {
      if (!host.endsWith("]") || host.length() < 3) {
        return "a bracketed IPv6 host must look like [::1]";
      }
    } else if (host.isEmpty()) {
      return "the host is missing";
    } else if (host.indexOf(':') >= 0) {
      return "an IPv6 host must be bracketed, e.g. [::1]:7000";
    }
    for (int i = 0; i < host.length(); i++) {
      if (Character.isWhitespace(host.charAt(i)) || host.charAt(i) == '/') {
        return "the host \"" + host + "\" contains '" + host.charAt(i) + "'";
      }
    }
    if (port.isEmpty()) {
      return "the port is missing";
    }
    if (port.length() > 5 || !port.chars().allMatch(c -> c >= '0' && c <= '9')) {
      return "the port \"" + port + "\" is not a number";
    }
    int p = Integer.parseInt(port);
    if (p < 1 || p > PORT_MAX) {
      return "the port " + p + " is outside 1.." + PORT_MAX;
    }
    return null;
  }
}
