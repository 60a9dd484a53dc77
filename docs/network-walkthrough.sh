#!/usr/bin/env bash
# The README's network walk-through as a script: run it once against a
# fresh `scripts/serve-demo.sh` (delete ./data to start over). The demo
# network, DLN, has three seats.
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

# 1. Anyone can read the network: its statute, seats, window and what it asks.
gql - '{ networkProgram(code: "DLN") { name statute cap seatsHeld
  applicationWindows { description } readinessQuestions { id question } commitments { id text } } }'

APPLICATION='{"network": "DLN", "a": {
  "letter": "Our board and teachers commit to mastery-based learning and to the network'"'"'s work.",
  "commitments": ["planning_year", "convenings", "reporting"],
  "readiness": [
    {"questionId": "leadership", "answer": "The superintendent leads a design team of teachers and two trustees."},
    {"questionId": "students", "answer": "Our two secondary schools first, about 1,200 students."}
  ],
  "studentsReached": 1200}}'
OPEN='mutation($network: String!, $a: NetworkApplicationInput!) { openNetworkApplication(network: $network, application: $a) { id state } }'

# 2. Four districts and a charter apply; each authorized representative
#    certifies the letter of commitment and submits; the SEA checks and
#    reviews each.
declare -A IDS
for rep in demo-district-rep demo-other-district-rep demo-lakeside-rep demo-summit-rep; do
  ID=$(gql "$rep" "$OPEN" "$APPLICATION" | field '["data"]["openNetworkApplication"]["id"]')
  IDS[$rep]=$ID
  gql "$rep" 'mutation($id: ID!) { submitNetworkApplication(id: $id) { state submittedAt } }' "{\"id\": \"$ID\"}"
  gql demo-reviewer 'mutation($id: ID!) { acceptNetworkApplicationAsComplete(id: $id) { state } }' "{\"id\": \"$ID\"}"
  gql demo-reviewer 'mutation($id: ID!) { reviewNetworkApplication(id: $id, score: 80, summary: "A ready team with board support.") { state reviewScore } }' "{\"id\": \"$ID\"}"
done

# 3. The approver selects while seats remain: three seats, three members.
for rep in demo-district-rep demo-other-district-rep demo-lakeside-rep; do
  gql demo-approver 'mutation($id: ID!) { selectNetworkApplicant(id: $id) { state cohort planningEndsAt } }' "{\"id\": \"${IDS[$rep]}\"}"
done
# The fourth is refused (CONFLICT: no seat is free) and goes on the wait list.
gql demo-approver 'mutation($id: ID!) { selectNetworkApplicant(id: $id) { state } }' "{\"id\": \"${IDS[demo-summit-rep]}\"}"
gql demo-approver 'mutation($id: ID!) { waitListNetworkApplicant(id: $id) { state waitListPosition } }' "{\"id\": \"${IDS[demo-summit-rep]}\"}"

# 4. Riverbend leaves; its seat is offered to Summit, first on the wait list.
gql demo-district-rep 'mutation($id: ID!) { exitNetwork(id: $id, reason: "Our board chose a different path.") { state } }' "{\"id\": \"${IDS[demo-district-rep]}\"}"
sleep 2
gql demo-summit-rep 'query($id: ID!) { networkMembership(id: $id) { state offerExpiresAt openDeadlines { kind dueAt } } }' "{\"id\": \"${IDS[demo-summit-rep]}\"}"
gql demo-summit-rep 'mutation($id: ID!) { acceptNetworkSeatOffer(id: $id) { state cohort } }' "{\"id\": \"${IDS[demo-summit-rep]}\"}"

# 5. The statute changes: an administrator raises the cap, citing it.
gql demo-admin 'mutation { changeNetworkCap(network: "DLN", cap: 5, citation: "Demo Laws 2027, ch. 12") { stateName history { command reasons } } }'

# 6. The public member list; the SEA's view of the network; the audit trail.
gql - '{ networkProgram(code: "DLN") { cap seatsHeld waitListLength members { organisationName state cohort } } }'
gql demo-approver '{ network(code: "DLN") { stateName waitList { position organisationId } history { seq command actorUserId reasons } } }'
gql demo-auditor '{ auditVerification { intact chains entries problems { chain seq problem } } }'
