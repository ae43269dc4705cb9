#!/usr/bin/env bash
# The 10-run table of docs/testing.md (issue 4, criterion 1): 60-second `bin/bulwark verify`
# runs for each nemesis alone and for all of them together, 10 of each, taken round-robin
# (run 1 of every configuration, then run 2, ...) so that an interrupted batch still has
# consecutive runs of every configuration. Bounded: at most ROUNDS x 6 runs, and no new run
# starts after STOP_AT (a `date -d` time, e.g. 10:40). One TSV line per run in OUT/results.tsv;
# each run's folder is OUT/<config>-<round>. Resume an interrupted batch with FIRST_ROUND=N.
#
#   scripts/verify-table.sh                  # OUT=verify-runs/table, rounds 1..10
#   STOP_AT=10:40 FIRST_ROUND=3 scripts/verify-table.sh
#   BULWARK=/path/to/a/frozen/bulwark scripts/verify-table.sh   # runs safe from rebuilds
#   WORKLOAD=bank ROUNDS=1 OUT=verify-runs/bank scripts/verify-table.sh   # criterion 2
#   CONFIGS_ONLY="disk-full all" scripts/verify-table.sh                   # some configurations
# A run whose OUT/<config>-<round>.json exists is skipped, so a batch can be resumed.
set -euo pipefail
cd "$(dirname "$0")/.."

OUT="${OUT:-verify-runs/table}"
BULWARK="${BULWARK:-bin/bulwark}"
ROUNDS="${ROUNDS:-10}"
WORKLOAD="${WORKLOAD:-register}"
CONFIGS_ONLY="${CONFIGS_ONLY:-}"
FIRST_ROUND="${FIRST_ROUND:-1}"
SECONDS_PER_RUN="${SECONDS_PER_RUN:-60}"
STOP_AT_EPOCH=""
if [[ -n "${STOP_AT:-}" ]]; then
  STOP_AT_EPOCH="$(date -d "$STOP_AT" +%s)"
fi
mkdir -p "$OUT"
RESULTS="$OUT/results.tsv"
[[ -f "$RESULTS" ]] || printf 'config\tround\tseed\texit\tresult\tok\tfail\tinfo\tfaults\tlost\tunavailability_ms\tseconds\tcommand\n' > "$RESULTS"

# name | nemeses | extra options
CONFIGS=(
  "kill|kill|"
  "pause|pause|"
  "partition|partition|"
  "disk-full|disk-full|"
  "zookeeper|zookeeper|--zookeeper-ensemble 3"
  "all|kill,pause,partition,disk-full,zookeeper|--zookeeper-ensemble 3"
)

for ((round = FIRST_ROUND; round <= ROUNDS; round++)); do
  for c in "${!CONFIGS[@]}"; do
    IFS='|' read -r name nemeses extra <<< "${CONFIGS[$c]}"
    if [[ -n "$CONFIGS_ONLY" && " $CONFIGS_ONLY " != *" $name "* ]]; then
      continue
    fi
    if [[ -n "$STOP_AT_EPOCH" && "$(date +%s)" -ge "$STOP_AT_EPOCH" ]]; then
      echo "verify-table: STOP_AT reached before $name round $round" >&2
      exit 0
    fi
    seed=$((1000 * (c + 1) + round))
    dir="$OUT/$name-$round"
    if [[ -s "$dir.json" ]]; then
      continue
    fi
    # shellcheck disable=SC2086  # extra is a list of options
    cmd="bin/bulwark verify --nodes 3 --time $SECONDS_PER_RUN --nemesis $nemeses --workload $WORKLOAD --clients 10 $extra --seed $seed"
    echo "verify-table: $(date -u +%H:%M:%S) $cmd" >&2
    code=0
    # shellcheck disable=SC2086
    "$BULWARK" ${cmd#bin/bulwark } --dir "$dir" --json > "$dir.json" 2> "$dir.err" || code=$?
    if [[ -s "$dir.json" ]]; then
      python3 - "$dir.json" "$name" "$round" "$seed" "$code" "$cmd" >> "$RESULTS" <<'PY'
import json, sys
v = json.load(open(sys.argv[1]))
print("\t".join([sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5], v["result"],
    str(v["ops"]["ok"]), str(v["ops"]["fail"]), str(v["ops"]["info"]),
    ",".join(f"{k}={n}" for k, n in v.get("faults", {}).items()),
    str(len(v["lostWrites"])),
    ",".join(f"{k}={n}" for k, n in v.get("unavailabilityMs", {}).items()),
    str(v["seconds"]), sys.argv[6]]))
PY
    else
      printf '%s\t%s\t%s\t%s\terror\t\t\t\t\t\t\t\t%s\n' "$name" "$round" "$seed" "$code" "$cmd" >> "$RESULTS"
    fi
  done
done
