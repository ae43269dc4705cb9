package io.bulwark.cli.verify;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;

/**
 * Each node in a network namespace of its own, joined by a veth pair to one bridge in the root
 * namespace, so that links between nodes can be cut with iptables and healed (the partition
 * nemesis).
 *
 * <p><b>Names.</b> Everything carries the run's prefix ({@code bwv-<6 hex>}): namespaces {@code
 * PREFIX-nK}, veth ends {@code PREFIX-Kh} (bridge side) and {@code PREFIX-Kn} (node side), the
 * bridge {@code PREFIX-br}, and one iptables chain {@code PREFIX} inside each node namespace,
 * jumped to from INPUT and OUTPUT there. No rule is ever added in the root namespace, so nothing
 * outside the run's own namespaces is filtered, and deleting a namespace removes its veth pair and
 * its rules with it. Every namespace and the bridge are recorded in {@link Cleanup} as they are
 * created.
 *
 * <p><b>Addresses.</b> {@code 198.18.S.0/24} (RFC 2544, the range set aside for network tests),
 * with S drawn at random among the /24s no interface of this machine uses: the bridge is {@code
 * .1} (ZooKeeper binds it, and the verify process reaches the nodes from it), node K is {@code
 * .(10+K)}. Traffic never leaves the bridge: there is no route or forwarding beyond it.
 */
final class NamespaceNetwork {
  static final String SUBNET_PREFIX = "198.18.";
  private static final String NSENTER = "/usr/bin/nsenter";

  private final String prefix;
  private final String subnet;
  private final Cleanup cleanup;
  private final Map<String, String> addresses = new LinkedHashMap<>();

  private NamespaceNetwork(String prefix, String subnet, Cleanup cleanup) {
    this.prefix = prefix;
    this.subnet = subnet;
    this.cleanup = cleanup;
  }

  /**
   * Why namespaces cannot be used here, or empty if they can: needs root, {@code ip}, {@code
   * nsenter} and {@code iptables}, and probes by creating and deleting one namespace.
   */
  static Optional<String> unavailableReason(String prefix) {
    for (String tool : List.of("ip", "iptables", "nsenter")) {
      if (!Shell.tryRun("which", tool).ok()) {
        return Optional.of("'" + tool + "' is not installed");
      }
    }
    String probe = prefix + "-probe";
    Shell.Result add = Shell.tryRun("ip", "netns", "add", probe);
    if (!add.ok()) {
      return Optional.of("creating a network namespace is not permitted here (" + add.describe()
          + "); it needs root (CAP_SYS_ADMIN and CAP_NET_ADMIN)");
    }
    Shell.Result iptables = Shell.tryRun("ip", "netns", "exec", probe, "iptables", "-S");
    Shell.tryRun("ip", "netns", "del", probe);
    if (!iptables.ok()) {
      return Optional.of("iptables does not work inside a namespace (" + iptables.describe()
          + ")");
    }
    return Optional.empty();
  }

  /** Creates the bridge and one namespace per node, each recorded in {@code cleanup}. */
  static NamespaceNetwork create(String prefix, List<String> nodeIds, SplittableRandom random,
      Cleanup cleanup) {
    NamespaceNetwork net = new NamespaceNetwork(prefix, freeSubnet(random), cleanup);
    net.createBridge();
    for (int k = 0; k < nodeIds.size(); k++) {
      net.createNode(nodeIds.get(k), k + 1);
    }
    return net;
  }

  private static String freeSubnet(SplittableRandom random) {
    String used = Shell.run("ip", "-o", "-4", "addr", "show");
    for (int attempt = 0; attempt < 256; attempt++) {
      String candidate = SUBNET_PREFIX + random.nextInt(256) + ".";
      if (!used.contains(" " + candidate)) {
        return candidate;
      }
    }
    throw new VerifyException("no free /24 in " + SUBNET_PREFIX + "0.0/16 for the bridge");
  }

