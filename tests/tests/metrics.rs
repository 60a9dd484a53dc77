//! `/metrics`: what operators scrape. After a district opens and submits
//! a waiver request, the requests, the steps and the email sent for the
//! submission are all counted.
#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions
use leeway_tests::{FAST_CLOCKS, TestApp, demo_waiver_content};
use serde_json::json;
use std::time::{Duration, Instant};

/// The value of the series whose line starts with `series` (labels
/// included), or 0.
fn value(text: &str, series: &str) -> f64 {
    text.lines()
        .find(|l| l.starts_with(series))
        .and_then(|l| l.rsplit(' ').next())
        .and_then(|v| v.parse().ok())
        .unwrap_or(0.0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_steps_and_emails_are_counted() {
    let app = TestApp::start(FAST_CLOCKS).await;
    let metrics_url = app.url.replace("/graphql", "/metrics");
    let scrape = || async {
        let r = reqwest::get(&metrics_url).await.unwrap();
        assert!(r.status().is_success());
        r.text().await.unwrap()
    };
    let opened = app
        .ok(
            "demo-district-rep",
            "mutation($c: WaiverContentInput!) { openWaiverDraft(content: $c) { id } }",
            json!({ "c": demo_waiver_content("Counted") }),
        )
        .await;
    let id = opened["openWaiverDraft"]["id"].as_str().unwrap();
    app.ok(
        "demo-district-rep",
        "mutation($id: ID!) { submitWaiver(id: $id) { state } }",
        json!({ "id": id }),
    )
    .await;
    // A refused request is counted under its code, and so is one refused
    // before GraphQL reads it (here: not JSON).
    app.gql(Some("demo-district-rep"), "{ noSuchField }", json!({}))
        .await;
    let not_json = reqwest::Client::new()
        .post(&app.url)
        .header("content-type", "text/plain")
        .body("{ me { name } }")
        .send()
        .await
        .unwrap();
    assert!(not_json.status().is_client_error());

    let start = Instant::now();
    let text = loop {
        let text = scrape().await;
        if value(&text, "leeway_emails_total{outcome=\"sent\"}") >= 1.0
            || start.elapsed() > Duration::from_secs(30)
        {
            break text;
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
    };
    let ok = |op: &str| {
        value(
            &text,
            &format!("leeway_graphql_requests_total{{operation=\"{op}\",code=\"OK\"}}"),
        )
    };
    assert!(ok("openWaiverDraft") >= 1.0, "{text}");
    assert!(ok("submitWaiver") >= 1.0, "{text}");
    assert!(
        value(
            &text,
            "leeway_graphql_requests_total{operation=\"unknown\",code=\"VALIDATION\"}"
        ) >= 1.0,
        "{text}"
    );
    assert!(
        value(
            &text,
            "leeway_steps_total{program=\"waiver\",command=\"open\"}"
        ) >= 1.0,
        "{text}"
    );
    assert!(
        value(&text, "leeway_emails_total{outcome=\"sent\"}") >= 1.0,
        "{text}"
    );
    assert!(
        text.contains("leeway_graphql_request_seconds_bucket"),
        "{text}"
    );
    assert!(
        text.contains("leeway_wait_seconds_count{resource=\"engine\"}"),
        "{text}"
    );
    assert!(
        text.contains("leeway_wait_seconds_count{resource=\"database\"}"),
        "{text}"
    );
    assert!(
        !text.contains("noSuchField"),
        "a caller's names never become labels"
    );
    assert!(
        text.lines().any(|l| l.starts_with(
            "leeway_graphql_requests_total{operation=\"unknown\",code=\"UNSUPPORTED_MEDIA_TYPE\"}"
        )),
        "{text}"
    );
    assert!(
        value(&text, "leeway_database_pool_connections{state=\"open\"}") >= 1.0,
        "{text}"
    );

    // A worker alone (`leeway worker --metrics-listen`) serves the same
    // registry: the steps its process took.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        axum::serve(listener, leeway_api::http::metrics_router())
            .await
            .unwrap();
    });
    let alone = reqwest::get(format!("http://{addr}/metrics"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        value(
            &alone,
            "leeway_steps_total{program=\"waiver\",command=\"open\"}"
        ) >= 1.0,
        "{alone}"
    );
    app.stop().await;
}
