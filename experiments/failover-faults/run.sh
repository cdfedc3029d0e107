#!/usr/bin/env bash
# The failover's downtime against the kind of fault: scenarios/failover.yaml with each of the lab's
# faults (its profiles), REPS repetitions each (default 5), one report at the end. The thesis does
# not say how it failed its master; its 1992.8 ms is set against each fault's figure in docs/thesis.md.
# As root, from the repository's top folder:  bash experiments/failover-faults/run.sh [RESULTS] [REPS]
# About a minute and a half per fault at 5 repetitions. Brings the lab down at the end if it brought it up.
set -euo pipefail
cd "$(dirname "$0")/../.."
out=${1:-results/experiments/failover-faults}
reps=${2:-5}
lb() { node bin/lb-bench.js "$@"; }
was_up=0
lb lab status >/dev/null 2>&1 && was_up=1
[ "$was_up" = 1 ] || lb lab up >&2
trap '[ "$was_up" = 1 ] || lb lab down >/dev/null' EXIT
runs=()
for fault in keepalived-stop keepalived-crash haproxy-crash link-down; do
  echo "== $fault" >&2
  # keepalived-stop is the scenario's own fault (no profile); the others are its profiles
  profile=(); [ "$fault" = keepalived-stop ] || profile=(--profile "$fault")
  scen=$(mktemp -d)/failover-$fault.yaml
  sed "s/^name: .*/name: failover-$fault/" scenarios/failover.yaml > "$scen"
  runs+=("$(lb run "$scen" "${profile[@]}" --repetitions "$reps" --out "$out" | tail -n 1)")
  rm -r "$(dirname "$scen")"
done
lb report "${runs[@]}" --out "$out/report"
