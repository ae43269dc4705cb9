#!/usr/bin/env bash
# Puts at 64 clients on one warm local cluster, alternating two placements of the 16 primaries of
# keyspace `default`: spread over the three nodes (the controller's placement, 6/5/5) and all on
# node n1 (the topology of a single-leader store such as etcd or ZooKeeper). Moves primaries with
# `bulwark handover`, so both placements run the same build, data and JIT state. Prints one line
# per system per run, and the placement after the run (a node that degrades under load may hand
# its primaries away: DESIGN §6); the cluster is stopped at the end. Takes about 2 minutes per
# run, about 6 with PEERS.
#
#   scripts/bench-placement.sh            # 2 runs of each placement
#   RUNS=3 scripts/bench-placement.sh
#   PEERS="--peer etcd --peer zookeeper" RUNS=1 scripts/bench-placement.sh
#                                         # each run also measures the peers, in the same
#                                         # invocation (2 rounds each, alternating, as the goals)
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS="${RUNS:-2}"
PEERS="${PEERS:-}"
ROUNDS=1
if [[ -n "$PEERS" ]]; then ROUNDS=2; fi
DIR="$(mktemp -d /tmp/bulwark-placement-XXXXXX)"
trap 'bin/bulwark local stop --dir "$DIR" >/dev/null 2>&1 || true; rm -rf "$DIR"' EXIT

# balance.after.ms=0: the controller must not hand the one-node placement's primaries back.
CLUSTER="$(bin/bulwark local start --dir "$DIR" --set balance.after.ms=0 \
  | sed -n 's/^export BULWARK_CLUSTER=//p')"
echo "cluster: $CLUSTER (in $DIR)"

# How many primaries of keyspace `default` each node has, e.g. "n1:6 n2:5 n3:5 ".
count_primaries() {
  bin/bulwark status --cluster "$CLUSTER" | awk '$1 == "default" {print $4}' | sort | uniq -c \
    | awk '{printf "%s:%s ", $2, $1}'
}

# Hands each shard's primaryship to the node the placement names (a no-op if it is primary).
place() {
  local placement=$1 shard target
  for shard in $(seq 0 15); do
    if [[ "$placement" == spread ]]; then target="n$((shard % 3 + 1))"; else target=n1; fi
    bin/bulwark handover --cluster "$CLUSTER" --to "$target" --wait 10s "$shard" >/dev/null 2>&1 \
      || true # already primary, or the move failed: the count below shows what holds
  done
  count_primaries
}

# A first run warms the cluster's JIT, so that neither placement pays for it.
echo "warming up (2 rounds) ..."
bin/bulwark bench --cluster "$CLUSTER" --workload put --clients 64 --duration 20 --rounds 2 \
  --json >/dev/null 2>&1
for ((i = 1; i <= RUNS; i++)); do
  for placement in spread one-node; do
    primaries="$(place "$placement")"
    # shellcheck disable=SC2086  # PEERS is a list of options, split on purpose.
    json="$(bin/bulwark bench --cluster "$CLUSTER" --workload put --clients 64 --duration 20 \
      --rounds "$ROUNDS" $PEERS --json 2>/dev/null)"
    after="$(count_primaries)"
    python3 -c '
import json, sys
doc = json.loads(sys.argv[5])
run, placement, primaries, after = sys.argv[1:5]
for s in doc["systems"]:
    rounds = " / ".join("%.0f" % r["opsPerSec"] for r in s["rounds"])
    ratio = doc.get("ratios", {}).get("bulwark/" + s["name"])
    print("run %s %-8s primaries %-18s %-9s %6.0f puts/s (%s)  p50 %6.2f ms  p99 %6.2f ms"
          "  errors %d%s" % (run, placement, primaries, s["name"], s["opsPerSec"], rounds,
                             s["p50Ms"], s["p99Ms"], s["errors"],
                             "  bulwark/%s %.2f" % (s["name"], ratio) if ratio else ""))
print("run %s %-8s primaries after the run: %s" % (run, placement, after))
' "$i" "$placement" "$primaries" "$after" "$json"
  done
done
