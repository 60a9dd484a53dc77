//! The HTTP surface as a probe meets it: requests refused before GraphQL
//! still answer in GraphQL's error shape with a code; introspection works
//! for code generators; liveness and readiness; failed sign-ins leave a
//! trail without the token.
#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions
use leeway_tests::TestApp;
use serde_json::{Value, json};

const AUDITOR: &str = "demo-auditor";

async fn post(app: &TestApp, content_type: &str, body: Vec<u8>) -> (u16, Value) {
    let response = reqwest::Client::new()
        .post(&app.url)
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    let body = serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON: {text}"));
    (status, body)
}

/// Declares a body of `length` bytes, sends a little of it, and reads
/// what the server answers.
async fn raw_post_declaring(app: &TestApp, length: usize) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let url = url::Url::parse(&app.url).unwrap();
    let mut stream = tokio::net::TcpStream::connect((url.host_str().unwrap(), url.port().unwrap()))
        .await
        .unwrap();
    let head = format!(
        "POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {length}\r\nConnection: close\r\n\r\n{{\"query\": \"{{ me {{ userId }} }}\", \"variables\": {{\"v\": \""
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    let _ = tokio::time::timeout(
        std::time::Duration::from_secs(10),
        stream.read_to_end(&mut answer),
    )
    .await;
    String::from_utf8_lossy(&answer).into_owned()
}

fn code(body: &Value) -> &str {
    body["errors"][0]["extensions"]["code"]
        .as_str()
        .unwrap_or("")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refusals_outside_graphql_are_coded_and_the_probe_is_answered() {
    let app = TestApp::start("DEMO").await;

    // 20 MB of variables: refused by its declared size before the body is
    // read (so the client is answered while it is still sending).
    let answer = raw_post_declaring(&app, 20 * 1024 * 1024).await;
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    assert!(answer.contains("BODY_TOO_LARGE"), "{answer}");
    // A body that is as large as it says, but over the limit.
    let over = format!(
        "{{\"query\": \"{{ me {{ userId }} }}\", \"variables\": {{\"v\": \"{}\"}}}}",
        "x".repeat(300 * 1024)
    );
    let response = reqwest::Client::new()
        .post(&app.url)
        .header("content-type", "application/json")
        .body(over)
        .send()
        .await;
    if let Ok(response) = response {
        assert_eq!(response.status().as_u16(), 413);
        let body: Value = response.json().await.unwrap();
        assert_eq!(code(&body), "BODY_TOO_LARGE");
    }

    let (status, body) = post(&app, "application/json", b"{\"query\": ".to_vec()).await;
    assert_eq!((status, code(&body)), (400, "BAD_REQUEST"), "{body}");
    assert!(!body.to_string().contains("InvalidRequest("), "{body}");
    let (status, body) = post(
        &app,
        "application/json",
        br#"[{"query":"{ workflowDefinitions { name } }"},{"query":"{ workflowDefinitions { name } }"}]"#.to_vec(),
    )
    .await;
    assert_eq!((status, code(&body)), (400, "BAD_REQUEST"), "{body}");
    let (status, body) = post(
        &app,
        "text/plain",
        br#"{"query":"{ workflowDefinitions { name } }"}"#.to_vec(),
    )
    .await;
    assert_eq!(
        (status, code(&body)),
        (415, "UNSUPPORTED_MEDIA_TYPE"),
        "{body}"
    );

    // The standard introspection query, as codegen tools send it.
    let introspection = include_str!("../../api/src/graphql/testdata/introspection.graphql");
    let body = serde_json::to_vec(&json!({ "query": introspection })).unwrap();
    let (status, body) = post(&app, "application/json", body).await;
    assert_eq!(status, 200);
    assert!(body.get("errors").is_none(), "{body}");
    assert!(body["data"]["__schema"]["types"].as_array().unwrap().len() > 20);

    // Liveness and readiness.
    let base = app.url.trim_end_matches("/graphql");
    let live = reqwest::get(format!("{base}/healthz")).await.unwrap();
    assert_eq!(live.status().as_u16(), 200);
    let ready = reqwest::get(format!("{base}/readyz")).await.unwrap();
    assert_eq!(ready.status().as_u16(), 200);
    let ready: Value = ready.json().await.unwrap();
    assert_eq!(ready["database"], "ok", "{ready}");
    assert_eq!(ready["temporal"], "ok", "{ready}");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failed_sign_ins_are_audited_by_hash_prefix_and_rate_limited() {
    let app = TestApp::start("DEMO").await;
    let bad = "lw_not-a-real-token-0123456789";
    for _ in 0..5 {
        let (code, _) = app.refused(Some(bad), "{ me { userId } }", json!({})).await;
        assert_eq!(code, "UNAUTHENTICATED");
    }
    let audit = app
        .ok(
            AUDITOR,
            "{ securityAudit(first: 50) { command actorUserId actorRole reasons } }",
            json!({}),
        )
        .await;
    let entries: Vec<&Value> = audit["securityAudit"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["command"] == "refused:sign_in")
        .collect();
    assert_eq!(
        entries.len(),
        1,
        "one entry a minute per token: {entries:#?}"
    );
    let prefix = &leeway_api::auth::hash_token(bad)[..12];
    assert_eq!(entries[0]["actorUserId"], format!("token:{prefix}"));
    assert!(
        !audit.to_string().contains("not-a-real-token"),
        "the token itself is never written down"
    );
    app.stop().await;
}
