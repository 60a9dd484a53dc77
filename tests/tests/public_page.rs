//! The public transparency page at `/public`, with no login: after a
//! waiver is approved, a district joins the demo network and a grant is
//! accepted, the page shows those numbers (checked against the GraphQL
//! reads), Deque's axe-core (from npm, see scripts/install-axe.sh) finds
//! no WCAG 2.1 A or AA violation (nor a best-practice one: heading order,
//! landmarks) in headless Chromium, nothing sticks out at a phone's width,
//! the page is no wider than the phone, and a screenshot is written.
#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions
use leeway_tests::TestApp;
use serde_json::{Value, json};
use std::time::Duration;

const APPLICANT: &str = "demo-district-applicant";
const REP: &str = "demo-district-rep";
const REVIEWER: &str = "demo-reviewer";
const REVIEWER_2: &str = "demo-reviewer-2";
const APPROVER: &str = "demo-approver";

fn chromium() -> String {
    let path = std::env::var("LEEWAY_CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    assert!(
        std::path::Path::new(&path).exists(),
        "no Chromium at {path}: scripts/test.sh installs Debian's chromium (or set LEEWAY_CHROMIUM)"
    );
    path
}

fn axe_script() -> String {
    let path = std::env::var("LEEWAY_AXE").unwrap_or_else(|_| {
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../target/axe-core/node_modules/axe-core/axe.min.js"
        )
        .into()
    });
    std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!("no axe-core at {path} ({e}): run scripts/install-axe.sh, as scripts/test.sh does")
    })
}

async fn run(app: &TestApp, token: &str, op: &str, args: &str, id: &str) -> Value {
    let q = format!("mutation($id: ID!) {{ {op}(id: $id{args}) {{ __typename }} }}");
    app.ok(token, &q, json!({ "id": id })).await
}

