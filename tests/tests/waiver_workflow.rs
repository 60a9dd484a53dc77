//! The waiver workflow end to end: GraphQL over HTTP, the real Temporal dev
//! server, SQLite (or PostgreSQL when DATABASE_URL is set) and a real SMTP
//! server.
#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions
use leeway_tests::{FAST_CLOCKS, TestApp};
use sea_orm::ConnectionTrait;
use serde_json::{Value, json};
use std::time::Duration;

const APPLICANT: &str = "demo-district-applicant";
const REP: &str = "demo-district-rep";
const OTHER_REP: &str = "demo-other-district-rep";
const REVIEWER: &str = "demo-reviewer";
const APPROVER: &str = "demo-approver";
const AUDITOR: &str = "demo-auditor";

const CASE_FIELDS: &str = "id state version escalated assignedReviewerId termStart termEnd recommendation { reviewerId summary decisions { citation outcome conditions reason } }
    items { citation decision conditions decisionReason }
    snapshots { version contentHash }
    history { seq command fromState toState actorUserId actorRole reasons snapshotHash hash prevHash }
    notifications { step recipientEmail subject status attempts messageId }
    openDeadlines { kind dueAt }";

fn q(op: &str, args: &str) -> String {
    format!("mutation($id: ID!) {{ {op}(id: $id{args}) {{ {CASE_FIELDS} }} }}")
}

fn content(title: &str) -> Value {
    leeway_tests::demo_waiver_content(title)
}

async fn open(app: &TestApp, title: &str) -> String {
    let data = app
        .ok(APPLICANT, "mutation($c: WaiverContentInput!) { openWaiverDraft(content: $c) { id state version } }", json!({ "c": content(title) }))
        .await;
    assert_eq!(data["openWaiverDraft"]["state"], "DRAFT");
    data["openWaiverDraft"]["id"].as_str().unwrap().to_string()
}

async fn step(app: &TestApp, token: &str, op: &str, args: &str, vars: Value) -> Value {
    let data = app.ok(token, &q(op, args), vars).await;
    data[op].clone()
}

/// Draft to recommendation, as every story below begins.
async fn to_recommended(app: &TestApp, id: &str) {
    let v = json!({ "id": id });
    assert_eq!(
        step(app, REP, "submitWaiver", "", v.clone()).await["state"],
        "SUBMITTED"
    );
    assert_eq!(
        step(app, REVIEWER, "acceptWaiverAsComplete", "", v.clone()).await["state"],
        "ACCEPTED"
    );
    assert_eq!(
        step(
            app,
            APPROVER,
            "assignWaiverReviewer",
            ", reviewerId: \"rita\"",
            v.clone()
        )
        .await["state"],
        "REVIEWER_ASSIGNED"
    );
    assert_eq!(
        step(
            app,
            REVIEWER,
            "declareWaiverConflict",
            ", hasConflict: false, statement: \"No ties to Riverbend.\"",
            v.clone()
        )
        .await["state"],
        "IN_REVIEW"
    );
    let recommended = step(
        app,
        REVIEWER,
        "recommendWaiver",
        ", summary: \"Strong plan\", decisions: [{citation: \"DS 22-7-101\", outcome: APPROVE}, {citation: \"DS 22-7-205\", outcome: APPROVE}]",
        v,
    )
    .await;
    assert_eq!(recommended["state"], "RECOMMENDED");
    assert_eq!(
        recommended["recommendation"]["summary"], "Strong plan",
        "the approver sees the recommendation"
    );
    assert_eq!(
        recommended["recommendation"]["decisions"][0]["outcome"],
        "APPROVE"
    );
}

const VERIFY: &str =
    "{ auditVerification { intact chains entries problems { chain seq problem } } }";
