#!/usr/bin/env bash
# Nginx's loss against its worker settings: for each *.lab.yaml here, in name order, the lab is
# brought up with it and nginx-rr.yaml runs (3 levels × 5 repetitions); one report at the end.
# As root, from the repository's top folder:  bash experiments/nginx-connections/run.sh [RESULTS]
# About 2 minutes per settings file. Brings the lab down at the end if it brought it up.
set -euo pipefail
cd "$(dirname "$0")/../.."
here=experiments/nginx-connections
out=${1:-results/experiments/nginx-connections}
lb() { node bin/lb-bench.js "$@"; }
was_up=0
lb lab status >/dev/null 2>&1 && was_up=1
trap '[ "$was_up" = 1 ] || lb lab down >/dev/null' EXIT
runs=()
for cfg in "$here"/*.lab.yaml; do
  name=$(basename "$cfg" .lab.yaml)
  echo "== $name: $(grep -v '^#' "$cfg")" >&2
  lb lab up --config "$cfg" >&2
  # one scenario name per settings file, so that the report shows them side by side
  scen=$(mktemp -d)/nginx-$name.yaml
  sed "s/^name: .*/name: nginx-$name/" "$here/nginx-rr.yaml" > "$scen"
  runs+=("$(lb run "$scen" --out "$out" | tail -n 1)")
  rm -r "$(dirname "$scen")"
done
lb lab up >&2 # the defaults again
lb report "${runs[@]}" --out "$out/report"
