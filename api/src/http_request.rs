//! Reading a GraphQL request off the wire before async-graphql sees it:
//! the body limit is enforced while the bytes arrive (a 20 MB body is
//! refused without being buffered), and every way a request can be
//! malformed answers in GraphQL's error shape with a code, never as a
//! plain-text 400 carrying a Rust debug string.
use axum::Json;
use axum::body::Body;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};

/// A request refused before it reached the schema.
#[derive(Debug, PartialEq, Eq)]
pub struct HttpRefusal {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
}

impl HttpRefusal {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
        }
    }

    fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "BAD_REQUEST", message)
    }

    fn too_large(limit: usize) -> Self {
        Self::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "BODY_TOO_LARGE",
            format!(
                "The request is larger than the {} KiB Leeway accepts. Send long documents in smaller parts.",
                limit / 1024
            ),
        )
    }
}

impl IntoResponse for HttpRefusal {
    fn into_response(self) -> Response {
        leeway_workflows::metrics::count_refused(self.code);
        let body = serde_json::json!({ "errors": [{
            "message": self.message,
            "extensions": { "code": self.code }
        }]});
        (self.status, Json(body)).into_response()
    }
}

/// The one GraphQL operation in a POST body of at most `limit` bytes.
pub async fn read(
    headers: &HeaderMap,
    body: Body,
    limit: usize,
) -> Result<async_graphql::Request, HttpRefusal> {
    check_content_type(headers)?;
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return Err(HttpRefusal::too_large(limit));
    }
    // A body sent without a length (chunked) is cut off at the limit too.
    let bytes = axum::body::to_bytes(body, limit).await.map_err(|e| {
        // axum reports the limit as http-body-util's LengthLimitError.
        if e.to_string().contains("length limit exceeded") {
            HttpRefusal::too_large(limit)
        } else {
            HttpRefusal::bad_request("The request body could not be read; please send it again.")
        }
    })?;
    parse(&bytes)
}

fn check_content_type(headers: &HeaderMap) -> Result<(), HttpRefusal> {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    if essence == "application/json" || essence == "application/graphql-response+json" {
        return Ok(());
    }
    let sent = if content_type.is_empty() {
        "no content type".to_string()
    } else {
        format!("`{content_type}`")
    };
    Err(HttpRefusal::new(
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "UNSUPPORTED_MEDIA_TYPE",
        format!(
            "Send GraphQL requests as `Content-Type: application/json`; this request had {sent}."
        ),
    ))
}

fn parse(bytes: &[u8]) -> Result<async_graphql::Request, HttpRefusal> {
    let first = bytes.iter().find(|b| !b.is_ascii_whitespace());
    if first == Some(&b'[') {
        return Err(HttpRefusal::bad_request(
            "Leeway answers one GraphQL operation per request; send each operation of the batch on its own.",
        ));
    }
    serde_json::from_slice::<async_graphql::Request>(bytes).map_err(|e| {
        // serde_json's Display names the line and column; its Debug form
        // (what the stock extractor printed) is not for clients.
        HttpRefusal::bad_request(format!(
            "The request body is not a GraphQL request in JSON ({e}). Send {{\"query\": \"…\", \"variables\": {{…}}}}."
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn json_headers() -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        h
    }

    #[tokio::test]
    async fn a_body_over_the_limit_is_refused_while_it_arrives() {
        // No Content-Length: the limit must hold on the stream itself.
        let big = vec![b' '; 300 * 1024];
        let refusal = read(&json_headers(), Body::from(big), 256 * 1024)
            .await
            .unwrap_err();
        assert_eq!(refusal.status, StatusCode::PAYLOAD_TOO_LARGE);
        assert_eq!(refusal.code, "BODY_TOO_LARGE");
        let mut h = json_headers();
        h.insert(header::CONTENT_LENGTH, HeaderValue::from_static("20000000"));
        let refusal = read(&h, Body::from("{}"), 256 * 1024).await.unwrap_err();
        assert_eq!(refusal.code, "BODY_TOO_LARGE");
    }

    #[tokio::test]
    async fn malformed_requests_are_coded() {
        let r = read(&json_headers(), Body::from("{\"query\": "), 1024)
            .await
            .unwrap_err();
        assert_eq!((r.status, r.code), (StatusCode::BAD_REQUEST, "BAD_REQUEST"));
        assert!(!r.message.contains("Error("), "{}", r.message);
        let r = read(&json_headers(), Body::from("[{\"query\":\"{a}\"}]"), 1024)
            .await
            .unwrap_err();
        assert_eq!(r.code, "BAD_REQUEST");
        assert!(r.message.contains("one GraphQL operation"), "{}", r.message);
        let mut h = HeaderMap::new();
        h.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain"));
        let r = read(&h, Body::from("{\"query\":\"{a}\"}"), 1024)
            .await
            .unwrap_err();
        assert_eq!(r.code, "UNSUPPORTED_MEDIA_TYPE");
        let ok = read(&json_headers(), Body::from("{\"query\":\"{ a }\"}"), 1024)
            .await
            .unwrap();
        assert_eq!(ok.query, "{ a }");
    }
}
