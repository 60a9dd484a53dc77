//! Email through a relay that goes down: retried with backoff for as long
//! as the profile says, with no one acting; then given up on, with the
//! administrators alerted. Each of these tests has its own relay.
#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions
use leeway_tests::TestApp;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::time::Duration;

const REP: &str = "demo-district-rep";
const ADMIN: &str = "demo-admin";
const OUTAGE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/profiles/relay-outage.toml");
const GIVES_UP: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/profiles/relay-gives-up.toml");
const NOTES: &str = "query($id: ID!) { networkMembership(id: $id) { notifications { subject recipientEmail status attempts messageId lastError } } }";

/// Opens and submits an application: emails to the district and reviewers.
async fn apply(app: &TestApp) -> String {
    let id = app
        .ok(
            REP,
            "mutation($a: NetworkApplicationInput!) { openNetworkApplication(network: \"SEATS\", application: $a) { id } }",
            json!({ "a": { "letter": "We commit.", "commitments": ["convenings"], "readiness": [{ "questionId": "leadership", "answer": "Yes." }], "studentsReached": 100 } }),
        )
        .await["openNetworkApplication"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    app.ok(
        REP,
        "mutation($id: ID!) { submitNetworkApplication(id: $id) { id } }",
        json!({ "id": id }),
    )
    .await;
    id
}

fn notes(data: &Value) -> Vec<Value> {
    data["networkMembership"]["notifications"]
        .as_array()
        .unwrap()
        .clone()
}

fn copies(app: &TestApp) -> HashMap<String, usize> {
    let mut seen = HashMap::new();
    for m in app.smtp.mails() {
        *seen
            .entry(m.header("Message-ID").unwrap_or_default())
            .or_default() += 1;
    }
    seen
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_relay_down_for_a_while_delivers_every_email_once_with_no_one_acting() {
    let app = TestApp::start(OUTAGE).await;
    app.smtp.set_failing(true);
    let id = apply(&app).await;
    let v = json!({ "id": id });
    // Retried while the relay is down: more than one attempt each.
    app.eventually(ADMIN, NOTES, v.clone(), Duration::from_secs(30), |d| {
        let n = notes(d);
        n.len() >= 3
            && n.iter()
                .all(|n| n["status"] == "FAILED" && n["attempts"].as_i64() >= Some(2))
    })
    .await;
    tokio::time::sleep(Duration::from_secs(5)).await;
    assert!(
        app.smtp.mails().is_empty(),
        "nothing got through the outage"
    );
    app.smtp.set_failing(false);
    let data = app
        .eventually(ADMIN, NOTES, v, Duration::from_secs(30), |d| {
            notes(d).iter().all(|n| n["status"] == "SENT")
        })
        .await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    let copies = copies(&app);
    for n in notes(&data) {
        let mid = n["messageId"].as_str().unwrap();
        assert_eq!(copies.get(mid), Some(&1), "{mid} arrived once: {copies:?}");
    }
    assert!(
        app.smtp
            .mails()
            .iter()
            .all(|m| m.header("X-Leeway-Possible-Duplicate").is_none()),
        "nothing needed flagging"
    );
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_relay_down_past_the_retry_time_alerts_the_administrators() {
    let app = TestApp::start(GIVES_UP).await;
    app.smtp.set_failing(true);
    let id = apply(&app).await;
    let v = json!({ "id": id });
    let alerted = |n: &Value| {
        n["subject"]
            .as_str()
            .unwrap_or("")
            .starts_with("Leeway could not deliver")
    };
    // An attempt already in flight when the case is given up on finishes
    // on its own (past its retry time, it too is given up on): wait for
    // the alerts and for nothing but alerts to be in flight.
    let data = app
        .eventually(ADMIN, NOTES, v.clone(), Duration::from_secs(40), |d| {
            notes(d).iter().any(&alerted)
                && notes(d)
                    .iter()
                    .filter(|n| !alerted(n))
                    .all(|n| n["status"] != "SENDING")
        })
        .await;
    for n in notes(&data).iter().filter(|n| !alerted(n)) {
        assert_eq!(n["status"], "UNDELIVERABLE", "{n}");
    }
    // The relay comes back: the alerts (still within their own retry
    // time) go out; what was given up on does not, unless asked.
    app.smtp.set_failing(false);
    let data = app
        .eventually(ADMIN, NOTES, v.clone(), Duration::from_secs(30), |d| {
            notes(d)
                .iter()
                .filter(|n| alerted(n))
                .all(|n| n["status"] == "SENT")
        })
        .await;
    let alerts: Vec<Value> = notes(&data).into_iter().filter(|n| alerted(n)).collect();
    assert!(!alerts.is_empty());
    let mails = app.smtp.mails();
    assert_eq!(mails.len(), alerts.len(), "only the alerts arrived");
    assert!(
        mails.iter().all(|m| m.to == ["root@sea.demo.example"]),
        "to the administrator: {mails:?}"
    );
    assert!(
        mails[0].data.contains("relay down for maintenance"),
        "the alert says what went wrong: {}",
        mails[0].data
    );
    // An administrator sends the rest once the relay works.
    app.ok(
        ADMIN,
        "mutation($id: ID!) { redeliverNotifications(id: $id) { caseId } }",
        v.clone(),
    )
    .await;
    let data = app
        .eventually(ADMIN, NOTES, v, Duration::from_secs(30), |d| {
            notes(d).iter().all(|n| n["status"] == "SENT")
        })
        .await;
    let copies = copies(&app);
    for n in notes(&data) {
        let mid = n["messageId"].as_str().unwrap();
        assert_eq!(copies.get(mid), Some(&1), "{mid}: {copies:?}");
    }
    app.stop().await;
}
