//! A draft edited a thousand times, some edits near the body limit: the
//! case's history stays bounded (each document lives in the database, the
//! history carries its hash), no event comes near Temporal's 2 MiB payload
//! limit, and the case still takes commands afterwards.
#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions
use leeway_tests::TestApp;
use serde_json::{Value, json};

const APPLICANT: &str = "demo-district-applicant";
const EDIT: &str = "mutation($id: ID!, $c: WaiverContentInput!) { editWaiverDraft(id: $id, content: $c) { state lastStep } }";

fn content(i: usize, rationale_chars: usize) -> Value {
    let rationale: String = format!("Edit {i}. ")
        .chars()
        .chain("Students advance on mastery. ".chars().cycle())
        .take(rationale_chars)
        .collect();
    let item = |citation: &str| {
        json!({ "citation": citation, "rationale": rationale, "replacementPractice": "Competency assessments.",
                "goal": "Raise graduation.", "measure": "Cohort graduation rate." })
    };
    json!({ "title": format!("Edited {i} times"), "items": [item("DS 22-7-101"), item("DS 22-7-205")] })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_edits_keep_the_history_bounded_and_the_case_working() {
    let app = TestApp::start("DEMO").await;
    let id = app
        .ok(
            APPLICANT,
            "mutation($c: WaiverContentInput!) { openWaiverDraft(content: $c) { id } }",
            json!({ "c": content(0, 100) }),
        )
        .await["openWaiverDraft"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    for i in 1..=1_000 {
        app.ok(APPLICANT, EDIT, json!({ "id": id, "c": content(i, 2_000) }))
            .await;
    }
    // Near the 256 KiB body limit: two sections of 50,000 characters each.
    for i in 1_001..=1_005 {
        app.ok(
            APPLICANT,
            EDIT,
            json!({ "id": id, "c": content(i, 50_000) }),
        )
        .await;
    }
    // Past a section's limit: refused as bad input, not as an outage.
    let (code, message) = app
        .refused(
            Some(APPLICANT),
            EDIT,
            json!({ "id": id, "c": content(0, 50_001) }),
        )
        .await;
    assert_eq!(code, "VALIDATION", "{message}");

    let last = app
        .ok(
            APPLICANT,
            EDIT,
            json!({ "id": id, "c": content(2_000, 100) }),
        )
        .await;
    assert_eq!(last["editWaiverDraft"]["state"], "DRAFT");
    assert_eq!(
        last["editWaiverDraft"]["lastStep"], 1_007,
        "the opening and 1,006 edits, each recorded once"
    );

    let events = app
        .history(&id)
        .await
        .into_events()
        .await
        .expect("the current run's history");
    let sizes: Vec<usize> = events
        .iter()
        .map(|e| serde_json::to_vec(e).unwrap().len())
        .collect();
    let total: usize = sizes.iter().sum();
    let largest = sizes.iter().copied().max().unwrap_or(0);
    assert!(
        events.len() <= 5_200,
        "the run continues as new before it grows past 5,000 events: {}",
        events.len()
    );
    assert!(largest < 64 * 1024, "largest event {largest} bytes");
    assert!(
        total < 8 * 1024 * 1024,
        "history of the current run {total} bytes"
    );

    let verify = app
        .ok(
            "demo-auditor",
            "{ auditVerification { intact } }",
            json!({}),
        )
        .await;
    assert_eq!(verify["auditVerification"]["intact"], true);
    app.stop().await;
}
