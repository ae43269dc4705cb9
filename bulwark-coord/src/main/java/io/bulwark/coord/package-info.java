/**
 * Coordination through ZooKeeper and Apache Curator (DESIGN §1, §2, §3 rules 7-9, §6): the one
 * consensus engine Bulwark relies on. Bulwark does not implement its own consensus; this
 * package is the only code that talks to ZooKeeper.
 *
 * <ul>
 *   <li>{@link io.bulwark.coord.Coordinator} — membership (ephemeral {@code nodes/<id>}),
 *       controller election ({@code LeaderLatch} on {@code controller}), keyspace specs, and
 *       shard configurations changed only by compare-and-set on the znode version, all under
 *       {@code /bulwark/<cluster>}.</li>
 *   <li>{@link io.bulwark.coord.EmbeddedZooKeeper} — a real standalone ZooKeeper server inside
 *       the local supervisor process, for {@code local} and {@code demo} mode.</li>
 *   <li>{@link io.bulwark.coord.Placement} — the controller's initial placement of a keyspace;
 *       pure and deterministic.</li>
 * </ul>
 *
 * <p><b>Threading.</b> {@code Coordinator} and {@code EmbeddedZooKeeper} are thread-safe;
 * {@code Placement} is pure. Listeners registered with a {@code Coordinator} run on Curator's
 * threads and must return quickly.
 *
 * <p><b>Blocking.</b> {@code Coordinator} calls block the caller for ZooKeeper round trips,
 * bounded by the connection timeout times (retries + 1); registrations of listeners and
 * {@code isController()} do not block. Nothing here belongs inside a pure core (STYLE P1):
 * the server runtime calls it and feeds results to cores as inputs such as
 * {@code ConfigChanged}.
 *
 * <p><b>Errors.</b> Expected outcomes (exists, absent, lost compare-and-set) are return
 * values. {@link io.bulwark.coord.CoordinationException} (unchecked) means ZooKeeper could not
 * be used, with a message naming its address; it may mark a write whose outcome is unknown.
 *
 * <p><b>Done.</b> A write returns after ZooKeeper committed it durably (fsynced by a quorum);
 * a read that decides something follows a ZooKeeper {@code sync()} (DESIGN §3 rule 8).
 */
package io.bulwark.coord;
