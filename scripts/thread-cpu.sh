#!/usr/bin/env bash
# CPU used by each named thread of some processes over a window, summed by thread name (numbers
# stripped: "grpc-default-worker-ELG-3-1" counts as "grpc-default-worker-ELG"), from
# /proc/PID/task/*/stat (utime + stime, in 1/100 s). docs/benchmarks.md's per-thread figures.
#
#   scripts/thread-cpu.sh SECONDS PID...       e.g. the pids in a local cluster's cluster.json
set -euo pipefail
window="$1"; shift
snap() {
  for p in "$@"; do
    for t in /proc/"$p"/task/*; do
      # A thread may end between listing and reading: skip it.
      stat="$(cat "$t/stat" 2>/dev/null)" || continue
      name="$(cat "$t/comm" 2>/dev/null | tr ' ' _)" || continue
      echo "$p:${t##*/} $name $(awk '{print $12 + $13}' <<< "${stat##*) }" 2>/dev/null || echo 0)"
    done
  done
}
before="$(snap "$@")"
sleep "$window"
after="$(snap "$@")"
python3 - "$before" "$after" "$window" <<'PY'
import collections, re, sys
before = {l.split()[0]: int(l.split()[2]) for l in sys.argv[1].splitlines() if len(l.split()) == 3}
by_name = collections.Counter()
for line in sys.argv[2].splitlines():
    fields = line.split()
    if len(fields) != 3:
        continue
    tid, name, ticks = fields
    by_name[re.sub(r'[-_#]?\d+$', '', name)] += int(ticks) - before.get(tid, 0)
total = sum(by_name.values())
print(f"{total / 100:.2f} CPU-seconds in {sys.argv[3]} s")
for name, ticks in by_name.most_common(15):
    print(f"{name:28s} {ticks / 100:7.2f} s {100 * ticks / max(total, 1):5.1f} %")
PY