/// Hillcrest selected into the demo network, DLN.
async fn network_member(app: &TestApp) {
    let id = app
        .ok(
            "demo-other-district-rep",
            "mutation($a: NetworkApplicationInput!) { openNetworkApplication(network: \"DLN\", application: $a) { id } }",
            json!({ "a": {
                "letter": "Our board and teachers commit to mastery-based learning.",
                "commitments": ["planning_year", "convenings", "reporting"],
                "readiness": [
                    { "questionId": "leadership", "answer": "The superintendent leads a design team." },
                    { "questionId": "students", "answer": "Our two secondary schools first." }
                ],
                "studentsReached": 900
            } }),
        )
        .await["openNetworkApplication"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    run(
        app,
        "demo-other-district-rep",
        "submitNetworkApplication",
        "",
        &id,
    )
    .await;
    run(app, REVIEWER, "acceptNetworkApplicationAsComplete", "", &id).await;
    run(
        app,
        REVIEWER,
        "reviewNetworkApplication",
        r#", score: 80, summary: "Ready.""#,
        &id,
    )
    .await;
    run(app, APPROVER, "selectNetworkApplicant", "", &id).await;
}

/// Riverbend's grant of $60,000 from the demo program, accepted.
async fn accepted_grant(app: &TestApp) {
    let id = app
        .ok(
            APPLICANT,
            "mutation($a: GrantProposalInput!) { openGrantApplication(program: \"DEMO-MASTERY\", proposal: $a) { id } }",
            json!({ "a": {
                "narrative": "Teachers design competency-based units with families.",
                "budget": [{ "category": "PERSONNEL", "description": "Stipends", "amount": 6_000_000 }],
                "studentsServed": 1200,
                "goals": [{ "measure": "Grade 8 math mastery", "baseline": "41%", "target": "55%" }]
            } }),
        )
        .await["openGrantApplication"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let scores = r#", scores: [{criterion: "need", points: 30, comment: "Clear."}, {criterion: "plan", points: 30, comment: "Sound."}, {criterion: "budget", points: 15, comment: "Fair."}]"#;
    run(app, REP, "submitGrantApplication", "", &id).await;
    run(app, REVIEWER, "acceptGrantApplicationAsComplete", "", &id).await;
    run(
        app,
        APPROVER,
        "assignGrantReviewer",
        r#", reviewerId: "rita""#,
        &id,
    )
    .await;
    run(
        app,
        APPROVER,
        "assignGrantReviewer",
        r#", reviewerId: "sam""#,
        &id,
    )
    .await;
    run(app, REVIEWER, "declareGrantConflicts", "", &id).await;
    run(app, REVIEWER_2, "declareGrantConflicts", "", &id).await;
    run(app, REVIEWER, "scoreGrantApplication", scores, &id).await;
    run(app, REVIEWER_2, "scoreGrantApplication", scores, &id).await;
    run(app, APPROVER, "awardGrant", "", &id).await;
    run(app, REP, "acceptGrantAward", "", &id).await;
}

/// The number a `data-figure` span holds, as printed.
fn figure(html: &str, name: &str) -> String {
    let marker = format!("data-figure=\"{name}\"");
    let at = html
        .find(&marker)
        .unwrap_or_else(|| panic!("no figure {name}"));
    let rest = &html[at..];
    let start = rest.find('>').unwrap() + 1;
    let end = rest.find('<').unwrap();
    rest[start..end].to_string()
}

/// Serves the page with axe-core and a runner added, from an origin of
/// its own, and answers what the runner found once Chromium has run it.
async fn checker_page(page: String, style: String) -> (String, tokio::task::JoinHandle<()>) {
    use axum::Router;
    use axum::http::header;
    use axum::routing::get;
    let runner = r#"<script src="/axe.min.js"></script><script src="/run.js"></script></body>"#;
    let page = page.replace("</body>", runner);
    let axe = axe_script();
    let run = r#"
axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"] } })
  .then(function (r) { report({ violations: r.violations.map(function (v) {
      return { id: v.id, help: v.help, nodes: v.nodes.map(function (n) { return n.html; }) }; }),
    passes: r.passes.map(function (p) { return p.id; }) }); })
  .catch(function (e) { report({ error: String(e) }); });
function report(result) {
  // Headless Chromium keeps its window at least 500 pixels wide, so a
  // phone's 360 is the body's width here; nothing may stick out of it.
  document.body.style.maxWidth = "360px";
  result.width = document.body.clientWidth;
  result.scrollWidth = document.body.scrollWidth;
  var pre = document.createElement("pre");
  pre.id = "axe-result";
  pre.textContent = JSON.stringify(result);
  document.body.appendChild(pre);
}"#;
    let app = Router::new()
        .route(
            "/",
            get(move || async move { ([(header::CONTENT_TYPE, "text/html")], page) }),
        )
        .route(
            "/axe.min.js",
            get(move || async move { ([(header::CONTENT_TYPE, "text/javascript")], axe) }),
        )
        .route(
            "/run.js",
            get(move || async move { ([(header::CONTENT_TYPE, "text/javascript")], run) }),
        )
        .route(
            "/public/style.css",
            get(move || async move { ([(header::CONTENT_TYPE, "text/css")], style) }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/", listener.local_addr().unwrap());
    let server = tokio::spawn(async move {
        axum::serve(listener, app).await.unwrap();
    });
    (url, server)
}

async fn chromium_run(args: &[String]) -> String {
    let profile = tempfile::tempdir().unwrap();
    let run = tokio::process::Command::new(chromium())
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
            "--window-size=390,844",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(args)
        .kill_on_drop(true)
        .output();
    let out = tokio::time::timeout(Duration::from_secs(120), run)
        .await
        .expect("Chromium finished within two minutes")
        .unwrap();
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_public_page_shows_the_data_and_meets_wcag_aa_on_a_phone() {
    let app = TestApp::start("DEMO").await;
    app.approved_waiver("Riverbend mastery zone").await;
    network_member(&app).await;
    accepted_grant(&app).await;
    // A published annual report, so that its list is checked too.
    let year = app
        .running
        .app
        .profile
        .report
        .as_ref()
        .unwrap()
        .latest_compiled(chrono::Utc::now());
    for (token, op) in [
        ("demo-admin", "startAnnualReport(year: $y)"),
        ("demo-approver", "certifyAnnualReport(year: $y, version: 1)"),
    ] {
        let q = format!("mutation($y: Int!) {{ {op} {{ id }} }}");
        app.ok(token, &q, json!({ "y": year })).await;
    }

    let base = format!("http://{}", app.running.addr);
    let response = reqwest::get(format!("{base}/public")).await.unwrap();
    assert_eq!(response.status(), 200);
    assert!(
        response.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .starts_with("default-src 'none'")
    );
    let html = response.text().await.unwrap();

    // The numbers are the data's, as the public GraphQL reads give them.
    let public = app
        .gql(
            None,
            "{ grantAwards { amount } networkProgram(code: \"DLN\") { members { organisationName } } }",
            json!({}),
        )
        .await;
    assert_eq!(figure(&html, "waivers"), "1");
    assert_eq!(figure(&html, "provisions"), "2");
    assert!(
        html.contains(r#"data-provision="DS 22-7-101">1<"#),
        "{html}"
    );
    let grants = public["data"]["grantAwards"].as_array().unwrap();
    assert_eq!(figure(&html, "grants"), grants.len().to_string());
    assert_eq!(figure(&html, "grants-total"), "$60,000.00");
    assert_eq!(grants[0]["amount"], 6_000_000);
    let members = public["data"]["networkProgram"]["members"]
        .as_array()
        .unwrap();
    assert_eq!(figure(&html, "members"), members.len().to_string());
    assert_eq!(members.len(), 1);
    let cohorts = leeway_workflows::report_figures::network_cohorts(&app.running.app.db)
        .await
        .unwrap();
    assert_eq!(cohorts.len(), 1);
    assert_eq!(
        (cohorts[0].network.as_str(), cohorts[0].members),
        ("DLN", 1)
    );
    assert!(html.contains("Certified on"), "the page lists the report");
    for name in [
        "Riverbend",
        "Hillcrest",
        "DS 22-7-101",
        "Demo Mastery Education Grants",
    ] {
        assert!(html.contains(name), "the page does not name {name}");
    }

    // An accessibility checker in a real browser, at a phone's width.
    let style = reqwest::get(format!("{base}/public/style.css"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let (url, server) = checker_page(html, style).await;
    let dom = chromium_run(&[
        "--virtual-time-budget=30000".into(),
        "--dump-dom".into(),
        url,
    ])
    .await;
    server.abort();
    let start = dom
        .find("<pre id=\"axe-result\">")
        .unwrap_or_else(|| panic!("axe-core did not report: {}", &dom[..dom.len().min(2000)]))
        + "<pre id=\"axe-result\">".len();
    let end = start + dom[start..].find("</pre>").unwrap();
    let text = dom[start..end]
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&amp;", "&");
    let result: Value = serde_json::from_str(&text).unwrap();
    assert!(result.get("error").is_none(), "axe-core failed: {result}");
    assert_eq!(
        result["violations"],
        json!([]),
        "WCAG violations: {result:#}"
    );
    let passes: Vec<&str> = result["passes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap())
        .collect();
    for rule in [
        "color-contrast",
        "html-has-lang",
        "document-title",
        "meta-viewport",
        "th-has-data-cells",
        "heading-order",
        "landmark-one-main",
    ] {
        assert!(
            passes.contains(&rule),
            "axe did not check {rule}: {passes:?}"
        );
    }
    assert!(
        result["scrollWidth"].as_i64().unwrap() <= result["width"].as_i64().unwrap(),
        "the page is wider than a phone: {result}"
    );

    // A screenshot at a phone's width, for people to look at.
    let shot = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("public-page-phone.png");
    let _ = std::fs::remove_file(&shot);
    chromium_run(&[
        format!("--screenshot={}", shot.display()),
        format!("{base}/public"),
    ])
    .await;
    let png =
        std::fs::read(&shot).unwrap_or_else(|e| panic!("no screenshot at {}: {e}", shot.display()));
    assert!(
        png.starts_with(b"\x89PNG") && png.len() > 10_000,
        "not a screenshot"
    );
    eprintln!("screenshot: {}", shot.display());
    app.stop().await;
}
