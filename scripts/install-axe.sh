#!/usr/bin/env bash
# Installs axe-core (Deque's accessibility checker, pinned) from npm into
# target/axe-core, for the public page's WCAG 2.1 AA test. Prints the path
# of axe.min.js.
set -euo pipefail
cd "$(dirname "$0")/.."
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
if ! command -v npm >/dev/null 2>&1; then
  echo "Installing Node.js and npm (Debian packages nodejs, npm)..." >&2
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null
fi
tools=target/axe-core
axe="$tools/node_modules/axe-core/axe.min.js"
if [ ! -f "$axe" ]; then
  mkdir -p "$tools"
  (cd "$tools" && npm install --silent --no-audit --no-fund --prefix . axe-core@4.10.3 >/dev/null)
fi
echo "$PWD/$axe"
