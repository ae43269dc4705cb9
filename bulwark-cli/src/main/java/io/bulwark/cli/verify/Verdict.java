package io.bulwark.cli.verify;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bulwark.check.CheckResult;
import io.bulwark.cli.ExitCode;
import java.util.List;
import java.util.Map;

/**
 * The outcome of a verify run: {@code verdict.json} and what {@code --json} prints.
 *
 * <pre>
 * {"result":"valid|invalid|unknown", "seed":42, "command":"bulwark verify ...",
 *  "runDir":"...", "workload":"register", "keyspaceAcks":"all", "seconds":71.2,
 *  "ops":{"ok":..,"fail":..,"info":..}, "errors":{"UNAVAILABLE":3,"DISK_FULL":12},
 *  "faults":{"kill":3,"pause":2}, "skipped":{"partition":"why"},
 *  "checker":{"model":"register","verdict":"VALID","anomaly":"","opsChecked":..},
 *  "lostWrites":[{"key":..,"value":..,"detail":..}], "staleReads":0,
 *  "unavailabilityMs":{"kill":1234}, "crashes":[], "problems":[], "warnings":[]}
 * </pre>
 *
 * {@code result} is valid only if the checker said VALID, no acknowledged write was lost, no read
 * was stale and nothing else went wrong ({@code problems}: a key could not be read at the end,
 * something could not be cleaned up). {@code warnings} (the cluster was slow to re-replicate
 * after the last heal) are reported but judge nothing: availability is measured, not asserted. Exit codes: 0 valid, 1
 * invalid, 4 unknown (the checker reached its time limit), as for {@code bulwark check}.
 */
record Verdict(long seed, String command, String runDir, String workload, String keyspaceAcks,
    double seconds, HistoryAnalysis.Result analysis, List<String> lostWriteDetails,
    Map<String, Long> errors, Map<String, Integer> faults, Map<String, String> skipped,
    String model, CheckResult check, List<String> crashes, List<String> problems,
    List<String> warnings) {

  private static final ObjectMapper JSON = new ObjectMapper();

  String result() {
    if (!analysis.lostWrites().isEmpty() || analysis.staleReads() > 0 || !problems.isEmpty()
        || check.verdict() == io.bulwark.check.Verdict.INVALID) {
      return "invalid";
    }
    return check.verdict() == io.bulwark.check.Verdict.VALID ? "valid" : "unknown";
  }

  int exitCode() {
    switch (result()) {
      case "valid":
        return ExitCode.OK;
      case "unknown":
        return ExitCode.UNKNOWN;
      default:
        return ExitCode.FAILED;
    }
  }

  ObjectNode toJson() {
    ObjectNode o = JSON.createObjectNode();
    o.put("result", result());
    o.put("seed", seed);
    o.put("command", command);
    o.put("runDir", runDir);
    o.put("workload", workload);
    o.put("keyspaceAcks", keyspaceAcks);
    o.put("seconds", Math.round(seconds * 10) / 10.0);
    ObjectNode ops = o.putObject("ops");
    ops.put("ok", analysis.ok());
    ops.put("fail", analysis.fail());
    ops.put("info", analysis.info());
    errors.forEach(o.putObject("errors")::put);
    faults.forEach(o.putObject("faults")::put);
    skipped.forEach(o.putObject("skipped")::put);
    ObjectNode checker = o.putObject("checker");
    checker.put("model", model);
    checker.put("verdict", check.verdict().name());
    checker.put("anomaly", check.anomaly());
    checker.put("opsChecked", check.opsChecked());
    ArrayNode lost = o.putArray("lostWrites");
    for (int i = 0; i < analysis.lostWrites().size(); i++) {
      HistoryAnalysis.LostWrite w = analysis.lostWrites().get(i);
      ObjectNode l = lost.addObject();
      l.put("key", w.key());
      l.put("value", w.value());
      l.put("detail", lostWriteDetails.get(i));
    }
    o.put("staleReads", analysis.staleReads());
    analysis.unavailabilityMs().forEach(o.putObject("unavailabilityMs")::put);
    crashes.forEach(o.putArray("crashes")::add);
    problems.forEach(o.putArray("problems")::add);
    warnings.forEach(o.putArray("warnings")::add);
    return o;
  }

  /** The human-readable summary (standard out without {@code --json}). */
  String toText() {
    StringBuilder b = new StringBuilder();
    b.append("verdict: ").append(result().toUpperCase(java.util.Locale.ROOT)).append('\n');
    b.append(String.format("ops: %d ok, %d fail, %d info%s%n", analysis.ok(), analysis.fail(),
        analysis.info(), errors.isEmpty() ? "" : " (errors seen: " + errors + ")"));
    b.append("faults injected: ").append(faults.isEmpty() ? "none" : faults).append('\n');
    skipped.forEach((k, why) -> b.append("skipped nemesis ").append(k).append(": ").append(why)
        .append('\n'));
    b.append("checker (").append(model).append("): ").append(check.verdict())
        .append(check.anomaly().isEmpty() ? "" : " -- " + check.anomaly()).append('\n');
    b.append("acknowledged writes lost: ").append(analysis.lostWrites().size()).append('\n');
    lostWriteDetails.forEach(d -> b.append("  ").append(d).append('\n'));
    if (analysis.staleReads() > 0) {
      b.append("stale reads (a write unseen, then seen again): ").append(analysis.staleReads())
          .append('\n');
    }
    b.append("longest unavailability (ms without an acknowledged write to a key) per fault: ")
        .append(analysis.unavailabilityMs().isEmpty() ? "-" : analysis.unavailabilityMs())
        .append('\n');
    crashes.forEach(c -> b.append("node crash (not a nemesis): ").append(c).append('\n'));
    problems.forEach(p -> b.append("problem: ").append(p).append('\n'));
    warnings.forEach(w -> b.append("warning: ").append(w).append('\n'));
    b.append(String.format("seed %d, %.1f s; run folder %s%n", seed, seconds, runDir));
    b.append("replay: ").append(command).append('\n');
    return b.toString();
  }
}
