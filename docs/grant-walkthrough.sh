#!/usr/bin/env bash
# The README's grant walk-through as a script: run it once against a fresh
# `scripts/serve-demo.sh` (delete ./data to start over). The demo's open
# program, DEMO-MASTERY, has $1,400,000 appropriated and two reviewers per
# application. Amounts are in cents.
set -euo pipefail
URL="${LEEWAY_URL:-http://127.0.0.1:8080/graphql}"

gql() { # gql TOKEN|- QUERY [VARIABLES-JSON]; `-` reads without signing in
  local body auth=()
  body="$(python3 -c 'import json,sys; print(json.dumps({"query": sys.argv[1], "variables": json.loads(sys.argv[2])}))' "$2" "${3:-{\}}")"
  [ "$1" = - ] || auth=(-H "Authorization: Bearer $1")
  curl -sS "$URL" -H 'Content-Type: application/json' "${auth[@]}" -d "$body"
  echo
}
field() { python3 -c 'import json,sys; d=json.load(sys.stdin); print(eval("d"+sys.argv[1]))' "$1"; }
on() { echo "{\"id\": \"$ID\"}"; }

# 1. Anyone can read the program, its rubric and its appropriation's ledger.
gql - '{ grantPrograms { code name state minAward maxAward windowCloses rubric { id maxPoints }
  ledger { appropriated available committed disbursed lapsed } } }'

# 2. Riverbend's applicant writes the application; its authorized
#    representative certifies and submits it.
ID=$(gql demo-district-applicant 'mutation($a: GrantProposalInput!) {
  openGrantApplication(program: "DEMO-MASTERY", proposal: $a) { id stateName requested } }' '{"a": {
  "narrative": "Teachers at both secondary schools design competency-based units with families.",
  "budget": [{"category": "PERSONNEL", "description": "Teacher design stipends", "amount": 6000000},
             {"category": "SUPPLIES", "description": "Classroom materials", "amount": 1500000}],
  "studentsServed": 1200,
  "goals": [{"measure": "Students at mastery in grade 8 math", "baseline": "41%", "target": "55%"}]}}' \
  | field '["data"]["openGrantApplication"]["id"]')
gql demo-district-rep 'mutation($id: ID!) { submitGrantApplication(id: $id) { stateName requested } }' "$(on)"

# 3. The SEA checks it; the approver puts two reviewers on its panel. Each
#    declares conflicts before the application opens to them.
gql demo-reviewer 'mutation($id: ID!) { acceptGrantApplicationAsComplete(id: $id) { stateName } }' "$(on)"
gql demo-approver 'mutation($id: ID!) { assignGrantReviewer(id: $id, reviewerId: "rita") { stateName } }' "$(on)"
gql demo-approver 'mutation($id: ID!) { assignGrantReviewer(id: $id, reviewerId: "sam") { panel { reviewerId state } } }' "$(on)"
gql demo-reviewer 'mutation($id: ID!) { declareGrantConflicts(id: $id) { proposal { narrative } } }' "$(on)"
gql demo-reviewer-2 'mutation($id: ID!) { declareGrantConflicts(id: $id) { panel { reviewerId state } } }' "$(on)"

# 4. Each scores the rubric. Until both have, each sees only their own.
gql demo-reviewer 'mutation($id: ID!) { scoreGrantApplication(id: $id, scores: [
  {criterion: "need", points: 34, comment: "Clear need at both schools."},
  {criterion: "plan", points: 32, comment: "Sound plan; goals measurable."},
  {criterion: "budget", points: 16, comment: "Stipends are reasonable."}]) { stateName scores { reviewerId total } } }' "$(on)"
gql demo-reviewer-2 'mutation($id: ID!) { scoreGrantApplication(id: $id, scores: [
  {criterion: "need", points: 30, comment: "Need shown."},
  {criterion: "plan", points: 30, comment: "Plan needs a timeline."},
  {criterion: "budget", points: 15, comment: "Materials could be shared."}]) { stateName aggregate { mean spread equityPoints total } } }' "$(on)"
gql demo-approver '{ grantProgramCase(code: "DEMO-MASTERY") { slate { rank grantId totalScore requested } } }'

# 5. The approver awards less than asked, with a reason; the money is
#    committed from the appropriation in the same step. Riverbend accepts.
gql demo-approver 'mutation($id: ID!) { awardGrant(id: $id, amount: 6000000, reasons: ["Materials are covered by the state library program."]) {
  stateName award { amount acceptBy budget { category amount } } } }' "$(on)"
gql demo-district-rep 'mutation($id: ID!) { acceptGrantAward(id: $id) { stateName reports { no kind due } } }' "$(on)"

# 6. A claim above the balance is refused, naming it; one that fits is
#    paid by the fiscal officer.
TODAY=$(date -u +%F)
gql demo-district-applicant "mutation(\$id: ID!) { submitGrantClaim(id: \$id, claim: {category: PERSONNEL, amount: 7000000, incurredOn: \"$TODAY\", documentation: [\"INV-1\"]}) { stateName } }" "$(on)"
gql demo-district-applicant "mutation(\$id: ID!) { submitGrantClaim(id: \$id, claim: {category: PERSONNEL, amount: 2500000, incurredOn: \"$TODAY\", documentation: [\"Payroll 2027-03\"]}) { award { remaining } claims { no state } } }" "$(on)"
gql demo-fiscal 'mutation($id: ID!) { approveGrantClaim(id: $id, claim: 1, paymentReference: "Warrant 2027-0042") { claims { no state paymentReference } award { paid remaining } } }' "$(on)"

# 7. The ledger adds up; the award is public; the audit trail holds it all.
gql - '{ grantProgram(code: "DEMO-MASTERY") { ledger { appropriated available committed disbursed lapsed } } }'
gql - '{ grantAwards { organisationName programName amount purpose } }'
gql demo-district-applicant 'query($id: ID!) { grant(id: $id) { scores { reviewerId total } history { command actorUserId } } }' "$(on)"
