//! GraphiQL works inside a state network with no internet access: its
//! scripts and styles come from the binary, under a Content-Security-Policy
//! that allows nothing else. Headless Chromium (Debian's, which
//! scripts/test.sh installs) renders the editor with every host but
//! loopback cut off.
#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions
use leeway_api::graphiql_page::CONTENT_SECURITY_POLICY;
use leeway_tests::TestApp;
use std::time::Duration;

fn chromium() -> String {
    let path = std::env::var("LEEWAY_CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    assert!(
        std::path::Path::new(&path).exists(),
        "no Chromium at {path}: scripts/test.sh installs Debian's chromium (or set LEEWAY_CHROMIUM)"
    );
    path
}

/// The page's DOM once its scripts have run, as Chromium renders it with
/// no route to anything but this machine: names other than localhost do
/// not resolve, and connections elsewhere go to a proxy that is not there.
async fn render_offline(url: &str) -> String {
    let profile = tempfile::tempdir().unwrap();
    let run = tokio::process::Command::new(chromium())
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
            "--proxy-server=http://127.0.0.1:9",
            "--virtual-time-budget=20000",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg("--dump-dom")
        .arg(url)
        .kill_on_drop(true)
        .output();
    let out = tokio::time::timeout(Duration::from_secs(120), run)
        .await
        .expect("Chromium finished within two minutes")
        .unwrap();
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Enough of a page to see what it is, without a screenful of base64.
fn head(dom: &str) -> String {
    dom.chars().take(1_500).collect()
}

#[tokio::test]
async fn graphiql_renders_its_editor_with_the_network_cut_off() {
    let app = TestApp::start("DEMO").await;
    let base = format!("http://{}", app.running.addr);

    // The cut is real: a CDN script does not load.
    let cdn = render_offline("https://unpkg.com/react@18.3.1/umd/react.production.min.js").await;
    assert!(
        !cdn.contains("@license React") && cdn.contains("ERR_"),
        "the network was not cut off: {}",
        head(&cdn)
    );

    let dom = render_offline(&format!("{base}/graphql")).await;
    assert!(
        dom.contains("graphiql-container"),
        "GraphiQL did not render: {}",
        head(&dom)
    );
    assert!(
        dom.contains("graphiql-query-editor") && dom.contains("CodeMirror"),
        "no query editor: {}",
        head(&dom)
    );
    assert!(!dom.contains("Loading GraphiQL"));
    assert!(
        dom.contains("provisions"),
        "Leeway's own start script did not run: {}",
        head(&dom)
    );

    // What the browser was told: only this origin.
    let page = reqwest::get(format!("{base}/graphql")).await.unwrap();
    assert_eq!(
        page.headers()["content-security-policy"],
        CONTENT_SECURITY_POLICY
    );
    let html = page.text().await.unwrap();
    assert!(!html.contains("https://") && !html.contains("http://"));
    let script = reqwest::get(format!("{base}/graphiql/graphiql.min.js"))
        .await
        .unwrap();
    assert_eq!(script.status(), 200);
    assert!(
        script.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/javascript")
    );
    let missing = reqwest::get(format!("{base}/graphiql/elsewhere.js"))
        .await
        .unwrap();
    assert_eq!(missing.status(), 404);
    app.stop().await;
}
