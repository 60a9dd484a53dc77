#!/usr/bin/env bash
# Fetches the pinned GraphiQL and React browser builds from npm into
# api/assets/graphiql and checks them against its SHA256SUMS. To upgrade,
# change the versions, run with --update, and review the diff.
set -euo pipefail
cd "$(dirname "$0")/.."
GRAPHIQL=4.1.2
REACT=18.3.1
dest=api/assets/graphiql
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "graphiql@$GRAPHIQL" "react@$REACT" "react-dom@$REACT" >/dev/null)
for pkg in "graphiql-$GRAPHIQL" "react-$REACT" "react-dom-$REACT"; do
  mkdir -p "$work/$pkg" && tar xzf "$work/$pkg.tgz" -C "$work/$pkg"
done
cp "$work/graphiql-$GRAPHIQL/package/graphiql.min.js" "$work/graphiql-$GRAPHIQL/package/graphiql.min.css" "$dest/"
cp "$work/react-$REACT/package/umd/react.production.min.js" "$dest/"
cp "$work/react-dom-$REACT/package/umd/react-dom.production.min.js" "$dest/"
cp "$work/graphiql-$GRAPHIQL/package/LICENSE" "$dest/LICENSE.graphiql"
cp "$work/react-$REACT/package/LICENSE" "$dest/LICENSE.react"
cp "$work/react-dom-$REACT/package/LICENSE" "$dest/LICENSE.react-dom"
cd "$dest"
if [ "${1:-}" = "--update" ]; then
  sha256sum graphiql.min.js graphiql.min.css react.production.min.js react-dom.production.min.js >SHA256SUMS
fi
sha256sum --check SHA256SUMS