const CASE: &str = "query($id: ID!) { waiverCase(id: $id) { id state escalated termEnd history { seq command actorRole } notifications { subject status recipientEmail messageId } } }";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn happy_path_with_audit_and_email() {
    let app = TestApp::start("DEMO").await;
    let id = open(&app, "Riverbend mastery zone").await;
    to_recommended(&app, &id).await;
    let decided = step(
        &app,
        APPROVER,
        "decideWaiver",
        ", decisions: [{citation: \"DS 22-7-101\", outcome: APPROVE}, {citation: \"DS 22-7-205\", outcome: APPROVE}]",
        json!({ "id": id }),
    )
    .await;
    assert_eq!(decided["state"], "ACTIVE");
    let start =
        chrono::DateTime::parse_from_rfc3339(decided["termStart"].as_str().unwrap()).unwrap();
    let end = chrono::DateTime::parse_from_rfc3339(decided["termEnd"].as_str().unwrap()).unwrap();
    assert_eq!(
        (end - start).num_days() / 365,
        5,
        "DEMO terms run five years"
    );
    assert!(
        decided["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["decision"] == "APPROVE")
    );

    let history = decided["history"].as_array().unwrap();
    let commands: Vec<&str> = history
        .iter()
        .map(|h| h["command"].as_str().unwrap())
        .collect();
    assert_eq!(
        commands,
        [
            "open",
            "submit",
            "accept_as_complete",
            "assign_reviewer",
            "declare_conflict",
            "recommend",
            "decide"
        ]
    );
    for pair in history.windows(2) {
        assert_eq!(
            pair[1]["prevHash"], pair[0]["hash"],
            "each entry links to the one before"
        );
    }
    assert_eq!(history[1]["actorRole"], "district_authorized_rep");
    assert_eq!(
        history[1]["snapshotHash"], decided["snapshots"][0]["contentHash"],
        "submission hashes its snapshot"
    );

    // Every queued email is delivered over SMTP, once per person per step.
    let data = app
        .eventually(
            APPROVER,
            CASE,
            json!({ "id": id }),
            Duration::from_secs(30),
            |d| {
                d["waiverCase"]["notifications"]
                    .as_array()
                    .is_some_and(|n| !n.is_empty() && n.iter().all(|x| x["status"] == "SENT"))
            },
        )
        .await;
    let notes = data["waiverCase"]["notifications"]
        .as_array()
        .unwrap()
        .clone();
    let mails = app.smtp.mails();
    for n in &notes {
        let mid = n["messageId"].as_str().unwrap();
        let copies = mails
            .iter()
            .filter(|m| m.header("Message-ID").as_deref() == Some(mid))
            .count();
        assert_eq!(copies, 1, "{} sent {copies} times", n["subject"]);
    }
    assert!(mails.iter().any(|m| {
        m.to.contains(&"raj@riverbend.demo.example".to_string())
            && m.header("Subject")
                .is_some_and(|s| s.contains("approved (2 of 2 provisions)"))
    }));
    // Each is multipart: a readable text part and an HTML part with a real
    // heading, both linking to the case on the state's portal.
    let link = format!("https://portal.test.example/cases/{id}");
    for m in &mails {
        assert_eq!(m.content_type(), "multipart/alternative", "{}", m.data);
        let parts = m.parts();
        let kinds: Vec<&str> = parts.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(kinds, vec!["text/plain", "text/html"]);
        let (text, html) = (&parts[0].1, &parts[1].1.replace("&#x2f;", "/"));
        assert!(text.starts_with("Dear ") && text.contains(&link), "{text}");
        assert!(html.contains("<h1") && html.contains(&link), "{html}");
    }

    let verify = app.ok(AUDITOR, VERIFY, json!({})).await;
    assert_eq!(verify["auditVerification"]["intact"], true, "{verify:#}");
    assert!(verify["auditVerification"]["entries"].as_i64().unwrap() >= 7);
    app.replay(&id).await.unwrap();
    app.keep_history("waiver-approved", &id).await;
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn revision_loop_keeps_versioned_snapshots() {
    let app = TestApp::start("DEMO").await;
    let id = open(&app, "Revision loop").await;
    let v = json!({ "id": id });
    step(&app, REP, "submitWaiver", "", v.clone()).await;
    step(&app, REVIEWER, "acceptWaiverAsComplete", "", v.clone()).await;
    step(
        &app,
        APPROVER,
        "assignWaiverReviewer",
        ", reviewerId: \"rita\"",
        v.clone(),
    )
    .await;
    step(
        &app,
        REVIEWER,
        "declareWaiverConflict",
        ", hasConflict: false",
        v.clone(),
    )
    .await;
    let back = step(
        &app,
        REVIEWER,
        "requestWaiverRevision",
        ", reasons: [\"State the mastery threshold.\"]",
        v.clone(),
    )
    .await;
    assert_eq!(back["state"], "REVISION_REQUESTED");
    assert!(
        back["openDeadlines"].as_array().unwrap().is_empty(),
        "the district holds the case: no state clock"
    );

    let mut revised = content("Revision loop");
    revised["items"][0]["replacementPractice"] =
        json!("Competency assessments; mastery at 80% on two measures.");
    let edited = app
        .ok(APPLICANT, "mutation($id: ID!, $c: WaiverContentInput!) { editWaiverDraft(id: $id, content: $c) { state } }", json!({ "id": id, "c": revised }))
        .await;
    assert_eq!(edited["editWaiverDraft"]["state"], "REVISION_REQUESTED");
    let resubmitted = step(&app, REP, "submitWaiver", "", v.clone()).await;
    assert_eq!(resubmitted["state"], "SUBMITTED");
    assert_eq!(resubmitted["version"], 2);
    let snaps = resubmitted["snapshots"].as_array().unwrap();
    assert_eq!(snaps.len(), 2);
    assert_ne!(
        snaps[0]["contentHash"], snaps[1]["contentHash"],
        "the revision is a new snapshot"
    );
    let snapshot_content = app
        .ok(
            REVIEWER,
            "query($id: ID!) { waiverCase(id: $id) { snapshots { version content { ... on WaiverContent { items { replacementPractice } } } } } }",
            v.clone(),
        )
        .await;
    assert_eq!(
        snapshot_content["waiverCase"]["snapshots"][0]["content"]["items"][0]["replacementPractice"],
        "Competency assessments with a 90-day mastery window.",
        "reviewers still see what version 1 said"
    );
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn partial_approval_with_conditions_and_reasons() {
    let app = TestApp::start("DEMO").await;
    let id = open(&app, "Partial approval").await;
    to_recommended(&app, &id).await;
    let v = json!({ "id": id });
    let (code, message) = app
        .refused(Some(APPROVER), &q("decideWaiver", ", decisions: [{citation: \"DS 22-7-101\", outcome: APPROVE}, {citation: \"DS 22-7-205\", outcome: DENY}]"), v.clone())
        .await;
    assert_eq!(code, "VALIDATION");
    assert!(
        message.contains("reason for denying DS 22-7-205"),
        "{message}"
    );
    let decided = step(
        &app,
        APPROVER,
        "decideWaiver",
        ", decisions: [{citation: \"DS 22-7-101\", outcome: APPROVE_WITH_CONDITIONS, conditions: \"Report mastery data each semester.\"}, {citation: \"DS 22-7-205\", outcome: DENY, reason: \"Calendar minimums protect instructional days.\"}]",
        v,
    )
    .await;
    assert_eq!(decided["state"], "ACTIVE");
    let items = decided["items"].as_array().unwrap();
    assert_eq!(items[0]["decision"], "APPROVE_WITH_CONDITIONS");
    assert_eq!(items[0]["conditions"], "Report mastery data each semester.");
    assert_eq!(items[1]["decision"], "DENY");
    assert_eq!(
        items[1]["decisionReason"],
        "Calendar minimums protect instructional days."
    );
    let last = decided["history"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert!(
        last["reasons"][0]
            .as_str()
            .unwrap()
            .contains("Calendar minimums")
    );
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn review_clock_escalates_then_term_expires() {
    let app = TestApp::start(FAST_CLOCKS).await;
    let id = open(&app, "Fast clocks").await;
    let v = json!({ "id": id });
    let submitted = step(&app, REP, "submitWaiver", "", v.clone()).await;
    assert_eq!(submitted["openDeadlines"][0]["kind"], "review_decision");
    step(&app, REVIEWER, "acceptWaiverAsComplete", "", v.clone()).await;
    let (code, _) = app
        .refused(Some(APPROVER), &q("decideWaiver", ", decisions: [{citation: \"DS 22-7-101\", outcome: APPROVE}, {citation: \"DS 22-7-205\", outcome: APPROVE}]"), v.clone())
        .await;
    assert_eq!(
        code, "INVALID_TRANSITION",
        "no deciding before a recommendation while the clock runs"
    );

    // The 6s decision clock runs out: escalated to the approvers, never approved.
    let data = app
        .eventually(APPROVER, CASE, v.clone(), Duration::from_secs(30), |d| {
            d["waiverCase"]["escalated"] == true
        })
        .await;
    assert_eq!(data["waiverCase"]["state"], "ACCEPTED");
    let last = data["waiverCase"]["history"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(last["command"], "escalate");
    assert_eq!(last["actorRole"], "system");
    // Operators see the clock fire.
    let metrics = leeway_workflows::metrics::render();
    assert!(
        metrics.contains("leeway_clocks_fired_total{program=\"waiver\",command=\"escalate\"}"),
        "{metrics}"
    );
    app.eventually(APPROVER, CASE, v.clone(), Duration::from_secs(30), |d| {
        d["waiverCase"]["notifications"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| {
                n["recipientEmail"] == "alex@sea.demo.example"
                    && n["subject"].as_str().unwrap().starts_with("Overdue")
                    && n["status"] == "SENT"
            })
    })
    .await;

    // Escalated, the approver may decide; the 8s term then runs its course.
    let decided = step(
        &app,
        APPROVER,
        "decideWaiver",
        ", decisions: [{citation: \"DS 22-7-101\", outcome: APPROVE}, {citation: \"DS 22-7-205\", outcome: APPROVE}]",
        v.clone(),
    )
    .await;
    assert_eq!(decided["state"], "ACTIVE");
    let kinds: Vec<&str> = decided["openDeadlines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["expiry_notice", "term_end"]);
    let data = app
        .eventually(APPROVER, CASE, v.clone(), Duration::from_secs(40), |d| {
            d["waiverCase"]["state"] == "EXPIRED"
        })
        .await;
    let commands: Vec<&str> = data["waiverCase"]["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["command"].as_str().unwrap())
        .collect();
    assert!(
        commands.ends_with(&["decide", "send_expiry_notice", "expire"]),
        "{commands:?}"
    );
    let notes = data["waiverCase"]["notifications"].as_array().unwrap();
    assert!(
        notes
            .iter()
            .any(|n| n["subject"].as_str().unwrap().starts_with("Expires"))
    );
    let (code, _) = app
        .refused(
            Some(REP),
            &q("requestWaiverRenewal", ", reason: \"late\""),
            v,
        )
        .await;
    assert_eq!(code, "INVALID_TRANSITION");
    // Timers, system steps and concurrent updates replay deterministically.
    app.replay(&id).await.unwrap();
    app.keep_history("waiver-escalated-then-expired", &id).await;
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_district_is_refused_and_audited() {
    let app = TestApp::start("DEMO").await;
    let id = open(&app, "Riverbend only").await;
    let v = json!({ "id": id });
    let (code, message) = app
        .refused(Some(OTHER_REP), &q("submitWaiver", ""), v.clone())
        .await;
    assert_eq!(code, "FORBIDDEN");
    assert!(message.contains("another district"), "{message}");
    let (code, _) = app.refused(Some(OTHER_REP), CASE, v.clone()).await;
    assert_eq!(code, "FORBIDDEN");
    let listed = app
        .ok(
            OTHER_REP,
            "{ waiverCases { edges { node { id } } } }",
            json!({}),
        )
        .await;
    assert!(
        listed["waiverCases"]["edges"]
            .as_array()
            .unwrap()
            .is_empty(),
        "Hillcrest sees none of Riverbend's cases"
    );
    let (code, _) = app
        .refused(
            Some(OTHER_REP),
            "{ waiverCases(districtId: \"riverbend\") { edges { node { id } } } }",
            json!({}),
        )
        .await;
    assert_eq!(code, "FORBIDDEN");

    let audit = app
        .ok(
            AUDITOR,
            "{ securityAudit { actorUserId command caseId reasons } }",
            json!({}),
        )
        .await;
    let entries = audit["securityAudit"].as_array().unwrap();
    assert!(
        entries.iter().any(|e| e["actorUserId"] == "hana"
            && e["command"] == "refused:submit"
            && e["caseId"] == id.as_str()),
        "{audit:#}"
    );
    assert!(
        entries
            .iter()
            .any(|e| e["command"] == "refused:read_waiver")
    );
    let state = app.ok(REP, CASE, v).await;
    assert_eq!(state["waiverCase"]["state"], "DRAFT", "nothing changed");

    // Cutting the newest refusal from the shared security chain is caught.
    let db = &app.running.app.db;
    assert!(
        leeway_workflows::audit::verify(db)
            .await
            .unwrap()
            .is_intact()
    );
    db.execute_unprepared(
        "DELETE FROM audit_entries WHERE chain = 'security' AND seq = (SELECT MAX(seq) FROM audit_entries WHERE chain = 'security')",
    )
    .await
    .unwrap();
    let report = leeway_workflows::audit::verify(db).await.unwrap();
    assert!(
        report
            .problems
            .iter()
            .any(|p| p.chain == "security" && p.problem.contains("should run to entry")),
        "{report:?}"
    );
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invalid_transitions_and_bad_input_are_refused_cleanly() {
    let app = TestApp::start("DEMO").await;
    let id = open(&app, "Refusals").await;
    let v = json!({ "id": id });
    let (code, message) = app
        .refused(
            Some(APPROVER),
            &q(
                "decideWaiver",
                ", decisions: [{citation: \"DS 22-7-101\", outcome: APPROVE}]",
            ),
            v.clone(),
        )
        .await;
    assert_eq!(code, "INVALID_TRANSITION");
    assert!(
        message.contains("while the request is a draft"),
        "{message}"
    );
    let (code, _) = app
        .refused(Some(APPLICANT), &q("submitWaiver", ""), v.clone())
        .await;
    assert_eq!(
        code, "FORBIDDEN",
        "only the authorized representative certifies"
    );

    // A non-waivable provision is refused at submission, naming it and why.
    let mut bad = content("Refusals");
    bad["items"][1]["citation"] = json!("DS 22-32-109");
    app.ok(APPLICANT, "mutation($id: ID!, $c: WaiverContentInput!) { editWaiverDraft(id: $id, content: $c) { state } }", json!({ "id": id, "c": bad }))
        .await;
    let (code, message) = app
        .refused(Some(REP), &q("submitWaiver", ""), v.clone())
        .await;
    assert_eq!(code, "VALIDATION");
    assert!(
        message.contains("DS 22-32-109") && message.contains("never waivable"),
        "{message}"
    );

    let (code, _) = app.refused(None, CASE, v.clone()).await;
    assert_eq!(code, "UNAUTHENTICATED");
    // async-graphql's own refusals carry a code too.
    let (code, message) = app
        .refused(
            Some(APPLICANT),
            "mutation($c: WaiverContentInput!) { openWaiverDraft(content: $c) { id } }",
            json!({ "c": { "title": "Negative", "studentsAffected": -5 } }),
        )
        .await;
    assert_eq!(code, "VALIDATION", "{message}");
    let (code, _) = app
        .refused(Some(APPLICANT), "{ waiverCases { nope } }", json!({}))
        .await;
    assert_eq!(code, "VALIDATION");
    let (code, _) = app.refused(Some("not-a-token"), CASE, v.clone()).await;
    assert_eq!(code, "UNAUTHENTICATED");
    let (code, _) = app
        .refused(Some(REVIEWER), CASE, json!({ "id": "waiver-nope" }))
        .await;
    assert_eq!(code, "NOT_FOUND");
    let (code, message) = app
        .refused(
            Some(APPROVER),
            &q("assignWaiverReviewer", ", reviewerId: \"dana\""),
            v.clone(),
        )
        .await;
    assert_eq!(code, "VALIDATION", "{message}");

    let history = app.ok(REP, CASE, v).await;
    let commands: Vec<&str> = history["waiverCase"]["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["command"].as_str().unwrap())
        .collect();
    assert_eq!(
        commands,
        ["open", "edit_draft"],
        "refused commands leave no trace in the case"
    );
    assert_eq!(history["waiverCase"]["state"], "DRAFT");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tampered_audit_row_is_detected() {
    let app = TestApp::start("DEMO").await;
    let id = open(&app, "Tamper").await;
    step(&app, REP, "submitWaiver", "", json!({ "id": id })).await;
    let verify = app.ok(AUDITOR, VERIFY, json!({})).await;
    assert_eq!(verify["auditVerification"]["intact"], true);

    // Someone with database access rewrites who submitted the request.
    let db = &app.running.app.db;
    db.execute_unprepared(&format!(
        "UPDATE audit_entries SET actor_user_id = 'dana' WHERE chain = '{id}' AND seq = 2"
    ))
    .await
    .unwrap();
    let verify = app.ok(AUDITOR, VERIFY, json!({})).await;
    let v = &verify["auditVerification"];
    assert_eq!(v["intact"], false);
    assert_eq!(v["problems"][0]["chain"], id.as_str());
    assert_eq!(v["problems"][0]["seq"], 2);
    assert!(
        v["problems"][0]["problem"]
            .as_str()
            .unwrap()
            .contains("no longer match")
    );
    let report = leeway_workflows::audit::verify(db).await.unwrap();
    assert!(!report.is_intact());

    // So is an edited snapshot, even with the audit row put back.
    db.execute_unprepared(&format!(
        "UPDATE audit_entries SET actor_user_id = 'raj' WHERE chain = '{id}' AND seq = 2"
    ))
    .await
    .unwrap();
    assert!(
        leeway_workflows::audit::verify(db)
            .await
            .unwrap()
            .is_intact()
    );
    db.execute_unprepared(&format!(
        "UPDATE case_documents SET body = REPLACE(body, 'Riverbend', 'Elsewhere') WHERE case_id = '{id}'"
    ))
    .await
    .unwrap();
    let report = leeway_workflows::audit::verify(db).await.unwrap();
    assert!(
        report
            .problems
            .iter()
            .any(|p| p.problem.contains("stored form")
                && p.problem.contains("no longer matches its hash")),
        "{report:?}"
    );

    // Deleting the newest entry is caught too.
    db.execute_unprepared(&format!(
        "DELETE FROM audit_entries WHERE chain = '{id}' AND seq = 2"
    ))
    .await
    .unwrap();
    let report = leeway_workflows::audit::verify(db).await.unwrap();
    assert!(
        report
            .problems
            .iter()
            .any(|p| p.problem.contains("up to 2) were removed or altered")),
        "{report:?}"
    );
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn amendment_renewal_withdrawal_and_revocation() {
    let app = TestApp::start("DEMO").await;
    let id = open(&app, "After approval").await;
    to_recommended(&app, &id).await;
    let v = json!({ "id": id });
    let decided = step(
        &app,
        APPROVER,
        "decideWaiver",
        ", decisions: [{citation: \"DS 22-7-101\", outcome: APPROVE}, {citation: \"DS 22-7-205\", outcome: APPROVE}]",
        v.clone(),
    )
    .await;
    let term_end = decided["termEnd"].clone();

    // An amendment adds a provision; the term end does not move.
    let mut amended = content("After approval");
    amended["items"].as_array_mut().unwrap().push(json!({
        "citation": "DS 22-9-106", "rationale": "Team teaching across grades.",
        "replacementPractice": "Co-taught studios of up to 45 students with two teachers.",
        "goal": "Keep mastery rates while scaling studios.", "measure": "Share of students at mastery each term."
    }));
    let proposed = app
        .ok(REP, "mutation($id: ID!, $c: WaiverContentInput!) { proposeWaiverAmendment(id: $id, content: $c) { state } }", json!({ "id": id, "c": amended }))
        .await;
    assert_eq!(
        proposed["proposeWaiverAmendment"]["state"],
        "AMENDMENT_PROPOSED"
    );
    let (code, _) = app
        .refused(
            Some(APPROVER),
            &q("decideWaiverAmendment", ", approve: false"),
            v.clone(),
        )
        .await;
    assert_eq!(code, "VALIDATION", "a denial needs reasons");
    let approved = step(
        &app,
        APPROVER,
        "decideWaiverAmendment",
        ", approve: true, decisions: [{citation: \"DS 22-7-101\", outcome: APPROVE}, {citation: \"DS 22-7-205\", outcome: APPROVE}, {citation: \"DS 22-9-106\", outcome: APPROVE_WITH_CONDITIONS, conditions: \"Studios capped at 45.\"}]",
        v.clone(),
    )
    .await;
    assert_eq!(approved["state"], "ACTIVE");
    assert_eq!(
        approved["termEnd"], term_end,
        "an amendment leaves the term end where it was"
    );
    assert_eq!(approved["items"].as_array().unwrap().len(), 3);
    assert_eq!(approved["items"][2]["decision"], "APPROVE_WITH_CONDITIONS");
    assert_eq!(
        approved["snapshots"].as_array().unwrap().len(),
        2,
        "the amendment was frozen as version 2"
    );

    // A renewal starts where the term ends.
    step(
        &app,
        REP,
        "requestWaiverRenewal",
        ", reason: \"Graduation rose 6 points.\"",
        v.clone(),
    )
    .await;
    let renewed = step(
        &app,
        APPROVER,
        "decideWaiverRenewal",
        ", approve: true",
        v.clone(),
    )
    .await;
    assert_eq!(renewed["termStart"], term_end);
    assert_ne!(renewed["termEnd"], term_end);

    // Revocation needs reasons, and ends the case for good.
    let (code, _) = app
        .refused(
            Some(APPROVER),
            &q("revokeWaiver", ", reasons: [\" \"]"),
            v.clone(),
        )
        .await;
    assert_eq!(code, "VALIDATION");
    let revoked = step(
        &app,
        APPROVER,
        "revokeWaiver",
        ", reasons: [\"Conditions on DS 22-7-101 not met for two semesters.\"]",
        v.clone(),
    )
    .await;
    assert_eq!(revoked["state"], "REVOKED");
    let (code, message) = app
        .refused(
            Some(REP),
            &q("requestWaiverRenewal", ", reason: \"again\""),
            v,
        )
        .await;
    assert_eq!(code, "INVALID_TRANSITION");
    assert!(message.contains("revoked"), "{message}");

    // A district may withdraw a request before it is decided.
    let other = open(&app, "Withdrawn").await;
    let withdrawn = step(
        &app,
        APPLICANT,
        "withdrawWaiver",
        ", reason: \"Board changed course.\"",
        json!({ "id": other }),
    )
    .await;
    assert_eq!(withdrawn["state"], "WITHDRAWN");
    app.replay(&id).await.unwrap();
    app.keep_history("waiver-amended-renewed-revoked", &id)
        .await;
    app.keep_history("waiver-withdrawn", &other).await;
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lists_page_and_filter() {
    let app = TestApp::start("DEMO").await;
    for i in 0..3 {
        open(&app, &format!("Listed {i}")).await;
    }
    let query = "query($after: String) { waiverCases(first: 2, after: $after, state: DRAFT) { pageInfo { hasNextPage endCursor } edges { cursor node { title districtId } } } }";
    let first = app.ok(REVIEWER, query, json!({})).await;
    let page = &first["waiverCases"];
    assert_eq!(page["edges"].as_array().unwrap().len(), 2);
    assert_eq!(page["pageInfo"]["hasNextPage"], true);
    let second = app
        .ok(
            REVIEWER,
            query,
            json!({ "after": page["pageInfo"]["endCursor"] }),
        )
        .await;
    assert_eq!(second["waiverCases"]["edges"].as_array().unwrap().len(), 1);
    assert_eq!(second["waiverCases"]["pageInfo"]["hasNextPage"], false);
    let by_citation = app
        .ok(
            REVIEWER,
            "{ waiverCases(citation: \"DS 22-9-106\") { edges { node { id } } } }",
            json!({}),
        )
        .await;
    assert!(
        by_citation["waiverCases"]["edges"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    let (code, _) = app
        .refused(
            Some("demo-legislator"),
            "{ waiverCases { edges { node { id } } } }",
            json!({}),
        )
        .await;
    assert_eq!(code, "FORBIDDEN");
    let audit = app
        .ok(
            AUDITOR,
            "{ securityAudit { actorUserId command } }",
            json!({}),
        )
        .await;
    assert!(
        audit["securityAudit"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["actorUserId"] == "lee" && e["command"] == "refused:list_waivers"),
        "every refusal is audited: {audit:#}"
    );
    let (code, _) = app
        .refused(
            Some(REVIEWER),
            "{ waiverCases(first: 1000) { edges { node { id } } } }",
            json!({}),
        )
        .await;
    assert_eq!(code, "VALIDATION");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn simultaneous_commands_apply_once() {
    let app = TestApp::start("DEMO").await;
    let id = open(&app, "Two clicks").await;
    let v = json!({ "id": id });
    let submit = q("submitWaiver", "");
    // Two certifications sent at the same moment: one submits, the other is
    // refused (CONFLICT if it was checked before the first was applied).
    let (a, b) = tokio::join!(
        app.gql(Some(REP), &submit, v.clone()),
        app.gql(Some(REP), &submit, v.clone())
    );
    let outcomes: Vec<Option<String>> = [&a, &b]
        .iter()
        .map(|r| {
            r["errors"][0]["extensions"]["code"]
                .as_str()
                .map(str::to_string)
        })
        .collect();
    assert_eq!(
        outcomes.iter().filter(|o| o.is_none()).count(),
        1,
        "{a:#} {b:#}"
    );
    let refused = outcomes.into_iter().flatten().next().unwrap();
    assert!(
        refused == "CONFLICT" || refused == "INVALID_TRANSITION",
        "{refused}"
    );
    let data = app.ok(REP, CASE, v).await;
    let submits = data["waiverCase"]["history"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|h| h["command"] == "submit")
        .count();
    assert_eq!(submits, 1);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failed_email_is_recorded_and_redelivered_once() {
    let app = TestApp::start("DEMO").await;
    app.smtp.set_failing(true);
    let id = open(&app, "Relay down").await;
    let v = json!({ "id": id });
    let notes = "query($id: ID!) { waiverCase(id: $id) { notifications { status attempts lastError messageId } } }";
    let data = app
        .eventually(APPLICANT, notes, v.clone(), Duration::from_secs(30), |d| {
            d["waiverCase"]["notifications"]
                .as_array()
                .unwrap()
                .iter()
                .all(|n| n["status"] == "FAILED")
        })
        .await;
    let first = &data["waiverCase"]["notifications"][0];
    assert!(
        first["lastError"].as_str().unwrap().contains("relay down"),
        "{first}"
    );
    assert!(app.smtp.mails().is_empty());

    let redeliver =
        "mutation($id: ID!) { redeliverWaiverNotifications(id: $id) { notifications { status } } }";
    let (code, _) = app.refused(Some(APPROVER), redeliver, v.clone()).await;
    assert_eq!(code, "FORBIDDEN");
    app.smtp.set_failing(false);
    app.ok("demo-admin", redeliver, v.clone()).await;
    let data = app
        .eventually(APPLICANT, notes, v, Duration::from_secs(30), |d| {
            d["waiverCase"]["notifications"]
                .as_array()
                .unwrap()
                .iter()
                .all(|n| n["status"] == "SENT")
        })
        .await;
    // Give the workflow's own retry time to run too: still one copy each.
    tokio::time::sleep(Duration::from_secs(3)).await;
    for n in data["waiverCase"]["notifications"].as_array().unwrap() {
        let mid = n["messageId"].as_str().unwrap();
        let copies = app
            .smtp
            .mails()
            .iter()
            .filter(|m| m.header("Message-ID").as_deref() == Some(mid))
            .count();
        assert_eq!(copies, 1, "{mid}");
    }
    app.stop().await;
}

/// Field visibility per role: what district staff may not read of a case
/// that is theirs.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn district_staff_do_not_see_the_seas_internals() {
    let app = TestApp::start("DEMO").await;
    let id = open(&app, "Visibility").await;
    to_recommended(&app, &id).await;
    let read = "query($id: ID!) { waiverCase(id: $id) { recommendation { summary } history { command reasons reasonsWithheld hash } notifications { recipientEmail } } }";
    let v = json!({ "id": id });
    let as_district = app.ok(REP, read, v.clone()).await["waiverCase"].clone();
    let as_reviewer = app.ok(REVIEWER, read, v.clone()).await["waiverCase"].clone();
    let entry = |case: &Value, command: &str| -> Value {
        case["history"]
            .as_array()
            .unwrap()
            .iter()
            .find(|h| h["command"] == command)
            .cloned()
            .unwrap()
    };
    // The conflict-of-interest statement.
    assert_eq!(
        entry(&as_reviewer, "declare_conflict")["reasons"][0],
        "No ties to Riverbend."
    );
    let withheld = entry(&as_district, "declare_conflict");
    assert_eq!(withheld["reasons"], json!([]));
    assert_eq!(withheld["reasonsWithheld"], true);
    assert_eq!(
        withheld["hash"],
        entry(&as_reviewer, "declare_conflict")["hash"],
        "the entry itself stays verifiable"
    );
    // The recommendation, before the decision.
    assert!(as_reviewer["recommendation"].is_object());
    assert!(as_district["recommendation"].is_null(), "{as_district:#}");
    assert_eq!(entry(&as_district, "recommend")["reasons"], json!([]));
    // SEA staff addresses.
    let emails = |case: &Value| -> Vec<Value> {
        case["notifications"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n["recipientEmail"].clone())
            .collect()
    };
    let sea_sees = emails(&as_reviewer);
    assert!(
        sea_sees
            .iter()
            .any(|e| e.as_str().is_some_and(|e| e.contains("@sea."))),
        "{sea_sees:?}"
    );
    let district_sees = emails(&as_district);
    assert_eq!(district_sees.len(), sea_sees.len(), "every email is listed");
    for (seen, full) in district_sees.iter().zip(&sea_sees) {
        let own = full.as_str().is_some_and(|e| e.contains("@riverbend."));
        assert_eq!(seen.is_null(), !own, "{seen} for {full}");
    }

    // Once the approver decides, the recommendation is the district's too;
    // the conflict statement never is.
    step(
        &app,
        APPROVER,
        "decideWaiver",
        ", decisions: [{citation: \"DS 22-7-101\", outcome: APPROVE}, {citation: \"DS 22-7-205\", outcome: APPROVE}]",
        v.clone(),
    )
    .await;
    let decided = app.ok(REP, read, v).await["waiverCase"].clone();
    assert!(decided["recommendation"].is_object());
    assert_eq!(entry(&decided, "recommend")["reasonsWithheld"], false);
    assert_eq!(entry(&decided, "declare_conflict")["reasonsWithheld"], true);

    // Withdrawing before the decision does not reveal the recommendation.
    let other = open(&app, "Withdrawn before the decision").await;
    to_recommended(&app, &other).await;
    let w = json!({ "id": other });
    step(
        &app,
        REP,
        "withdrawWaiver",
        ", reason: \"Plans changed.\"",
        w.clone(),
    )
    .await;
    let withdrawn = app.ok(REP, read, w).await["waiverCase"].clone();
    assert!(withdrawn["recommendation"].is_null(), "{withdrawn:#}");
    assert_eq!(entry(&withdrawn, "recommend")["reasonsWithheld"], true);
    app.stop().await;
}
