#!/usr/bin/env bash
# Installs what the tests need and runs the whole suite: everything on
# SQLite, then the end-to-end suite again on PostgreSQL.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
ensure_temporal

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

# A private PostgreSQL cluster on its own port, from Debian's `postgresql`.
start_postgres() {
  if ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
    echo "Installing PostgreSQL (Debian package postgresql)..." >&2
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  fi
  local version
  version="$(ls /usr/lib/postgresql | sort -V | tail -n 1)"
  if ! as_root pg_lsclusters -h | awk '{print $2}' | grep -qx leeway_test; then
    as_root pg_createcluster "$version" leeway_test -p 55432 -- --auth=trust >/dev/null
  fi
  as_root pg_ctlcluster "$version" leeway_test start 2>/dev/null || true
  for _ in $(seq 1 30); do
    if pg_isready -h 127.0.0.1 -p 55432 -q; then return; fi
    sleep 1
  done
  echo "PostgreSQL did not start on port 55432" >&2
  return 1
}

# Headless Chromium for the GraphiQL and public page tests, from Debian's
# `chromium`.
if ! command -v chromium >/dev/null 2>&1; then
  echo "Installing Chromium (Debian package chromium)..." >&2
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi

# pdftotext and pdftoppm for the annual report's PDF tests, from Debian's
# `poppler-utils`.
if ! command -v pdftotext >/dev/null 2>&1 || ! command -v pdftoppm >/dev/null 2>&1; then
  echo "Installing poppler-utils (pdftotext, pdftoppm)..." >&2
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq poppler-utils >/dev/null
fi

# axe-core for the public page's accessibility test, pinned, from npm.
LEEWAY_AXE="$(bash scripts/install-axe.sh)"
export LEEWAY_AXE

echo "== The GraphQL schema's documentation ==" >&2
bash scripts/lint-schema.sh

echo "== Tests on SQLite ==" >&2
env -u DATABASE_URL cargo test --workspace --quiet

if [ -z "${DATABASE_URL:-}" ]; then
  start_postgres
  export DATABASE_URL="postgres://postgres@127.0.0.1:55432/postgres"
  # Each test makes its own database; clear the last run's.
  psql "$DATABASE_URL" -Atc "SELECT datname FROM pg_database WHERE datname LIKE 'leeway_test_%'" |
    while read -r db; do psql "$DATABASE_URL" -qc "DROP DATABASE $db"; done
fi
echo "== End-to-end tests on PostgreSQL ==" >&2
cargo test -p leeway-tests -p leeway-migrations -p leeway-workflows --quiet
