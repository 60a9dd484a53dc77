#!/usr/bin/env bash
# Installs what is missing and runs `leeway serve` on the embedded defaults
# (Temporal dev server, SQLite and an .eml outbox under ./data) with demo data.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
ensure_temporal
exec cargo run --quiet -p leeway-api --bin leeway -- serve --demo "$@"
