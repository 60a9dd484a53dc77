#!/usr/bin/env bash
# Starts Leeway as Kentucky would on its first day: no demo data, the KY
# profile, and the state's own files from docs/examples (catalog,
# organisations, people, accountability results) imported into ./data-ky.
# Gives Danville's authorized representative a token (kept in
# ./data-ky/danville-rep.token for docs/kentucky-walkthrough.sh), then
# serves. Run it again: the imports change nothing the second time.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
ensure_temporal
export LEEWAY_DATA_DIR="${LEEWAY_DATA_DIR:-data-ky}"
export LEEWAY_STATE_PROFILE=KY
cargo build --quiet -p leeway-api --bin leeway
leeway=target/debug/leeway
for what in catalog organisations people accountability; do
  file="docs/examples/ky-$what.csv"
  "$leeway" import "$what" "$file"
done
token_file="$LEEWAY_DATA_DIR/danville-rep.token"
if [ ! -s "$token_file" ]; then
  "$leeway" token create --user danville-rep --label walkthrough >"$token_file"
fi
echo "Danville's authorized representative's token: $(cat "$token_file")"
exec "$leeway" serve "$@"
