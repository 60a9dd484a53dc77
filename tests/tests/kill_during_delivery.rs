//! Leeway killed with SIGKILL in the middle of sending email, then
//! started again: delivery resumes within seconds, and the only messages
//! that arrive twice are those whose outcome the kill made unknown (the
//! relay had taken them, Leeway had not recorded it), each flagged as a
//! possible duplicate. This test has its own Temporal (the embedded dev
//! server, kept in its data directory), database and relay.
#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions
use leeway_tests::smtp::SmtpCapture;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const ADMIN: &str = "demo-admin";
const APPLICANT: &str = "demo-district-applicant";

fn start(data: &Path, database_url: &str, smtp: &SmtpCapture, port: u16) -> Child {
    Command::new(env!("CARGO_BIN_EXE_leeway-under-test"))
        .arg("--listen")
        .arg(format!("127.0.0.1:{port}"))
        .arg("--data-dir")
        .arg(data)
        .arg("--database-url")
        .arg(database_url)
        .args(["--smtp-host", "127.0.0.1", "--smtp-security", "none"])
        .arg("--smtp-port")
        .arg(smtp.port.to_string())
        .args(["--mail-from", "Leeway Test <leeway@test.example>"])
        .env_remove("TEMPORAL_ADDRESS")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("leeway-under-test starts")
}

/// Kills the process it holds when dropped, so a failing test leaves
/// nothing running.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

async fn gql(port: u16, token: &str, query: &str, variables: Value) -> Option<Value> {
    let response = reqwest::Client::new()
        .post(format!("http://127.0.0.1:{port}/graphql"))
        .bearer_auth(token)
        .json(&json!({ "query": query, "variables": variables }))
        .send()
        .await
        .ok()?;
    response.json().await.ok()
}

async fn until_ready(port: u16) {
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(120) {
        if let Ok(r) = reqwest::get(format!("http://127.0.0.1:{port}/readyz")).await
            && r.status().is_success()
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    panic!("leeway did not become ready on port {port}");
}

const NOTES: &str = "query($id: ID!) { waiverCase(id: $id) { notifications { messageId status possibleDuplicate } } }";

async fn notifications(port: u16, ids: &[String]) -> Vec<Value> {
    let mut all = Vec::new();
    for id in ids {
        let body = gql(port, ADMIN, NOTES, json!({ "id": id }))
            .await
            .expect("an answer");
        all.extend(
            body["data"]["waiverCase"]["notifications"]
                .as_array()
                .unwrap_or_else(|| panic!("{body}"))
                .iter()
                .cloned(),
        );
    }
    all
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_kill_during_delivery_resends_only_flagged_possible_duplicates() {
    let data = tempfile::tempdir().expect("temp dir");
    let database_url = leeway_tests::test_database(data.path())
        .await
        .expect("test database");
    let smtp = SmtpCapture::start().expect("relay");
    // The relay keeps each message a moment before it answers: a kill in
    // that moment leaves an outcome Leeway cannot know.
    smtp.set_answer_delay(Duration::from_secs(3));
    let port = free_port();
    let mut first = Running(start(data.path(), &database_url, &smtp, port));
    until_ready(port).await;

    // Eight drafts opened at once: their emails go out side by side.
    let opens: Vec<_> = (0..8)
        .map(|i| {
            tokio::spawn(async move {
                gql(
                    port,
                    APPLICANT,
                    "mutation($c: WaiverContentInput!) { openWaiverDraft(content: $c) { id } }",
                    json!({ "c": { "title": format!("Kill test {i}") } }),
                )
                .await
            })
        })
        .collect();
    let mut ids = Vec::new();
    for open in opens {
        let body = open.await.expect("joined").expect("an answer");
        ids.push(
            body["data"]["openWaiverDraft"]["id"]
                .as_str()
                .unwrap_or_else(|| panic!("{body}"))
                .to_string(),
        );
    }
    // Kill while messages are going out.
    let start_wait = Instant::now();
    while smtp.mails().len() < 2 && start_wait.elapsed() < Duration::from_secs(30) {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    first.0.kill().expect("SIGKILL");
    first.0.wait().expect("reaped");
    let killed_at = Instant::now();
    let before_restart = smtp.mails().len();

    let port = free_port();
    let second = Running(start(data.path(), &database_url, &smtp, port));
    until_ready(port).await;
    let total = notifications(port, &ids).await.len();
    assert!(total >= 8, "every opening emails the district: {total}");
    assert!(before_restart < total, "the kill came mid-delivery");
    let mut rows = Vec::new();
    while killed_at.elapsed() < Duration::from_secs(120) {
        rows = notifications(port, &ids).await;
        if rows.iter().all(|n| n["status"] == "SENT") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    let resumed_in = killed_at.elapsed();
    assert!(
        rows.iter().all(|n| n["status"] == "SENT"),
        "every email went out after the restart: {rows:#?}"
    );
    eprintln!("all {total} emails sent {resumed_in:?} after the kill");
    assert!(resumed_in < Duration::from_secs(90), "{resumed_in:?}");

    let mut copies: HashMap<String, Vec<bool>> = HashMap::new();
    for m in smtp.mails() {
        copies
            .entry(m.header("Message-ID").unwrap_or_default())
            .or_default()
            .push(m.header("X-Leeway-Possible-Duplicate").is_some());
    }
    for n in &rows {
        let mid = n["messageId"].as_str().unwrap_or_default();
        let arrived = copies.get(mid).map_or(0, Vec::len);
        assert!(arrived >= 1, "{mid} arrived");
        if arrived > 1 {
            assert_eq!(
                n["possibleDuplicate"], true,
                "{mid} arrived twice unflagged"
            );
            assert_eq!(arrived, 2, "{mid} is sent again once, not more");
            assert_eq!(copies[mid], [false, true], "the resend carries the flag");
        }
    }
    let duplicates = copies.values().filter(|c| c.len() > 1).count();
    eprintln!("{duplicates} possible duplicate(s), all flagged");
    drop(second);
    // The dev server the second process started is left to the next
    // start's orphan check; stop it here so it does not linger.
    let pid_file = data.path().join("temporal.pid");
    if let Ok(pid) = std::fs::read_to_string(pid_file) {
        let _ = Command::new("kill").args(["-TERM", pid.trim()]).status();
    }
}
