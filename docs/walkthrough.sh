#!/usr/bin/env bash
# The README walk-through as a script: run it against `scripts/serve-demo.sh`
# (LEEWAY_URL defaults to http://127.0.0.1:8080/graphql).
set -euo pipefail
URL="${LEEWAY_URL:-http://127.0.0.1:8080/graphql}"

gql() { # gql TOKEN QUERY [VARIABLES-JSON]
  local body
  body="$(python3 -c 'import json,sys; print(json.dumps({"query": sys.argv[1], "variables": json.loads(sys.argv[2])}))' "$2" "${3:-{\}}")"
  curl -sS "$URL" -H 'Content-Type: application/json' -H "Authorization: Bearer $1" -d "$body"
  echo
}

# 1. A Riverbend applicant drafts an innovation-zone request.
OPENED=$(gql demo-district-applicant '
mutation Open($content: WaiverContentInput!) {
  openWaiverDraft(content: $content) { id state }
}' '{"content": {
  "title": "Riverbend mastery-based innovation zone",
  "applicantKind": "INNOVATION_ZONE",
  "schoolIds": ["riverbend-high", "riverbend-middle"],
  "items": [
    {"citation": "DS 22-7-101", "rationale": "Students advance on demonstrated mastery, not seat time.",
     "replacementPractice": "Competency assessments with a 90-day mastery window.",
     "goal": "Raise on-time graduation by 5 points.", "measure": "Four-year cohort graduation rate."},
    {"citation": "DS 22-7-205", "rationale": "A flexible calendar for internships.",
     "replacementPractice": "Equivalent hours through work-based learning.",
     "goal": "Every senior completes an internship.", "measure": "Internship completion rate."}
  ],
  "studentsAffected": 2330,
  "grades": ["6","7","8","9","10","11","12"],
  "subgroups": ["english_learners", "economically_disadvantaged"],
  "resources": "Two instructional coaches.",
  "localSupport": {
    "boardVote": {"yes": 5, "no": 2, "membership": 7},
    "staffVote": {"yes": 88, "no": 12, "eligible": 104, "secretBallot": true, "certifiedBy": "Riverbend faculty panel"},
    "parentConsultation": "Three community forums in March."
  }
}}')
echo "$OPENED"
ID=$(echo "$OPENED" | python3 -c 'import json,sys; print(json.load(sys.stdin)["data"]["openWaiverDraft"]["id"])')

# 2. The district's authorized representative certifies and submits it.
gql demo-district-rep 'mutation($id: ID!) { submitWaiver(id: $id) { state version openDeadlines { kind dueAt } } }' "{\"id\": \"$ID\"}"

# 3. SEA: completeness check, a reviewer assigned, conflicts declared.
gql demo-reviewer 'mutation($id: ID!) { acceptWaiverAsComplete(id: $id) { state } }' "{\"id\": \"$ID\"}"
gql demo-approver 'mutation($id: ID!) { assignWaiverReviewer(id: $id, reviewerId: "rita") { state assignedReviewerId } }' "{\"id\": \"$ID\"}"
gql demo-reviewer 'mutation($id: ID!) { declareWaiverConflict(id: $id, hasConflict: false, statement: "No ties to Riverbend.") { state } }' "{\"id\": \"$ID\"}"

# 4. The reviewer recommends.
gql demo-reviewer 'mutation($id: ID!) {
  recommendWaiver(id: $id, summary: "Approve seat time with reporting; keep the calendar minimum.", decisions: [
    {citation: "DS 22-7-101", outcome: APPROVE_WITH_CONDITIONS, conditions: "Report mastery data each semester."},
    {citation: "DS 22-7-205", outcome: DENY, reason: "Calendar minimums protect instructional days."}
  ]) { state }
}' "{\"id\": \"$ID\"}"

# 5. The approver approves part of it.
gql demo-approver 'mutation($id: ID!) {
  decideWaiver(id: $id, decisions: [
    {citation: "DS 22-7-101", outcome: APPROVE_WITH_CONDITIONS, conditions: "Report mastery data each semester."},
    {citation: "DS 22-7-205", outcome: DENY, reason: "Calendar minimums protect instructional days."}
  ]) { state termStart termEnd items { citation decision conditions decisionReason } }
}' "{\"id\": \"$ID\"}"

# 6. The case, its history and its emails; and the audit trail, verified.
gql demo-district-applicant 'query($id: ID!) {
  waiverCase(id: $id) {
    state
    history { seq command fromState toState actorUserId actorRole reasons hash }
    notifications { recipientEmail subject status }
  }
}' "{\"id\": \"$ID\"}"
gql demo-auditor '{ auditVerification { intact chains entries problems { chain seq problem } } }'
