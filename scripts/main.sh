#!/usr/bin/env bash
# The main job on a fresh machine, as root: install, build, and reproduce the thesis on the lab
# (quick profile). Prints the report folder's path last. Extra arguments go to `reproduce`,
# e.g. `bash scripts/main.sh --profile thesis` for the full 30-repetition reproduction.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec node bin/lb-bench.js reproduce --profile quick "$@"
