//! `leeway export case ID`: one case's whole file for an open-records
//! request, whose proof a reader can check without Leeway, and which says
//! so when the records were altered. On SQLite, or PostgreSQL when
//! DATABASE_URL names it.
#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions
use leeway_api::case_export;
use leeway_tests::{TestApp, demo_waiver_content};
use leeway_workflows::audit_tree::{Hash, leaf_hash, root_from_path};
use sea_orm::ConnectionTrait;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::time::Duration;

const APPLICANT: &str = "demo-district-applicant";
const REP: &str = "demo-district-rep";
const REVIEWER: &str = "demo-reviewer";

fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

fn unhex(s: &Value) -> Hash {
    hex::decode(s.as_str().unwrap())
        .unwrap()
        .try_into()
        .unwrap()
}

/// What a reader of the export can check with SHA-256 alone.
fn check_by_hand(file: &Value) {
    let entries = file["decisions_and_steps"].as_array().unwrap();
    let mut prev = "0".repeat(64);
    for e in entries {
        assert_eq!(e["prev_hash"], json!(prev));
        assert!(e["hashed_bytes"].as_str().unwrap().contains(&prev));
        assert_eq!(
            e["hash"],
            json!(sha256_hex(e["hashed_bytes"].as_str().unwrap().as_bytes()))
        );
        prev = e["hash"].as_str().unwrap().to_string();
    }
    for d in file["documents"].as_array().unwrap() {
        assert_eq!(
            d["hash"],
            json!(sha256_hex(d["body"].as_str().unwrap().as_bytes()))
        );
    }
    let sealed = &file["proof"]["sealed"];
    assert_eq!(sealed["sealed"], true, "{sealed:#}");
    let path: Vec<Hash> = sealed["inclusion_path"]
        .as_array()
        .unwrap()
        .iter()
        .map(unhex)
        .collect();
    let head = &sealed["tree_head"];
    let root = root_from_path(
        sealed["leaf_index"].as_u64().unwrap(),
        head["tree_size"].as_u64().unwrap(),
        leaf_hash(sealed["leaf"].as_str().unwrap().as_bytes()),
        &path,
    )
    .unwrap();
    assert_eq!(hex::encode(root), head["root"].as_str().unwrap());
    let head_hash = sha256_hex(
        format!(
            "{}\n{}\n{}\n{}",
            head["prev_hash"].as_str().unwrap(),
            head["tree_size"],
            head["last_log_id"],
            head["root"].as_str().unwrap()
        )
        .as_bytes(),
    );
    assert_eq!(head["hash"], json!(head_hash));
    // The sealed entry is one of the chain's, which links on to the last.
    let sealed_seq = sealed["entry_seq"].as_i64().unwrap() as usize;
    assert_eq!(
        entries[sealed_seq - 1]["hash"],
        sealed["entry_hash"],
        "the leaf is the chain's entry"
    );
}

#[tokio::test]
async fn a_cases_whole_file_is_exported_with_a_proof_anyone_can_check() {
    let app = TestApp::start("DEMO").await;
    let db = app.running.app.db.clone();
    let id = app
        .ok(
            APPLICANT,
            "mutation($c: WaiverContentInput!) { openWaiverDraft(content: $c) { id } }",
            json!({ "c": demo_waiver_content("Exported for a records request") }),
        )
        .await["openWaiverDraft"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    for (token, op) in [(REP, "submitWaiver"), (REVIEWER, "acceptWaiverAsComplete")] {
        app.ok(
            token,
            &format!("mutation($id: ID!) {{ {op}(id: $id) {{ state }} }}"),
            json!({ "id": id }),
        )
        .await;
    }
    // Emails are sent beside the workflow: wait for the submission's.
    app.eventually(
        REVIEWER,
        "query($id: ID!) { waiverCase(id: $id) { notifications { status } } }",
        json!({ "id": id }),
        Duration::from_secs(30),
        |d| {
            d["waiverCase"]["notifications"]
                .as_array()
                .is_some_and(|n| {
                    n.iter().any(|m| {
                        m["status"]
                            .as_str()
                            .is_some_and(|s| s.eq_ignore_ascii_case("sent"))
                    })
                })
        },
    )
    .await;
    leeway_workflows::audit_seal::seal(&db).await.unwrap();

    let file = case_export::export(&db, &id).await.unwrap();
    assert_eq!(file["format"], case_export::FORMAT);
    assert_eq!(file["case"]["state"], "accepted");
    assert_eq!(file["case"]["title"], "Exported for a records request");
    assert!(file["case"]["program_record"].is_object());
    assert_eq!(file["snapshots"].as_array().unwrap().len(), 1);
    let steps: Vec<&str> = file["decisions_and_steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["command"].as_str().unwrap())
        .collect();
    assert_eq!(steps.len(), 3, "{steps:?}");
    assert!(
        file["emails"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["status"] == "sent"),
        "{:#}",
        file["emails"]
    );
    assert!(!file["deadlines"].as_array().unwrap().is_empty());
    assert_eq!(file["proof"]["verifies"], true, "{:#}", file["proof"]);
    check_by_hand(&file);

    // Altered records are caught: a stored document and an entry's reasons.
    let backend = db.get_database_backend();
    let exec = |sql: String| {
        let db = db.clone();
        async move {
            db.execute_raw(sea_orm::Statement::from_string(backend, sql))
                .await
                .unwrap();
        }
    };
    exec(format!(
        "UPDATE case_documents SET body = body || ' ' WHERE case_id = '{id}'"
    ))
    .await;
    exec(format!(
        "UPDATE audit_entries SET reasons = '[\"altered\"]' WHERE chain = '{id}' AND seq = 2"
    ))
    .await;
    let file = case_export::export(&db, &id).await.unwrap();
    let proof = &file["proof"];
    assert_eq!(proof["verifies"], false);
    assert!(
        !proof["documents"]["not_matching_their_hash"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    assert!(
        proof["chain"]["problems"][0]
            .as_str()
            .unwrap()
            .contains("entry 2 no longer matches its hash"),
        "{proof:#}"
    );

    let missing = case_export::export(&db, "waiver-nope").await;
    assert!(matches!(
        missing,
        Err(case_export::ExportError::NoSuchCase(_))
    ));
    app.stop().await;
}
