#!/usr/bin/env bash
# Puts at 64 clients on one warm local cluster, alternating two placements of the 16 primaries of
# keyspace `default`: spread over the three nodes (the controller's placement, 6/5/5) and all on
# node n1 (the topology of a single-leader store such as etcd or ZooKeeper). Moves primaries with
# `bulwark handover`, so both placements run the same build, data and JIT state. Prints one line
# per run; the cluster is stopped at the end. Takes about 2 minutes per run.
#
#   scripts/bench-placement.sh            # 2 runs of each placement
#   RUNS=3 scripts/bench-placement.sh
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS="${RUNS:-2}"
DIR="$(mktemp -d /tmp/bulwark-placement-XXXXXX)"
trap 'bin/bulwark local stop --dir "$DIR" >/dev/null 2>&1 || true; rm -rf "$DIR"' EXIT

CLUSTER="$(bin/bulwark local start --dir "$DIR" | sed -n 's/^export BULWARK_CLUSTER=//p')"
echo "cluster: $CLUSTER (in $DIR)"

# Hands each shard's primaryship to the node the placement names (a no-op if it is primary).
place() {
  local placement=$1 shard target
  for shard in $(seq 0 15); do
    if [[ "$placement" == spread ]]; then target="n$((shard % 3 + 1))"; else target=n1; fi
    bin/bulwark handover --cluster "$CLUSTER" --to "$target" --wait 10s "$shard" >/dev/null 2>&1 \
      || true # already primary, or the move failed: the count below shows what holds
  done
  bin/bulwark status --cluster "$CLUSTER" | awk '$1 == "default" {print $4}' | sort | uniq -c \
    | awk '{printf "%s:%s ", $2, $1}'
}

# A first run warms the cluster's JIT, so that neither placement pays for it.
echo "warming up (2 rounds) ..."
bin/bulwark bench --cluster "$CLUSTER" --workload put --clients 64 --duration 20 --rounds 2 \
  --json >/dev/null 2>&1
for ((i = 1; i <= RUNS; i++)); do
  for placement in spread one-node; do
    primaries="$(place "$placement")"
    bin/bulwark bench --cluster "$CLUSTER" --workload put --clients 64 --duration 20 --rounds 1 \
      --json 2>/dev/null | python3 -c '
import json, sys
s = json.load(sys.stdin)["systems"][0]
run, placement, primaries = sys.argv[1:4]
print("run %s %-8s primaries %-18s %6.0f puts/s  p50 %6.2f ms  p99 %6.2f ms  errors %d"
      % (run, placement, primaries, s["opsPerSec"], s["p50Ms"], s["p99Ms"], s["errors"]))
' "$i" "$placement" "$primaries"
  done
done
