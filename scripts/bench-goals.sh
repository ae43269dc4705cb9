#!/usr/bin/env bash
# The runs behind docs/benchmarks.md's "Against the goals of issue 7": every goal's command, one
# after the other, each with etcd and ZooKeeper measured in the same invocation. Writes each
# run's JSON to OUT/<name>.json, its table and progress to OUT/<name>.txt, and the machine's
# description to OUT/machine.txt. Run it on a quiet machine: the figures are only as good as
# the cores the three systems get. Takes about 45 minutes (ONLY=put64 runs one).
#
#   scripts/bench-goals.sh                     # OUT=bench-runs/<UTC time>
#   ONLY=failover scripts/bench-goals.sh
set -euo pipefail
cd "$(dirname "$0")/.."

OUT="${OUT:-bench-runs/$(date -u +%Y%m%dT%H%M%SZ)}"
ONLY="${ONLY:-}"
mkdir -p "$OUT"

{
  echo "date: $(date -u)"
  echo "commit: $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
  echo "nproc: $(nproc)"
  lscpu | grep -E 'Model name|^CPU\(s\)' || true
  free -g | head -2
  java -version 2>&1 | head -1
  echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
} > "$OUT/machine.txt"

# name | bench options (peers added to every run)
RUNS=(
  "put64|--workload put --clients 64 --duration 20"
  "get64|--workload get --clients 64 --duration 20"
  "put1|--workload put --clients 1 --duration 20"
  "txn64|--workload txn --clients 64 --duration 20"
  "failover|--failover --kills 10"
)

for run in "${RUNS[@]}"; do
  IFS='|' read -r name options <<< "$run"
  [[ -z "$ONLY" || "$ONLY" == "$name" ]] || continue
  # shellcheck disable=SC2086  # options is a list of options
  cmd="bin/bulwark bench $options --peer etcd --peer zookeeper"
  echo "bench-goals: $(date -u +%H:%M:%S) $cmd (load average $(cut -d' ' -f1 /proc/loadavg))" >&2
  echo "\$ $cmd --json" > "$OUT/$name.txt"
  # shellcheck disable=SC2086
  bin/bulwark ${cmd#bin/bulwark } --json > "$OUT/$name.json" 2>> "$OUT/$name.txt" \
    || echo "bench-goals: $name exited with $?" >&2
done
echo "bench-goals: done; results in $OUT" >&2
