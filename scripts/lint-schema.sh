#!/usr/bin/env bash
# Lints the checked-in GraphQL schema (api/schema.graphql, which a test
# keeps equal to the code's) with graphql-schema-linter from npm: every
# type, field, argument and enum value described, names in GraphQL's
# cases. The alphabetical-order rules are left out on purpose: fields keep
# the order that reads best. Installs the pinned linter on first use.
set -euo pipefail
cd "$(dirname "$0")/.."
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
if ! command -v npm >/dev/null 2>&1; then
  echo "Installing Node.js and npm (Debian packages nodejs, npm)..." >&2
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null
fi
tools=target/schema-linter
if [ ! -x "$tools/node_modules/.bin/graphql-schema-linter" ]; then
  mkdir -p "$tools"
  (cd "$tools" && npm install --silent --no-audit --no-fund --prefix . graphql-schema-linter@3.0.1 graphql@16.15.0 >/dev/null)
fi
rules=arguments-have-descriptions,defined-types-are-used,deprecations-have-a-reason,descriptions-are-capitalized,enum-values-all-caps,enum-values-have-descriptions,fields-are-camel-cased,fields-have-descriptions,input-object-values-are-camel-cased,input-object-values-have-descriptions,types-are-capitalized,types-have-descriptions
"$tools/node_modules/.bin/graphql-schema-linter" --rules "$rules" --format compact api/schema.graphql
echo "api/schema.graphql passes graphql-schema-linter ($rules)." >&2
