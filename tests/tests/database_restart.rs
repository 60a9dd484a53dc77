//! PostgreSQL restarted in the middle of traffic. Commands may be answered
//! UNAVAILABLE while it is down; clients send them again with the same
//! idempotency key. Afterwards the pool recovers by itself, nothing is
//! lost or applied twice, and the audit trail verifies. The server is the
//! test's own cluster, so restarting it disturbs no other test. It runs in
//! the PostgreSQL pass of the suite (`DATABASE_URL` naming a server); on
//! SQLite there is no server to restart.
#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions
use leeway_tests::TestApp;
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

const CLIENTS: usize = 4;
const EDITS: usize = 20;

/// A private PostgreSQL cluster from Debian's `postgresql` binaries.
struct Cluster {
    bin: PathBuf,
    dir: PathBuf,
    port: u16,
}

fn as_postgres(cmd: &Path) -> Command {
    // initdb and the server refuse to run as root.
    let root = Command::new("id")
        .arg("-u")
        .output()
        .map(|o| o.stdout == b"0\n")
        .unwrap_or(false);
    if root {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--"]).arg(cmd);
        c
    } else {
        Command::new(cmd)
    }
}

impl Cluster {
    fn start(dir: &Path) -> Cluster {
        let bin = std::fs::read_dir("/usr/lib/postgresql")
            .expect("Debian's postgresql package")
            .filter_map(|e| e.ok())
            .map(|e| e.path().join("bin"))
            .filter(|p| p.join("initdb").exists())
            .max()
            .expect("initdb");
        let data = dir.join("pgdata");
        std::fs::create_dir_all(&data).unwrap();
        let _ = Command::new("chown")
            .args(["-R", "postgres:"])
            .arg(dir)
            .status();
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .unwrap();
        let ok = as_postgres(&bin.join("initdb"))
            .args(["-A", "trust", "-U", "postgres", "-D"])
            .arg(&data)
            .stdout(std::process::Stdio::null())
            .status()
            .unwrap()
            .success();
        assert!(ok, "initdb");
        let cluster = Cluster {
            bin,
            dir: data,
            port,
        };
        cluster.pg_ctl("start");
        cluster
    }

    fn pg_ctl(&self, action: &str) {
        let options = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1",
            self.port,
            self.dir.display()
        );
        let ok = as_postgres(&self.bin.join("pg_ctl"))
            .args([action, "-w", "-m", "fast", "-D"])
            .arg(&self.dir)
            .args(["-o", &options, "-l"])
            .arg(self.dir.join("log"))
            .stdout(std::process::Stdio::null())
            .status()
            .unwrap()
            .success();
        assert!(ok, "pg_ctl {action}");
    }

    fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let _ = as_postgres(&self.bin.join("pg_ctl"))
            .args(["stop", "-m", "immediate", "-D"])
            .arg(&self.dir)
            .stdout(std::process::Stdio::null())
            .status();
    }
}

const EDIT: &str = "mutation($id: ID!, $c: WaiverContentInput!, $k: String) { editWaiverDraft(id: $id, content: $c, idempotencyKey: $k) { id } }";

/// Sends until it is answered, with the same idempotency key each time.
async fn until_done(app: &TestApp, token: &str, query: &str, vars: Value) -> (Value, u32) {
    let mut unavailable = 0;
    let start = Instant::now();
    loop {
        let body = app.gql(Some(token), query, vars.clone()).await;
        match body["errors"][0]["extensions"]["code"].as_str() {
            None => return (body["data"].clone(), unavailable),
            Some("UNAVAILABLE") if start.elapsed() < Duration::from_secs(120) => {
                unavailable += 1;
                tokio::time::sleep(Duration::from_millis(300)).await;
            }
            Some(_) => panic!("refused: {body}"),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_postgresql_restart_loses_nothing_and_applies_nothing_twice() {
    if !std::env::var("DATABASE_URL").is_ok_and(|u| u.starts_with("postgres")) {
        eprintln!("runs in the PostgreSQL pass of scripts/test.sh");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let cluster = Cluster::start(dir.path());
    let app_dir = tempfile::tempdir().unwrap();
    let database_url = leeway_tests::database_on(Some(&cluster.url()), app_dir.path())
        .await
        .unwrap();
    let app = TestApp::start_on("DEMO", app_dir, database_url).await;

    let mut ids = Vec::new();
    for c in 0..CLIENTS {
        let (data, _) = until_done(
            &app,
            "demo-district-applicant",
            "mutation($c: WaiverContentInput!, $k: String) { openWaiverDraft(content: $c, idempotencyKey: $k) { id } }",
            json!({ "c": { "title": format!("client {c}") }, "k": format!("open-{c}") }),
        )
        .await;
        ids.push(data["openWaiverDraft"]["id"].as_str().unwrap().to_string());
    }
    let app = std::sync::Arc::new(app);
    let mut clients = Vec::new();
    for (c, id) in ids.iter().cloned().enumerate() {
        let app = app.clone();
        clients.push(tokio::spawn(async move {
            let (mut unavailable, mut longest) = (0, Duration::ZERO);
            for e in 0..EDITS {
                let vars = json!({ "id": id, "c": { "title": format!("client {c} edit {e}") }, "k": format!("edit-{c}-{e}") });
                let started = Instant::now();
                unavailable += until_done(&app, "demo-district-applicant", EDIT, vars).await.1;
                longest = longest.max(started.elapsed());
                tokio::time::sleep(Duration::from_millis(150)).await;
            }
            (unavailable, longest)
        }));
    }
    // Restart the server while the clients are editing.
    tokio::time::sleep(Duration::from_millis(600)).await;
    cluster.pg_ctl("stop");
    tokio::time::sleep(Duration::from_secs(3)).await;
    cluster.pg_ctl("start");
    let (mut refused_while_down, mut longest) = (0, Duration::ZERO);
    for c in clients {
        let (refused, slowest) = c.await.unwrap();
        refused_while_down += refused;
        longest = longest.max(slowest);
    }
    eprintln!(
        "{refused_while_down} answers were UNAVAILABLE while the database was down; the slowest edit took {longest:?}"
    );
    assert!(
        longest >= Duration::from_secs(2),
        "an edit was under way through the outage"
    );

    // Every edit applied exactly once, in order, and the chain verifies.
    for (c, id) in ids.iter().enumerate() {
        let case = app
            .ok(
                "demo-auditor",
                "query($id: ID!) { waiverCase(id: $id) { history { command } content { title } } }",
                json!({ "id": id }),
            )
            .await;
        let history = case["waiverCase"]["history"].as_array().unwrap();
        assert_eq!(history.len(), 1 + EDITS, "{id}: {history:?}");
        assert_eq!(
            case["waiverCase"]["content"]["title"],
            format!("client {c} edit {}", EDITS - 1)
        );
    }
    let verify = app
        .ok(
            "demo-auditor",
            "{ auditVerification { intact problems { chain problem } } }",
            json!({}),
        )
        .await;
    assert_eq!(verify["auditVerification"]["intact"], true, "{verify}");
    let app = std::sync::Arc::into_inner(app).unwrap();
    app.stop().await;
    drop(cluster);
}
