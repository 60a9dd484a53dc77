//! A waiver's yearly progress report end to end, on clocks of seconds: an
//! administrator opens the year's reports; Riverbend's falls due and
//! escalates; its representative submits outcomes by subgroup; a reviewer
//! records concerns; the district answers with a revised report; an
//! approver concludes the re-review with revocation, which reaches the
//! waiver itself through the engine's command outbox.
#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions
use chrono::{Datelike, TimeZone, Utc};
use leeway_tests::{ANNUAL_REPORT, TestApp};
use serde_json::{Value, json};
use std::time::Duration;

const ADMIN: &str = "demo-admin";
const REP: &str = "demo-district-rep";
const OTHER_REP: &str = "demo-other-district-rep";
const REVIEWER: &str = "demo-reviewer";
const APPROVER: &str = "demo-approver";
const LEGISLATOR: &str = "demo-legislator";

const PROGRESS: &str = "id stateName waiverId yearLabel dueAt escalated
    goals { citation measure } outcomes { citation values { group students } }
    concerns reReviewDue conclusion notifications { subject }";

fn outcomes(current: f64) -> Value {
    let goal = |citation: &str| {
        json!({
            "citation": citation,
            "comment": "Measured on the state's spring count.",
            "values": [
                { "group": "all", "students": 2330, "baseline": 0.81, "current": current },
                { "group": "english_learners", "students": 330, "baseline": 0.7, "current": current - 0.1 },
                { "group": "race_native_hawaiian_or_pacific_islander", "students": 6, "baseline": 0.5, "current": 0.5 }
            ]
        })
    };
    json!([goal("DS 22-7-101"), goal("DS 22-7-205")])
}

#[tokio::test]
async fn a_late_report_with_concerns_is_re_reviewed_and_the_waiver_revoked() {
    let app = TestApp::start(ANNUAL_REPORT).await;
    let waiver = app.approved_waiver("Riverbend mastery zone").await;
    // The school year in progress: an interim report, opened by hand.
    let now = Utc::now();
    let year = if now >= Utc.with_ymd_and_hms(now.year(), 7, 1, 0, 0, 0).unwrap() {
        now.year() + 1
    } else {
        now.year()
    };
    let open = "mutation($y: Int!) { openProgressReports(year: $y) }";
    let (code, _) = app
        .refused(Some(LEGISLATOR), open, json!({ "y": year }))
        .await;
    assert_eq!(code, "FORBIDDEN");
    let opened = app.ok(ADMIN, open, json!({ "y": year })).await["openProgressReports"].clone();
    let id = format!("progress-{year}-{waiver}");
    assert_eq!(opened, json!([id]), "one waiver is in force");
    // Opening again finds it.
    let again = app.ok(ADMIN, open, json!({ "y": year })).await;
    assert_eq!(again["openProgressReports"], json!([id]));

    // Another district neither reads nor answers it.
    let read =
        format!("query($id: ID!) {{ case(id: $id) {{ ... on ProgressReport {{ {PROGRESS} }} }} }}");
    let (code, _) = app
        .refused(Some(OTHER_REP), &read, json!({ "id": id }))
        .await;
    assert_eq!(code, "FORBIDDEN");

    // Nobody reports in time: a reminder, then the escalation.
    let late = app
        .eventually(
            REP,
            &read,
            json!({ "id": id }),
            Duration::from_secs(30),
            |d| d["case"]["escalated"] == true,
        )
        .await;
    let subjects = late["case"]["notifications"].to_string();
    assert!(subjects.contains("Progress report due soon"), "{subjects}");
    assert!(subjects.contains("Overdue progress report"), "{subjects}");
    assert_eq!(late["case"]["goals"].as_array().unwrap().len(), 2);

    // Every goal must be reported, with a value for all students.
    let submit = format!(
        "mutation($id: ID!, $o: [GoalOutcomeInput!]!) {{ submitProgressReport(id: $id, outcomes: $o) {{ {PROGRESS} }} }}"
    );
    let one_goal = json!([outcomes(0.7)[0].clone()]);
    let (code, message) = app
        .refused(Some(REP), &submit, json!({ "id": id, "o": one_goal }))
        .await;
    assert_eq!(code, "VALIDATION");
    assert!(message.contains("DS 22-7-205"), "{message}");
    let submitted = app
        .ok(REP, &submit, json!({ "id": id, "o": outcomes(0.7) }))
        .await;
    assert_eq!(submitted["submitProgressReport"]["stateName"], "submitted");

    // Concerns open a re-review; the district answers with a revision.
    let concerns = format!(
        "mutation($id: ID!) {{ recordProgressConcerns(id: $id, reasons: [\"Graduation fell from 81% to 70%.\"]) {{ {PROGRESS} }} }}"
    );
    let c =
        app.ok(REVIEWER, &concerns, json!({ "id": id })).await["recordProgressConcerns"].clone();
    assert_eq!(c["stateName"], "concerns");
    assert!(c["reReviewDue"].is_string());
    let revised = app
        .ok(REP, &submit, json!({ "id": id, "o": outcomes(0.72) }))
        .await;
    assert_eq!(revised["submitProgressReport"]["stateName"], "concerns");

    // Only an approver concludes; revocation reaches the waiver.
    let conclude = format!(
        "mutation($id: ID!) {{ concludeProgressReReview(id: $id, revoke: true, reasons: [\"No recovery plan after two years.\"]) {{ {PROGRESS} }} }}"
    );
    let (code, _) = app
        .refused(Some(REVIEWER), &conclude, json!({ "id": id }))
        .await;
    assert_eq!(code, "FORBIDDEN");
    let done = app.ok(APPROVER, &conclude, json!({ "id": id })).await;
    assert_eq!(done["concludeProgressReReview"]["stateName"], "revoked");
    let waiver_q =
        "query($id: ID!) { case(id: $id) { stateName history { command actorUserId reasons } } }";
    let revoked = app
        .eventually(
            APPROVER,
            waiver_q,
            json!({ "id": waiver }),
            Duration::from_secs(30),
            |d| d["case"]["stateName"] == "revoked",
        )
        .await;
    let last = revoked["case"]["history"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(last["command"], "revoke");
    assert!(last["reasons"].to_string().contains(&id), "{last}");
    assert!(
        last["reasons"].to_string().contains("No recovery plan"),
        "{last}"
    );

    // The district lists its own reports.
    let listed = app
        .ok(
            REP,
            "query($y: Int!) { progressReports(year: $y) { id stateName } }",
            json!({ "y": year }),
        )
        .await;
    assert_eq!(listed["progressReports"][0]["stateName"], "revoked");
    app.stop().await;
}
