package io.bulwark.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Locale;

/**
 * The outcome of a bench invocation as one JSON document or a table.
 *
 * <p>JSON (these names are fixed; more fields may be added):
 *
 * <pre>
 * {"workload":"put","clients":64,"durationSeconds":20,"warmupSeconds":5,"keys":1000,
 *  "valueSizeBytes":100,"rounds":2,"reported":"best-of-rounds",
 *  "systems":[{"name":"bulwark","opsPerSec":..,"p50Ms":..,"p99Ms":..,"p999Ms":..,"errors":..,
 *              "maxMs":..,"conflicts":..,"clientCpuSeconds":..,"serverCpuSeconds":..,
 *              "round":2,"errorsAllRounds":..,"rounds":[{"round":1,...},...]}, ...],
 *  "ratios":{"bulwark/etcd":2.1,"bulwark/zookeeper":1.4},
 *  "floor":{"fdatasyncP50Ms":..,"loopbackRttP50Ms":..,"floorMs":..,"samples":..,
 *           "bulwarkP50OverFloor":..}}
 * </pre>
 *
 * A system's top-level figures are those of its best round ({@link SystemResult#best()});
 * {@code ratios} divide bulwark's ops/s by each peer's (null if the peer made none). CPU seconds
 * are -1 where unknown. {@code floor} is the {@link PhysicalFloor} measured in the same run
 * (absent if it was not measured); its ratio compares bulwark's best-round p50 with it, which
 * is the single-client goal's measure.
 */
public final class BenchReport {
  private static final ObjectMapper JSON = new ObjectMapper();
  /** The system the ratios are taken against. */
  public static final String BULWARK = "bulwark";

  private BenchReport() {}

  /** @param floor the floor measured in this run, or null */
  public static ObjectNode json(BenchConfig config, int rounds, List<SystemResult> systems,
      PhysicalFloor floor) {
    ObjectNode doc = JSON.createObjectNode();
    doc.put("workload", config.workload().cliName());
    doc.put("clients", config.clients());
    doc.put("durationSeconds", config.durationSeconds());
    doc.put("warmupSeconds", config.warmupSeconds());
    doc.put("keys", config.keys());
    doc.put("valueSizeBytes", config.valueSizeBytes());
    doc.put("rounds", rounds);
    doc.put("reported", "best-of-rounds");
    ArrayNode list = doc.putArray("systems");
    for (SystemResult s : systems) {
      ObjectNode o = list.addObject();
      o.put("name", s.name());
      RunResult best = s.best();
      figures(o, best);
      o.put("round", best.round());
      o.put("errorsAllRounds", s.errorsAllRounds());
      ArrayNode perRound = o.putArray("rounds");
      for (RunResult r : s.rounds()) {
        ObjectNode ro = perRound.addObject();
        ro.put("round", r.round());
        figures(ro, r);
      }
    }
    ObjectNode ratios = doc.putObject("ratios");
    SystemResult bulwark = find(systems, BULWARK);
    if (bulwark != null) {
      for (SystemResult s : systems) {
        if (s != bulwark) {
          Double ratio = ratio(bulwark.best().opsPerSec(), s.best().opsPerSec());
          if (ratio == null) {
            ratios.putNull(BULWARK + "/" + s.name());
          } else {
            ratios.put(BULWARK + "/" + s.name(), round(ratio, 3));
          }
        }
      }
    }
    if (floor != null) {
      ObjectNode f = doc.putObject("floor");
      f.put("fdatasyncP50Ms", round(floor.fdatasyncP50Ms(), 3));
      f.put("loopbackRttP50Ms", round(floor.loopbackRttP50Ms(), 3));
      f.put("floorMs", round(floor.floorMs(), 3));
      f.put("samples", floor.samples());
      if (bulwark != null) {
        f.put("bulwarkP50OverFloor", round(bulwark.best().p50Ms() / floor.floorMs(), 2));
      }
    }
    return doc;
  }

  private static void figures(ObjectNode o, RunResult r) {
    o.put("opsPerSec", round(r.opsPerSec(), 1));
    o.put("p50Ms", round(r.p50Ms(), 3));
    o.put("p99Ms", round(r.p99Ms(), 3));
    o.put("p999Ms", round(r.p999Ms(), 3));
    o.put("maxMs", round(r.maxMs(), 3));
    o.put("errors", r.errors());
    o.put("ops", r.ops());
    o.put("conflicts", r.conflicts());
    o.put("clientCpuSeconds", round(r.clientCpuSeconds(), 2));
    o.put("serverCpuSeconds", round(r.serverCpuSeconds(), 2));
    if (r.firstError() != null) {
      o.put("firstError", r.firstError());
    }
  }

