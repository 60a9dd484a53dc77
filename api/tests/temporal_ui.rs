//! `leeway serve --temporal-ui` starts the embedded dev server with its
//! web UI and prints where it is; the address answers with the UI.
#![allow(clippy::unwrap_used)] // a test: a failed step should panic
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_with_temporal_ui_prints_an_address_that_answers() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_leeway"))
        .args(["serve", "--temporal-ui", "--listen", "127.0.0.1:0"])
        .arg("--data-dir")
        .arg(dir.path())
        .env_remove("DATABASE_URL")
        .env_remove("TEMPORAL_ADDRESS")
        .env("RUST_LOG", "warn")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let ui = tokio::task::spawn_blocking(move || {
        BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
            .find_map(|l| l.trim().strip_prefix("Temporal UI: ").map(str::to_string))
    })
    .await
    .unwrap();
    let answered = async {
        let ui = ui.clone()?;
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(60) {
            if let Ok(r) = reqwest::get(&ui).await
                && r.status().is_success()
            {
                return r.text().await.ok();
            }
            tokio::time::sleep(Duration::from_millis(300)).await;
        }
        None
    }
    .await;
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let _ = child.wait();
    let ui = ui.expect("serve printed `Temporal UI: <address>`");
    assert!(ui.starts_with("http://127.0.0.1:"), "{ui}");
    let page = answered.unwrap_or_else(|| panic!("{ui} did not answer"));
    assert!(page.to_lowercase().contains("<html"), "{page}");
}
