//! Traces over OTLP: one trace follows a command from the HTTP request
//! (continuing the caller's own `traceparent`) through the workflow's
//! update and the record step to the email it sent, each span the child of
//! the one before. The collector is a small OTLP/HTTP (JSON) server here.
#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions
use axum::routing::post;
use leeway_tests::{TestApp, demo_waiver_content};
use leeway_workflows::telemetry::{self, TraceSettings};
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

const TRACE_ID: &str = "4bf92f3577b34da6a3ce929d0e0e4736";
const CALLER_SPAN: &str = "00f067aa0ba902b7";

/// Every span the collector received: (name, trace id, span id, parent id).
fn spans(batches: &[Value]) -> Vec<(String, String, String, String)> {
    let text = |v: &Value| v.as_str().unwrap_or_default().to_ascii_lowercase();
    let mut out = Vec::new();
    for batch in batches {
        for resource in batch["resourceSpans"].as_array().into_iter().flatten() {
            for scope in resource["scopeSpans"].as_array().into_iter().flatten() {
                for s in scope["spans"].as_array().into_iter().flatten() {
                    out.push((
                        text(&s["name"]),
                        text(&s["traceId"]),
                        text(&s["spanId"]),
                        text(&s["parentSpanId"]),
                    ));
                }
            }
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_trace_follows_a_command_from_the_request_to_its_email() {
    let received: Arc<Mutex<Vec<Value>>> = Arc::default();
    let sink = received.clone();
    let collector = axum::Router::new().route(
        "/v1/traces",
        post(move |body: axum::body::Bytes| {
            let sink = sink.clone();
            async move {
                if let Ok(v) = serde_json::from_slice::<Value>(&body) {
                    sink.lock().unwrap().push(v);
                }
                axum::Json(json!({}))
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, collector).await.unwrap() });
    let provider = telemetry::provider(&TraceSettings {
        endpoint: format!("http://{addr}"),
        json: true,
    })
    .unwrap();
    tracing_subscriber::registry()
        .with(tracing_subscriber::EnvFilter::new("leeway=info"))
        .with(telemetry::layer(&provider))
        .init();

    let app = TestApp::start("DEMO").await;
    let rep = "demo-district-rep";
    let id = app
        .ok(
            rep,
            "mutation($c: WaiverContentInput!) { openWaiverDraft(content: $c) { id } }",
            json!({ "c": demo_waiver_content("Traced") }),
        )
        .await["openWaiverDraft"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    // The district's own client started a trace: Leeway continues it.
    let submitted: Value = reqwest::Client::new()
        .post(&app.url)
        .bearer_auth(rep)
        .header("traceparent", format!("00-{TRACE_ID}-{CALLER_SPAN}-01"))
        .json(&json!({
            "query": "mutation($id: ID!) { submitWaiver(id: $id) { state } }",
            "variables": { "id": id }
        }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(submitted["data"]["submitWaiver"]["state"], "SUBMITTED");

    // The submission's emails are sent, then every span is exported.
    let start = Instant::now();
    let ours = loop {
        provider.force_flush().unwrap();
        let all = spans(&received.lock().unwrap());
        let ours: Vec<_> = all.into_iter().filter(|s| s.1 == TRACE_ID).collect();
        if ours.iter().any(|s| s.0 == "send email") || start.elapsed() > Duration::from_secs(30) {
            break ours;
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
    };
    let named = |name: &str| {
        ours.iter()
            .find(|s| s.0 == name)
            .unwrap_or_else(|| panic!("no `{name}` span in the trace: {ours:#?}"))
            .clone()
    };
    let request = named("graphql request");
    let update = named("engine update");
    let record = named("record step");
    let email = named("send email");
    assert_eq!(
        request.3, CALLER_SPAN,
        "the request continues the caller's span"
    );
    assert_eq!(update.3, request.2, "the update is the request's child");
    assert_eq!(record.3, update.2, "the record step is the update's child");
    assert_eq!(email.3, record.2, "the email is the record step's child");
    app.stop().await;
    provider.shutdown().ok();
}
