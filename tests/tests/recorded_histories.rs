//! Workflow histories recorded from released code, replayed against the
//! code as built now: a change that would break a running case (a
//! different command sequence for the same history, a payload that no
//! longer deserializes) fails here. Record new ones with
//! `LEEWAY_RECORD_HISTORIES=1 cargo test -p leeway-tests`; keep the old
//! ones, and gate behaviour changes with `ctx.patched`.
use leeway_tests::replay;
use temporalio_client::WorkflowHistory;

#[tokio::test]
async fn every_recorded_history_replays() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/histories");
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .expect("tests/histories exists")
        .map(|e| e.expect("a directory entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    assert!(
        files.len() >= 8,
        "the recorded histories are checked in ({} found)",
        files.len()
    );
    let mut failures = Vec::new();
    for file in &files {
        let bytes = std::fs::read(file).expect("history file");
        let history = WorkflowHistory::from_json(&bytes).expect("a history in Temporal's JSON");
        if let Err(e) = replay(history).await {
            failures.push(format!("{}: {e:#}", file.display()));
        }
    }
    assert!(
        failures.is_empty(),
        "histories no longer replay:\n{}",
        failures.join("\n")
    );
}
