package io.bulwark.server;

import io.bulwark.core.detect.PhiAccrualDetector;
import java.util.Collection;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongConsumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Node-to-node heartbeats and phi-accrual suspicion (DESIGN §6), one instance per node. Every
 * {@code heartbeat.ms} its thread ({@code bulwark-failure-detector}):
 * <ol>
 *   <li>sends a heartbeat (an empty peer batch) to every live peer;</li>
 *   <li>re-evaluates every tracked peer's phi, and emits {@code node-suspected} when it reaches
 *       the threshold and {@code node-recovered} when it falls back below;</li>
 *   <li>publishes {@code bulwark_peer_phi{peer}} and {@code bulwark_peer_suspected{peer}};</li>
 *   <li>runs the after-tick hook ({@link LivenessTracker#update}).</li>
 * </ol>
 * Any batch received from a peer — heartbeat or replica traffic — counts as an arrival
 * ({@link #onArrival}, called from gRPC threads).
 *
 * <p>Tracked peers are every node the cluster view knows (live or named in a shard
 * configuration) except this one. A peer this process has never heard from is suspected only
 * once it has been tracked for {@code firstContactGraceNanos} without a word: starting JVMs and
 * first gRPC connections take seconds on a loaded machine (seen: 1–5 s on a shared 2-core
 * box), and suspecting every peer at every start-up would be noise. After its first arrival a
 * peer is judged by phi alone. A known node that never speaks is still suspected, after the
 * grace.
 *
 * <p>A round more than a heartbeat period late discounts the excess from every peer's silence
 * (the process itself stood still; see {@code discountOwnPause}).
 *
 * <p>Thread-safe: each peer's detector is used under its own lock; suspicion flags are read
 * without locks ({@link #isSuspected}) and may lag the truth by one tick.
 */
final class FailureDetector implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(FailureDetector.class);
  /** A pause of this process at least this long is an event of its own. */
  static final long PAUSE_EVENT_NANOS = 1_000_000_000L;

  /** What this node currently thinks of one peer. */
  record PeerView(double phi, boolean suspected, long silentNanos) {}

  private final String self;
  private final PhiAccrualDetector.Options options;
  private final Supplier<Collection<String>> livePeers;
  private final Supplier<Collection<String>> knownPeers;
  private final Consumer<String> sendHeartbeat;
  private final EventLog events;
  private final Metrics metrics;
  private final Map<String, PhiAccrualDetector> detectors = new ConcurrentHashMap<>();
  private final Map<String, PeerView> views = new ConcurrentHashMap<>();
  /** Peers heard from at least once, and when each untracked-until-now peer began to be. */
  private final Set<String> heard = ConcurrentHashMap.newKeySet();
  private final Map<String, Long> trackedSince = new ConcurrentHashMap<>();
  private final long firstContactGraceNanos;
  private final ScheduledExecutorService exec =
      Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "bulwark-failure-detector");
        t.setDaemon(true);
        return t;
      });
  private volatile LongConsumer afterTick = now -> {};
  /** When the last round ran; only the detector's thread touches it. */
  private long lastTickNanos = Long.MIN_VALUE;

  /**
   * @param livePeers ids of nodes with a membership znode (heartbeat targets)
   * @param knownPeers ids of every node worth tracking (live or named in a configuration)
   * @param sendHeartbeat sends one heartbeat to a node, best effort, without blocking
   * @param firstContactGraceNanos how long a peer never heard from may stay silent before it is
   *     suspected
   */
  FailureDetector(String self, PhiAccrualDetector.Options options,
      Supplier<Collection<String>> livePeers, Supplier<Collection<String>> knownPeers,
      Consumer<String> sendHeartbeat, long firstContactGraceNanos, EventLog events,
      Metrics metrics) {
    this.self = self;
    this.firstContactGraceNanos = firstContactGraceNanos;
    this.options = Objects.requireNonNull(options, "options");
    this.livePeers = livePeers;
    this.knownPeers = knownPeers;
    this.sendHeartbeat = sendHeartbeat;
    this.events = events;
    this.metrics = metrics;
  }

  /** Starts heartbeating and evaluating every {@code periodMs}; {@code afterTick} runs last. */
  void start(long periodMs, LongConsumer afterTick) {
    this.afterTick = afterTick;
    exec.scheduleAtFixedRate(() -> {
      try {
        tick(System.nanoTime());
      } catch (RuntimeException e) {
        // One bad tick (a transport hiccup) must not stop detection for good.
        LOG.warn("event=failure-detector-tick-failed reason=\"{}\"", e.getMessage(), e);
      }
    }, periodMs, periodMs, TimeUnit.MILLISECONDS);
  }

  /** A batch from {@code peer} arrived now. Called on gRPC threads. */
  void onArrival(String peer) {
    onArrival(peer, System.nanoTime());
  }

  void onArrival(String peer, long nowNanos) {
    if (peer.equals(self) || peer.isEmpty()) {
      return;
    }
    PhiAccrualDetector d = detector(peer, nowNanos);
    synchronized (d) {
      d.heartbeat(nowNanos);
    }
    heard.add(peer);
  }

  private PhiAccrualDetector detector(String peer, long nowNanos) {
    return detectors.computeIfAbsent(peer, p -> {
      PhiAccrualDetector d = new PhiAccrualDetector(options);
      d.heartbeat(nowNanos); // start expecting it from now on
      trackedSince.put(p, nowNanos);
      return d;
    });
  }

  /** One round: heartbeats out, suspicion re-evaluated, events and gauges updated. */
  void tick(long nowNanos) {
    discountOwnPause(nowNanos);
    for (String peer : livePeers.get()) {
      if (!peer.equals(self)) {
        sendHeartbeat.accept(peer);
      }
    }
    for (String peer : knownPeers.get()) {
      if (!peer.equals(self)) {
        detector(peer, nowNanos);
      }
    }
    for (Map.Entry<String, PhiAccrualDetector> e : detectors.entrySet()) {
      evaluate(e.getKey(), e.getValue(), nowNanos);
    }
    afterTick.accept(nowNanos);
  }

  /**
   * A round more than a period late means this process stood still (a GC pause, a starved or
   * stopped process): the excess is discounted from every peer's silence, as the replicas do
   * (ShardReplica.discountOwnPause), or the first rounds after waking — run back to back by the
   * fixed-rate scheduler, before the network threads deliver what arrived meanwhile — would
   * suspect every peer. A pause of a second or more is logged as event {@code local-pause}.
   */
  private void discountOwnPause(long nowNanos) {
    long period = options.firstIntervalNanos();
    long late = lastTickNanos == Long.MIN_VALUE ? 0 : nowNanos - lastTickNanos - period;
    lastTickNanos = nowNanos;
    if (late <= period) {
      return;
    }
    for (PhiAccrualDetector d : detectors.values()) {
      synchronized (d) {
        d.discountPause(late, nowNanos);
      }
    }
    trackedSince.replaceAll((peer, since) -> Math.min(nowNanos, since + late));
    if (late >= PAUSE_EVENT_NANOS) {
      events.emit("local-pause", "pausedMs=" + late / 1_000_000
          + " action=discounted-from-peer-silence");
    }
  }

  private void evaluate(String peer, PhiAccrualDetector d, long nowNanos) {
    double phi;
    long silent;
    synchronized (d) {
      phi = d.phi(nowNanos);
      silent = Math.max(0, nowNanos - d.lastArrivalNanos());
    }
    boolean suspected = heard.contains(peer) ? phi >= options.threshold()
        : nowNanos - trackedSince.getOrDefault(peer, nowNanos) >= firstContactGraceNanos;
    PeerView before = views.put(peer, new PeerView(phi, suspected, silent));
    boolean wasSuspected = before != null && before.suspected();
    if (suspected && !wasSuspected) {
      events.emit("node-suspected", String.format(java.util.Locale.ROOT,
          "node=%s phi=%.1f silentMs=%d threshold=%.1f", peer, phi, silent / 1_000_000,
          options.threshold()));
    } else if (!suspected && wasSuspected) {
      events.emit("node-recovered", "node=" + peer + " silentMs=" + before.silentNanos()
          / 1_000_000);
    }
    metrics.peerPhi.labelValues(peer).set(Math.min(phi, 1e6));
    metrics.peerSuspected.labelValues(peer).set(suspected ? 1 : 0);
  }

  /**
   * Whether this node suspects {@code peer} (phi at or above the threshold at the last tick).
   * False for a node it has never tracked.
   */
  boolean isSuspected(String peer) {
    PeerView v = views.get(peer);
    return v != null && v.suspected();
  }

  /** The latest view of every tracked peer, by id. */
  Map<String, PeerView> peers() {
    return new TreeMap<>(views);
  }

  double threshold() {
    return options.threshold();
  }

  @Override
  public void close() {
    exec.shutdownNow();
  }
}
