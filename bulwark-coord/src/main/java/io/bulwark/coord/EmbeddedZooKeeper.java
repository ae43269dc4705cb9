package io.bulwark.coord;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import org.apache.zookeeper.server.ContainerManager;
import org.apache.zookeeper.server.DatadirCleanupManager;
import org.apache.zookeeper.server.RequestProcessor;
import org.apache.zookeeper.server.ServerCnxnFactory;
import org.apache.zookeeper.server.ZKDatabase;
import org.apache.zookeeper.server.ZooKeeperServer;
import org.apache.zookeeper.server.persistence.FileTxnSnapLog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real, single (standalone) ZooKeeper server inside this JVM, for {@code local} and
 * {@code demo} mode (DESIGN §1, §8). It runs in the supervisor process, never inside a node, so
 * that killing a node leaves coordination up.
 *
 * <p><b>What it is.</b> The same {@link ZooKeeperServer} that {@code zkServer.sh} runs, assembled
 * the way {@code ZooKeeperServerMain} assembles it: a transaction log and snapshots under the
 * given directory, a client port bound to 127.0.0.1 only, and a container manager (Curator's
 * {@code LeaderLatch} creates container znodes). Two things are deliberately different:
 * <ul>
 *   <li>No admin server. {@code ZooKeeperServerMain} starts a Jetty admin server on port 8080 by
 *       default; we never create one, so nothing but the client port is bound.</li>
 *   <li>Durability is not left to defaults (STYLE P8): the transaction log is fsynced before a
 *       write is acknowledged, and the constructor refuses to start if the JVM was told
 *       otherwise ({@code -Dzookeeper.forceSync=no}), because shard configurations and epochs
 *       must survive a machine crash.</li>
 * </ul>
 * Old snapshots and logs are purged every hour, keeping the newest {@value #SNAPSHOTS_RETAINED}
 * snapshots, so a long-running local cluster does not fill its disk.
 *
 * <p><b>Threading and blocking.</b> The constructor blocks until the server has loaded its data
 * and listens; when it returns, clients can connect at {@link #connectString()}. {@link #close()}
 * blocks until the port is released and the log is closed. ZooKeeper runs its own threads. The
 * methods are thread-safe.
 *
 * <p><b>Errors.</b> Failure to start (port in use, unreadable data) is a
 * {@link CoordinationException} naming the address and directory. If the server later hits an
 * internal error (e.g. a failed fsync) it stops serving; {@link #isRunning()} reports that.
 */
public final class EmbeddedZooKeeper implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedZooKeeper.class);

  /** ZooKeeper's default tick; session timeouts are bounded to [2, 20] ticks. */
  public static final Duration TICK_DEFAULT = Duration.ofSeconds(2);
  /**
   * Connections allowed per client address. Everything connects from 127.0.0.1 here, so the
   * per-host limit is a whole-cluster limit; ZooKeeper's default of 60 is too low for a local
   * cluster with tools attached.
   */
  public static final int CONNECTIONS_PER_HOST_MAX = 1000;
  /** Snapshots (and the logs they need) kept by the hourly purge. */
  public static final int SNAPSHOTS_RETAINED = 3;
  private static final int PURGE_INTERVAL_HOURS = 1;
  /** ZooKeeperServerMain's defaults for the container manager. */
  private static final int CONTAINER_CHECK_INTERVAL_MS = 60_000;
  private static final int CONTAINER_DELETES_PER_MINUTE_MAX = 10_000;

  private final Path dataDir;
  private final FileTxnSnapLog txnLog;
  private final Server server;
  private final ServerCnxnFactory cnxnFactory;
  private final ContainerManager containerManager;
  private final DatadirCleanupManager purger;
  private final String connectString;
  private boolean closed;

  /** Starts a server on 127.0.0.1:{@code port} (0 picks a free port) with the default tick. */
  public EmbeddedZooKeeper(Path dataDir, int port) {
    this(dataDir, port, TICK_DEFAULT);
  }

  /**
   * Starts a server storing its data under {@code dataDir} (created if missing; an existing
   * directory's data is recovered) on 127.0.0.1:{@code port}, where 0 picks a free port.
   */
  public EmbeddedZooKeeper(Path dataDir, int port, Duration tick) {
    Objects.requireNonNull(dataDir, "dataDir");
    Objects.requireNonNull(tick, "tick");
    if (port < 0 || port > 65_535) {
      throw new IllegalArgumentException("port must be 0..65535, was " + port);
    }
    int tickMs = Math.toIntExact(tick.toMillis());
    if (tickMs <= 0) {
      throw new IllegalArgumentException("tick must be positive, was " + tick);
    }
    refuseDisabledFsync();
    this.dataDir = dataDir;
    InetSocketAddress address = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
    FileTxnSnapLog log = null;
    ServerCnxnFactory factory = null;
    try {
      Files.createDirectories(dataDir);
      File dir = dataDir.toFile();
      log = new FileTxnSnapLog(dir, dir);
      Server zks = new Server(log, tickMs);
      factory = ServerCnxnFactory.createFactory();
      factory.configure(address, CONNECTIONS_PER_HOST_MAX, -1, false);
      factory.startup(zks);
      this.txnLog = log;
      this.server = zks;
      this.cnxnFactory = factory;
    } catch (IOException | RuntimeException e) {
      closeQuietly(factory, log);
      throw new CoordinationException(
          "cannot start embedded ZooKeeper at " + address + " with data in " + dataDir + ": " + e,
          e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      closeQuietly(factory, log);
      throw new CoordinationException("interrupted while starting embedded ZooKeeper", e);
    }
    this.connectString = "127.0.0.1:" + cnxnFactory.getLocalPort();
    this.containerManager =
        new ContainerManager(
            server.getZKDatabase(),
            server.firstRequestProcessor(),
            CONTAINER_CHECK_INTERVAL_MS,
            CONTAINER_DELETES_PER_MINUTE_MAX);
    containerManager.start();
    this.purger =
        new DatadirCleanupManager(
            dataDir.toFile(), dataDir.toFile(), SNAPSHOTS_RETAINED, PURGE_INTERVAL_HOURS);
    purger.start();
    LOG.info("event=zookeeper-started address={} dataDir={}", connectString, dataDir);
  }

  private static void refuseDisabledFsync() {
    // FileTxnLog reads this property; "no" would acknowledge writes before they are durable.
    if ("no".equals(System.getProperty("zookeeper.forceSync"))) {
      throw new CoordinationException(
          "refusing to start embedded ZooKeeper with -Dzookeeper.forceSync=no: shard"
              + " configurations must be fsynced before they are acknowledged");
    }
  }

  /** {@code 127.0.0.1:<port>}, for {@link Coordinator} and for {@code cluster.json}. */
  public String connectString() {
    return connectString;
  }

  /** The bound client port (the chosen one if 0 was asked for). */
  public int port() {
    return cnxnFactory.getLocalPort();
  }

  public Path dataDir() {
    return dataDir;
  }

  /** False once closed, or if the server stopped itself after an internal error. */
  public synchronized boolean isRunning() {
    return !closed && server.isRunning();
  }

  /**
   * Closes a client session as if it had expired: its ephemeral znodes are deleted and the
   * client's next contact is answered with "session expired". For tests of expiry handling.
   */
  void expireSession(long sessionId) {
    server.closeSession(sessionId);
  }

  /** Stops the server and releases the port; idempotent. Data stays on disk. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    purger.shutdown();
    containerManager.stop();
    cnxnFactory.shutdown();
    try {
      cnxnFactory.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    server.shutdown(true);
    closeQuietly(null, txnLog);
    LOG.info("event=zookeeper-stopped address={}", connectString);
  }

  /** Exposes the request pipeline's head, which the container manager submits deletes to. */
  private static final class Server extends ZooKeeperServer {
    Server(FileTxnSnapLog log, int tickMs) {
      // Session timeouts are bounded to [2, 20] ticks, as in zoo.cfg's defaults; no listen
      // backlog override (-1); the initial dynamic config is empty (standalone, no reconfig).
      super(log, tickMs, 2 * tickMs, 20 * tickMs, -1, new ZKDatabase(log), "");
    }

    RequestProcessor firstRequestProcessor() {
      return firstProcessor;
    }
  }

  private static void closeQuietly(ServerCnxnFactory factory, FileTxnSnapLog log) {
    if (factory != null) {
      factory.shutdown();
    }
    if (log != null) {
      try {
        log.close();
      } catch (IOException e) {
        LOG.warn("event=zookeeper-log-close-failed", e);
      }
    }
  }
}
