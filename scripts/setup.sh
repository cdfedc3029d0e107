#!/usr/bin/env bash
# Set up a fresh Debian-like machine for lb-bench: the lab's Debian packages (as root), the npm
# packages, and the compiled CLI. Safe to run again; it only installs what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

PACKAGES=(haproxy nginx apache2 keepalived openssh-server iputils-ping iproute2 util-linux fonts-dejavu-core wrk apache2-utils)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  if [[ $(id -u) -ne 0 ]]; then
    echo "setup: as root, install: apt-get install -y ${missing[*]}" >&2
    exit 3
  fi
  echo "setup: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # the lab runs its own instances; the distribution's services must not start (no systemd here anyway)
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

npm ci --no-audit --no-fund --loglevel=error
npm run build --silent
