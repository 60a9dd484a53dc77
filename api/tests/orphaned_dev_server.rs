//! `leeway serve` killed with SIGKILL leaves its Temporal dev server
//! running on the data directory's `temporal.db`. The next start must stop
//! that orphan rather than start a second server on the same file, and
//! come up ready with the data it had.
#![allow(clippy::unwrap_used)] // a test: a failed step should panic
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn serve(data: &Path, port: u16) -> Child {
    Command::new(env!("CARGO_BIN_EXE_leeway"))
        .args(["serve", "--demo", "--listen", &format!("127.0.0.1:{port}")])
        .arg("--data-dir")
        .arg(data)
        .env_remove("DATABASE_URL")
        .env_remove("TEMPORAL_ADDRESS")
        .env("RUST_LOG", "warn")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("leeway serve starts")
}

async fn until_ready(port: u16) {
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(120) {
        if let Ok(r) = reqwest::get(format!("http://127.0.0.1:{port}/readyz")).await
            && r.status().is_success()
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    panic!("leeway did not become ready on port {port}");
}

fn is_running(pid: u32) -> bool {
    // A zombie has no command line any more.
    std::fs::read(format!("/proc/{pid}/cmdline")).is_ok_and(|c| !c.is_empty())
}

fn pid_in(data: &Path) -> u32 {
    std::fs::read_to_string(data.join("temporal.pid"))
        .expect("temporal.pid written")
        .trim()
        .parse()
        .unwrap()
}

async fn count_cases(port: u16) -> usize {
    let body: serde_json::Value = reqwest::Client::new()
        .post(format!("http://127.0.0.1:{port}/graphql"))
        .bearer_auth("demo-district-applicant")
        .json(&serde_json::json!({ "query": "{ waiverCases { edges { node { id title } } } }" }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    // The demo's own history has waivers of its own; count this test's.
    body["data"]["waiverCases"]["edges"]
        .as_array()
        .unwrap_or_else(|| panic!("{body}"))
        .iter()
        .filter(|e| e["node"]["title"] == "Survives a restart")
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restart_after_kill_9_stops_the_orphaned_dev_server() {
    if !Path::new("/proc/self/cmdline").exists() {
        panic!("this test reads /proc, which Leeway's CI machines have");
    }
    let data = tempfile::tempdir().unwrap();
    let port = free_port();
    let mut first = serve(data.path(), port);
    until_ready(port).await;
    let opened: serde_json::Value = reqwest::Client::new()
        .post(format!("http://127.0.0.1:{port}/graphql"))
        .bearer_auth("demo-district-applicant")
        .json(&serde_json::json!({
            "query": "mutation($c: WaiverContentInput!) { openWaiverDraft(content: $c) { id } }",
            "variables": { "c": { "title": "Survives a restart" } }
        }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(opened.get("errors").is_none(), "{opened}");
    let orphan = pid_in(data.path());
    first.kill().unwrap(); // SIGKILL: no chance to stop the child
    first.wait().unwrap();
    assert!(
        is_running(orphan),
        "the dev server outlives a SIGKILLed Leeway"
    );

    let port = free_port();
    let mut second = serve(data.path(), port);
    until_ready(port).await;
    assert!(!is_running(orphan), "the orphan was stopped");
    let current = pid_in(data.path());
    assert_ne!(current, orphan);
    assert_eq!(
        count_cases(port).await,
        1,
        "the case opened before the kill is there"
    );

    // A clean stop takes its dev server with it.
    Command::new("kill")
        .args(["-TERM", &second.id().to_string()])
        .status()
        .unwrap();
    let start = Instant::now();
    while second.try_wait().unwrap().is_none() && start.elapsed() < Duration::from_secs(30) {
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert!(
        second.try_wait().unwrap().is_some(),
        "leeway stopped on SIGTERM"
    );
    let start = Instant::now();
    while is_running(current) && start.elapsed() < Duration::from_secs(15) {
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert!(!is_running(current), "its dev server stopped with it");
}