  private void createBridge() {
    String bridge = prefix + "-br";
    Shell.run("ip", "link", "add", bridge, "type", "bridge");
    cleanup.add("bridge " + bridge, () -> Shell.run("ip", "link", "del", bridge));
    Shell.run("ip", "addr", "add", bridgeAddress() + "/24", "dev", bridge);
    Shell.run("ip", "link", "set", bridge, "up");
  }

  private void createNode(String id, int k) {
    String ns = namespace(id);
    Shell.run("ip", "netns", "add", ns);
    cleanup.add("network namespace " + ns, () -> Shell.run("ip", "netns", "del", ns));
    String outside = prefix + "-" + k + "h";
    String inside = prefix + "-" + k + "n";
    Shell.run("ip", "link", "add", outside, "type", "veth", "peer", "name", inside);
    cleanup.add("veth pair " + outside + "/" + inside, () -> Shell.run("ip", "link", "del",
        outside));
    Shell.run("ip", "link", "set", inside, "netns", ns);
    Shell.run("ip", "link", "set", outside, "master", prefix + "-br");
    Shell.run("ip", "link", "set", outside, "up");
    String address = subnet + (10 + k);
    inNamespace(ns, "ip", "addr", "add", address + "/24", "dev", inside);
    inNamespace(ns, "ip", "link", "set", inside, "up");
    inNamespace(ns, "ip", "link", "set", "lo", "up");
    inNamespace(ns, "iptables", "-N", prefix);
    inNamespace(ns, "iptables", "-A", "INPUT", "-j", prefix);
    inNamespace(ns, "iptables", "-A", "OUTPUT", "-j", prefix);
    addresses.put(id, address);
  }

  String namespace(String id) {
    return prefix + "-" + id;
  }

  /** Node {@code id}'s address inside its namespace. */
  String address(String id) {
    String a = addresses.get(id);
    if (a == null) {
      throw new IllegalArgumentException("no namespace for node " + id);
    }
    return a;
  }

  /** The bridge's address in the root namespace: ZooKeeper and the verify process use it. */
  String bridgeAddress() {
    return subnet + "1";
  }

  /** What runs a command inside node {@code id}'s network namespace (only the network). */
  List<String> launchPrefix(String id) {
    return List.of(NSENTER, "--net=/run/netns/" + namespace(id), "--");
  }

  /**
   * Cuts node {@code id} off from every other node (both directions) and, if {@code
   * zookeeperPorts} is not empty, from ZooKeeper (TCP to and from those ports of the bridge
   * address); the verify process's clients still reach it.
   */
  void isolate(String id, List<Integer> zookeeperPorts) {
    String ns = namespace(id);
    for (Map.Entry<String, String> other : addresses.entrySet()) {
      if (!other.getKey().equals(id)) {
        inNamespace(ns, "iptables", "-A", prefix, "-s", other.getValue(), "-j", "DROP");
        inNamespace(ns, "iptables", "-A", prefix, "-d", other.getValue(), "-j", "DROP");
      }
    }
    for (int port : zookeeperPorts) {
      String p = Integer.toString(port);
      inNamespace(ns, "iptables", "-A", prefix, "-s", bridgeAddress(), "-p", "tcp", "--sport", p,
          "-j", "DROP");
      inNamespace(ns, "iptables", "-A", prefix, "-d", bridgeAddress(), "-p", "tcp", "--dport", p,
          "-j", "DROP");
    }
  }

  /** Removes every rule of node {@code id}'s chain: all its links work again. */
  void heal(String id) {
    inNamespace(namespace(id), "iptables", "-F", prefix);
  }

  /** The rules in node {@code id}'s chain, for the timeline. */
  List<String> rules(String id) {
    List<String> rules = new ArrayList<>();
    for (String line : inNamespace(namespace(id), "iptables", "-S", prefix).split("\n")) {
      if (line.startsWith("-A")) {
        rules.add(line.strip());
      }
    }
    return rules;
  }

  private static String inNamespace(String ns, String... command) {
    String[] full = new String[command.length + 4];
    full[0] = "ip";
    full[1] = "netns";
    full[2] = "exec";
    full[3] = ns;
    System.arraycopy(command, 0, full, 4, command.length);
    return Shell.run(full);
  }
}
