#!/usr/bin/env bash
# The README's annual-report walk-through as a script: run it once against
# a fresh `scripts/serve-demo.sh` (delete ./data to start over). The demo's
# history (past waivers, accountability results, a network member, the
# open grant program) fills every section of the last finished school
# year's report.
set -euo pipefail
BASE="${LEEWAY_BASE:-http://127.0.0.1:8080}"
URL="$BASE/graphql"
OUT="${LEEWAY_REPORT_OUT:-./data/report-walkthrough}"
mkdir -p "$OUT"

gql() { # gql TOKEN|- QUERY [VARIABLES-JSON]; `-` reads without signing in
  local body auth=()
  body="$(python3 -c 'import json,sys; print(json.dumps({"query": sys.argv[1], "variables": json.loads(sys.argv[2])}))' "$2" "${3:-{\}}")"
  [ "$1" = - ] || auth=(-H "Authorization: Bearer $1")
  curl -sS "$URL" -H 'Content-Type: application/json' "${auth[@]}" -d "$body"
  echo
}
field() { python3 -c 'import json,sys; d=json.load(sys.stdin); print(eval("d"+sys.argv[1]))' "$1"; }

# The last school year whose compilation (1 November) has begun: 2026 for
# 2025-26 from 1 November 2026.
YEAR=$(python3 -c 'import datetime as d; n=d.date.today(); print(n.year if (n.month, n.day) >= (11, 1) else n.year - 1)')
Y="{\"y\": $YEAR}"

# 1. The schedule opens each year's report on the compilation day; an
#    administrator may start one at any time for a year whose day has come.
gql demo-admin 'mutation($y: Int!) { startAnnualReport(year: $y) {
  id stateName yearLabel dueAt drafts { version files { name sha256 url } } } }' "$Y"

# 2. Staff read draft 1: the summary in plain words, and its files.
gql demo-reviewer 'query($y: Int!) { annualReport(year: $y) { drafts { version document } } }' "$Y" \
  | field '["data"]["annualReport"]["drafts"][0]["document"]["summary"]'
PDF=$(gql demo-reviewer 'query($y: Int!) { annualReport(year: $y) { drafts { files { name url } } } }' "$Y" \
  | python3 -c 'import json,sys; print([f["url"] for f in json.load(sys.stdin)["data"]["annualReport"]["drafts"][0]["files"] if f["name"].endswith(".pdf")][0])')
curl -sS -H 'Authorization: Bearer demo-reviewer' "$BASE$PDF" -o "$OUT/draft-1.pdf"
echo "draft 1: $OUT/draft-1.pdf"

# 3. Staff write the narrative and the recommendations: draft 2, same figures.
gql demo-reviewer 'mutation($y: Int!, $p: [String!]!, $r: [String!]!) {
  reviseAnnualReport(year: $y, paragraphs: $p, recommendations: $r) { drafts { version figuresVersion } } }' \
  "{\"y\": $YEAR, \"p\": [\"Three districts used waivers this year, most often to replace seat time with mastery.\"],
    \"r\": [\"Amend DS 22-7-101 so that every district may award credit on demonstrated mastery.\"]}"

# 4. The approver certifies draft 2: it is emailed with its PDF, CSV and
#    JSON to the legislators and the committee, published, and the files'
#    SHA-256 recorded in the audit trail.
gql demo-approver 'mutation($y: Int!) { certifyAnnualReport(year: $y, version: 2) {
  stateName certification { version certifiedBy files { name sha256 url } }
  history { command reasons } } }' "$Y"

# 5. Anyone reads it, and can check a copy against the recorded hash.
gql - '{ publishedReports { yearLabel title certifiedAt files { name sha256 url } } }'
read -r NAME SHA URL_PATH < <(gql - '{ publishedReports { files { name sha256 url } } }' \
  | python3 -c 'import json,sys; f=[f for f in json.load(sys.stdin)["data"]["publishedReports"][0]["files"] if f["name"].endswith(".pdf")][0]; print(f["name"], f["sha256"], f["url"])')
curl -sS "$BASE$URL_PATH" -o "$OUT/$NAME"
echo "$SHA  $OUT/$NAME" | sha256sum -c -
curl -sS "$BASE/public" | grep -o "Certified on [^<]*"