  /** The human table: one row per system (its best round), the ratios, then the floor. */
  public static String table(BenchConfig config, int rounds, List<SystemResult> systems,
      PhysicalFloor floor) {
    StringBuilder b = new StringBuilder();
    b.append(String.format(Locale.ROOT, "workload %s, %d clients, %d s measured after %d s "
            + "warm-up, %d keys, %d-byte values; best of %d round%s%n",
        config.workload().cliName(), config.clients(), config.durationSeconds(),
        config.warmupSeconds(), config.keys(), config.valueSizeBytes(), rounds,
        rounds == 1 ? "" : "s"));
    b.append(String.format(Locale.ROOT, "%-10s %10s %9s %9s %9s %8s %9s %12s %12s%n", "system",
        "ops/s", "p50 ms", "p99 ms", "p999 ms", "errors", "conflicts", "client CPU s",
        "server CPU s"));
    for (SystemResult s : systems) {
      RunResult r = s.best();
      b.append(String.format(Locale.ROOT, "%-10s %10.0f %9.2f %9.2f %9.2f %8d %9d %12s %12s%n",
          s.name(), r.opsPerSec(), r.p50Ms(), r.p99Ms(), r.p999Ms(), r.errors(), r.conflicts(),
          cpu(r.clientCpuSeconds()), cpu(r.serverCpuSeconds())));
    }
    SystemResult bulwark = find(systems, BULWARK);
    if (bulwark != null) {
      for (SystemResult s : systems) {
        if (s != bulwark) {
          Double ratio = ratio(bulwark.best().opsPerSec(), s.best().opsPerSec());
          b.append(String.format(Locale.ROOT, "ops/s bulwark/%s: %s%n", s.name(),
              ratio == null ? "n/a" : String.format(Locale.ROOT, "%.2fx", ratio)));
        }
      }
    }
    if (floor != null) {
      b.append(String.format(Locale.ROOT, "physical floor: %.3f ms (fdatasync p50 %.3f ms + 2 x "
              + "loopback round trip p50 %.3f ms)%s%n", floor.floorMs(), floor.fdatasyncP50Ms(),
          floor.loopbackRttP50Ms(), bulwark == null ? ""
              : String.format(Locale.ROOT, "; bulwark p50 / floor: %.2fx",
                  bulwark.best().p50Ms() / floor.floorMs())));
    }
    return b.toString();
  }

  private static String cpu(double seconds) {
    return seconds < 0 ? "-" : String.format(Locale.ROOT, "%.1f", seconds);
  }

  private static SystemResult find(List<SystemResult> systems, String name) {
    return systems.stream().filter(s -> s.name().equals(name)).findFirst().orElse(null);
  }

  private static Double ratio(double a, double b) {
    return b <= 0 ? null : a / b;
  }

  static double round(double v, int decimals) {
    double scale = Math.pow(10, decimals);
    return Math.round(v * scale) / scale;
  }

  /**
   * The failover document: {@code {"workload":"failover","systems":[{"name":"bulwark",
   * "kills":10,"medianGapMs":..,"maxGapMs":..,"gapsMs":[...],"victims":[...]}, ...]}}.
   */
  public static ObjectNode failoverJson(List<FailoverResult> results) {
    ObjectNode doc = JSON.createObjectNode();
    doc.put("workload", "failover");
    ArrayNode list = doc.putArray("systems");
    for (FailoverResult r : results) {
      ObjectNode o = list.addObject();
      o.put("name", r.name());
      o.put("kills", r.gapsMs().size());
      o.put("medianGapMs", round(r.medianGapMs(), 1));
      o.put("maxGapMs", round(r.maxGapMs(), 1));
      ArrayNode gaps = o.putArray("gapsMs");
      r.gapsMs().forEach(g -> gaps.add(round(g, 1)));
      ArrayNode victims = o.putArray("victims");
      r.victims().forEach(victims::add);
    }
    return doc;
  }

  /** The failover table: kills, median and max gap per system. */
  public static String failoverTable(List<FailoverResult> results) {
    StringBuilder b = new StringBuilder();
    b.append(String.format(Locale.ROOT, "%-10s %6s %14s %12s%n", "system", "kills",
        "median gap ms", "max gap ms"));
    for (FailoverResult r : results) {
      b.append(String.format(Locale.ROOT, "%-10s %6d %14.0f %12.0f%n", r.name(),
          r.gapsMs().size(), r.medianGapMs(), r.maxGapMs()));
    }
    return b.toString();
  }
}
