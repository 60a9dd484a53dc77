//! Traces for operators: OpenTelemetry spans sent over OTLP/HTTP when an
//! endpoint is configured (`OTEL_EXPORTER_OTLP_ENDPOINT`), and nothing at
//! all otherwise.
//!
//! One trace follows a command from the HTTP request through the
//! workflow's update, the step's record activity and each email it sent.
//! Workflow code makes no spans (a replay would make them again): the
//! API puts the W3C `traceparent` of its span into the command envelope,
//! the workflow hands it on to the record step as data, the record step
//! keeps it on each email it queues, and the dispatcher's send continues
//! the trace from there.
use opentelemetry::propagation::TextMapPropagator;
use opentelemetry::trace::TracerProvider;
use opentelemetry_otlp::{Protocol, WithExportConfig, WithHttpConfig};
use opentelemetry_sdk::propagation::TraceContextPropagator;
use opentelemetry_sdk::trace::SdkTracerProvider;
use std::collections::HashMap;
use tracing_opentelemetry::OpenTelemetrySpanExt;

/// Where and how traces go.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TraceSettings {
    /// The collector's base URL, e.g. `http://otel-collector:4318`; spans
    /// go to `<endpoint>/v1/traces`.
    pub endpoint: String,
    /// `http/protobuf` (the default) or `http/json`.
    pub json: bool,
}

impl TraceSettings {
    /// From the standard OpenTelemetry variables; `None` when no endpoint
    /// is set, which turns tracing off.
    pub fn from_env() -> Result<Option<TraceSettings>, String> {
        let endpoint = std::env::var("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
            .or_else(|_| std::env::var("OTEL_EXPORTER_OTLP_ENDPOINT"))
            .ok()
            .filter(|e| !e.trim().is_empty());
        let Some(endpoint) = endpoint else {
            return Ok(None);
        };
        if !(endpoint.starts_with("http://") || endpoint.starts_with("https://")) {
            return Err(format!(
                "OTEL_EXPORTER_OTLP_ENDPOINT: `{endpoint}` is not an http:// or https:// address"
            ));
        }
        let json = match std::env::var("OTEL_EXPORTER_OTLP_PROTOCOL").as_deref() {
            Err(_) | Ok("http/protobuf") => false,
            Ok("http/json") => true,
            Ok(other) => {
                return Err(format!(
                    "OTEL_EXPORTER_OTLP_PROTOCOL: `{other}` is not http/protobuf or http/json (gRPC is not built in)"
                ));
            }
        };
        Ok(Some(TraceSettings { endpoint, json }))
    }

    fn traces_url(&self) -> String {
        let base = self.endpoint.trim_end_matches('/');
        if base.ends_with("/v1/traces") {
            base.to_string()
        } else {
            format!("{base}/v1/traces")
        }
    }
}

/// Sends the exporter's requests with the reqwest Leeway already uses, on
/// the tokio runtime it was made on: the SDK's batch thread has none.
#[derive(Debug)]
struct OtlpClient {
    client: reqwest::Client,
    runtime: tokio::runtime::Handle,
}

#[async_trait::async_trait]
impl opentelemetry_http::HttpClient for OtlpClient {
    async fn send_bytes(
        &self,
        request: http::Request<bytes::Bytes>,
    ) -> Result<http::Response<bytes::Bytes>, opentelemetry_http::HttpError> {
        let client = self.client.clone();
        let (parts, body) = request.into_parts();
        let sent = self.runtime.spawn(async move {
            let mut req = client
                .request(parts.method, parts.uri.to_string())
                .timeout(std::time::Duration::from_secs(10))
                .body(body);
            for (name, value) in &parts.headers {
                req = req.header(name, value);
            }
            let response = req.send().await?;
            let status = response.status();
            let body = response.bytes().await?;
            Ok::<_, reqwest::Error>((status, body))
        });
        let (status, body) = sent.await??;
        let mut response = http::Response::new(body);
        *response.status_mut() = status;
        Ok(response)
    }
}

/// The tracer provider spans are exported through; flush it before the
/// process ends.
pub fn provider(settings: &TraceSettings) -> Result<SdkTracerProvider, String> {
    let client = OtlpClient {
        client: reqwest::Client::new(),
        runtime: tokio::runtime::Handle::try_current()
            .map_err(|_| "traces need a tokio runtime to send from".to_string())?,
    };
    let exporter = opentelemetry_otlp::SpanExporter::builder()
        .with_http()
        .with_http_client(client)
        .with_endpoint(settings.traces_url())
        .with_protocol(if settings.json {
            Protocol::HttpJson
        } else {
            Protocol::HttpBinary
        })
        .build()
        .map_err(|e| format!("the OTLP exporter: {e}"))?;
    Ok(SdkTracerProvider::builder()
        .with_batch_exporter(exporter)
        .with_resource(
            opentelemetry_sdk::Resource::builder()
                .with_service_name("leeway")
                .build(),
        )
        .build())
}

/// The layer that turns `tracing` spans into OpenTelemetry ones.
pub fn layer<S>(provider: &SdkTracerProvider) -> impl tracing_subscriber::Layer<S>
where
    S: tracing::Subscriber + for<'span> tracing_subscriber::registry::LookupSpan<'span>,
{
    tracing_opentelemetry::layer().with_tracer(provider.tracer("leeway"))
}

/// The current span's W3C `traceparent`, to hand on with a command; `None`
/// when tracing is off.
pub fn current_traceparent() -> Option<String> {
    let context = tracing::Span::current().context();
    let mut carrier: HashMap<String, String> = HashMap::new();
    TraceContextPropagator::new().inject_context(&context, &mut carrier);
    carrier.remove("traceparent")
}

/// Makes `span` a child of the span a `traceparent` names (one from a
/// command, a step or an incoming request). Anything unreadable is ignored:
/// the span starts a trace of its own.
pub fn continue_trace(span: &tracing::Span, traceparent: Option<&str>) {
    let Some(traceparent) = traceparent else {
        return;
    };
    let carrier: HashMap<String, String> =
        HashMap::from([("traceparent".to_string(), traceparent.to_string())]);
    let parent = TraceContextPropagator::new().extract(&carrier);
    let _ = span.set_parent(parent);
}
