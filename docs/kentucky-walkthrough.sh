#!/usr/bin/env bash
# The README's "Start a real state" walk-through as a script: run it
# against `scripts/start-kentucky.sh` (LEEWAY_URL defaults to
# http://127.0.0.1:8080/graphql). Danville Independent drafts and submits a
# district-of-innovation request citing real Kentucky provisions, then sees
# a provision KRS 156.161(1) keeps out of reach refused, with the reason.
set -euo pipefail
cd "$(dirname "$0")/.."
URL="${LEEWAY_URL:-http://127.0.0.1:8080/graphql}"
TOKEN="${DANVILLE_TOKEN:-$(cat "${LEEWAY_DATA_DIR:-data-ky}/danville-rep.token")}"

gql() { # gql QUERY [VARIABLES-JSON]
  local body
  body="$(python3 -c 'import json,sys; print(json.dumps({"query": sys.argv[1], "variables": json.loads(sys.argv[2])}))' "$1" "${2:-{\}}")"
  curl -sS "$URL" -H 'Content-Type: application/json' -H "Authorization: Bearer $TOKEN" -d "$body"
  echo
}

request() { # request CITATION...
  python3 - "$@" <<'PY'
import json, sys
items = [{"citation": c,
          "rationale": "Students advance on demonstrated mastery, not seat time.",
          "replacementPractice": "Competency assessments reviewed each quarter.",
          "goal": "Raise the share of students meeting mastery by 10 points.",
          "measure": "Share of students at mastery on the district's competency rubric."}
         for c in sys.argv[1:]]
print(json.dumps({"content": {
  "title": "Danville Independent: learning on mastery, not seat time",
  "applicantKind": "DISTRICT", "schoolIds": [], "items": items,
  "studentsAffected": 1921, "grades": ["6","7","8","9","10","11","12"],
  "subgroups": ["economically_disadvantaged", "english_learners"],
  "resources": "Two instructional coaches; a mastery-tracking system.",
  "localSupport": {
    "boardVote": {"yes": 5, "no": 0, "membership": 5},
    "staffVote": {"yes": 140, "no": 21, "eligible": 170, "secretBallot": True,
                  "certifiedBy": "the school-based decision making council"},
    "parentConsultation": "Two public forums and a survey of families."}}}))
PY
}

OPEN='mutation Open($content: WaiverContentInput!) { openWaiverDraft(content: $content) { id state } }'
SUBMIT='mutation Submit($id: ID!) { submitWaiver(id: $id) { state openDeadlines { kind dueAt } } }'
id_of() { python3 -c 'import json,sys; print(json.load(sys.stdin)["data"]["openWaiverDraft"]["id"])'; }

gql '{ me { name role organisation { name } } }'

echo "# Seat time (702 KAR 7:125) and school councils (KRS 160.345): waivable."
ID=$(gql "$OPEN" "$(request '702 KAR 7:125' 'KRS 160.345')" | id_of)
gql "$SUBMIT" "{\"id\": \"$ID\"}"

echo "# The state assessment (KRS 158.6453): refused, with the statute that says so."
ID=$(gql "$OPEN" "$(request '702 KAR 7:125' 'KRS 158.6453')" | id_of)
gql "$SUBMIT" "{\"id\": \"$ID\"}"
