//! The HTTP surface: GraphQL at `/graphql` (GraphiQL on GET), liveness at
//! `/healthz` and readiness at `/readyz`.
use crate::auth;
use crate::caller_limits::CallerLimits;
use crate::context::AppContext;
use crate::error::ApiError;
use crate::graphql::case_loaders::CaseRecords;
use crate::graphql::{Caller, LeewaySchema};
use crate::http_request::HttpRefusal;
use crate::sign_in_audit::FailedSignIns;
use crate::{http_request, readiness};
use async_graphql::dataloader::DataLoader;
use async_graphql_axum::GraphQLResponse;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use std::sync::Arc;
use tower_http::catch_panic::CatchPanicLayer;
use tracing::Instrument;

/// Largest request body accepted: a long waiver request is well under this.
pub const MAX_BODY_BYTES: usize = 256 * 1024;

#[derive(Clone)]
pub struct HttpState {
    pub schema: LeewaySchema,
    /// The same schema with introspection's own bounds (see
    /// `graphql::build_introspection`).
    pub introspection: LeewaySchema,
    pub app: AppContext,
    pub limits: Arc<CallerLimits>,
    pub sign_ins: Arc<FailedSignIns>,
    /// Every name in the schema: the only operation names metrics carry.
    pub names: Arc<std::collections::HashSet<String>>,
}

impl HttpState {
    pub fn new(app: AppContext) -> Self {
        let schema = crate::graphql::build(Some(app.clone()));
        Self {
            names: Arc::new(schema.names().into_iter().collect()),
            schema,
            introspection: crate::graphql::build_introspection(),
            app,
            limits: Arc::new(CallerLimits::default()),
            sign_ins: Arc::new(FailedSignIns::default()),
        }
    }
}

pub fn router(state: HttpState) -> Router {
    Router::new()
        .route("/graphql", get(crate::graphiql_page::page).post(graphql))
        .merge(crate::graphiql_page::routes())
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
        .route("/public", get(public_page))
        .route("/public/style.css", get(crate::public_page::style))
        .route("/public/reports/{name}", get(public_report_file))
        .route("/reports/{name}", get(staff_report_file))
        .layer(CatchPanicLayer::custom(panic_response))
        .with_state(state)
}

async fn public_report_file(
    State(state): State<HttpState>,
    axum::extract::Path(name): axum::extract::Path<String>,
) -> Response {
    crate::report_files::public(&state.app, &name).await
}

async fn staff_report_file(
    State(state): State<HttpState>,
    headers: HeaderMap,
    axum::extract::Path(name): axum::extract::Path<String>,
) -> Response {
    let (caller, _turn) = match resolve_caller(&state, &headers).await {
        Ok(c) => c,
        Err(refusal) => return refusal,
    };
    crate::report_files::staff(&state.app, caller, &name).await
}

/// Who is calling, by their bearer token: each token's calls limited and
/// a bad token counted toward the failed sign-ins, for every route that
/// takes one. The permit is held while the request is served.
pub async fn resolve_caller(
    state: &HttpState,
    headers: &HeaderMap,
) -> Result<(Caller, Option<tokio::sync::OwnedSemaphorePermit>), Response> {
    let token = auth::bearer(
        headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok()),
    );
    let Some(token) = token else {
        return Ok((Caller::Anonymous, None));
    };
    let hash = auth::hash_token(token);
    let turn = state
        .limits
        .admit(&hash)
        .await
        .map_err(|refusal| refusal.into_response())?;
    let acting = headers
        .get(auth::ACTING_ROLE_HEADER)
        .and_then(|v| v.to_str().ok());
    let caller =
        match auth::authenticate(&state.app.db, state.app.oidc.as_deref(), token, acting).await {
            Ok(p) => Caller::Known(p),
            Err(ApiError::Unauthenticated) => {
                state.sign_ins.record(&state.app.db, &hash).await;
                Caller::BadToken
            }
            Err(refused @ ApiError::Forbidden(_)) => Caller::Refused(refused),
            Err(_) => Caller::Unavailable,
        };
    Ok((caller, Some(turn)))
}

async fn public_page(State(state): State<HttpState>) -> Response {
    crate::public_page::page(State(state.app)).await
}

/// A bug must not reach a client as a dropped connection: answer in the
/// GraphQL error shape, and log the panic for us.
fn panic_response(panic: Box<dyn std::any::Any + Send + 'static>) -> Response {
    let detail = panic
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| panic.downcast_ref::<&str>().copied())
        .unwrap_or("unknown");
    tracing::error!(panic = detail, "a request handler panicked");
    let body = serde_json::json!({ "errors": [{
        "message": "Leeway hit an internal error; nothing was changed. Please try again.",
        "extensions": { "code": "UNAVAILABLE" }
    }]});
    (StatusCode::INTERNAL_SERVER_ERROR, Json(body)).into_response()
}

/// One GraphQL request, in a span of its own: a trace a caller started
/// (its `traceparent` header) continues here, and the command it sends
/// continues it into the workflow, the record step and the emails.
async fn graphql(State(state): State<HttpState>, headers: HeaderMap, body: Body) -> Response {
    let span = tracing::info_span!(
        "graphql request",
        operation = tracing::field::Empty,
        code = tracing::field::Empty
    );
    leeway_workflows::telemetry::continue_trace(
        &span,
        headers.get("traceparent").and_then(|v| v.to_str().ok()),
    );
    answer(state, headers, body).instrument(span).await
}

async fn answer(state: HttpState, headers: HeaderMap, body: Body) -> Response {
    let started = std::time::Instant::now();
    let request = match http_request::read(&headers, body, MAX_BODY_BYTES).await {
        Ok(r) => r,
        Err(refusal) => return refusal.into_response(),
    };
    // The turn is held until the response is built.
    let (caller, _turn) = match resolve_caller(&state, &headers).await {
        Ok(c) => c,
        Err(refusal) => return refusal,
    };
    let document = async_graphql::parser::parse_query(&request.query).ok();
    if let Some(at) = crate::nul_guard::find(&request, document.as_ref()) {
        return HttpRefusal::new(
            StatusCode::OK,
            "VALIDATION",
            format!("The request contains a NUL byte (at `{at}`), which Leeway cannot store; remove it and send the request again."),
        )
        .into_response();
    }
    let schema = if crate::graphql::is_introspection_only(document.as_ref()) {
        &state.introspection
    } else {
        &state.schema
    };
    let records = DataLoader::new(CaseRecords::new(state.app.db.clone()), tokio::spawn);
    let mut response = schema.execute(request.data(caller).data(records)).await;
    // async-graphql's own refusals (a malformed document, a wrong variable
    // type, a query over the limits) carry no code; every error must.
    for error in &mut response.errors {
        let has_code = error
            .extensions
            .as_ref()
            .is_some_and(|e| e.get("code").is_some());
        if !has_code {
            error
                .extensions
                .get_or_insert_with(Default::default)
                .set("code", "VALIDATION");
        }
    }
    let code = response
        .errors
        .first()
        .and_then(|e| e.extensions.as_ref())
        .and_then(|x| x.get("code"))
        .and_then(|c| match c {
            async_graphql::Value::String(s) => Some(s.clone()),
            _ => None,
        })
        .unwrap_or_else(|| "OK".into());
    let operation = crate::request_metrics::operation_of(document.as_ref(), &state.names);
    let span = tracing::Span::current();
    span.record("operation", operation.as_str());
    span.record("code", code.as_str());
    leeway_workflows::metrics::count_request(&operation, &code, started.elapsed().as_secs_f64());
    GraphQLResponse::from(response).into_response()
}

/// Prometheus text: requests, steps, clocks, email outcomes and waits.
async fn metrics(State(state): State<HttpState>) -> impl IntoResponse {
    leeway_workflows::metrics::sample_pool(&state.app.db);
    (
        [(
            axum::http::header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        leeway_workflows::metrics::render(),
    )
}

/// `/metrics` and `/healthz` alone, for a process that serves no GraphQL
/// (`leeway worker --metrics-listen`).
pub fn metrics_router() -> Router {
    Router::new()
        .route(
            "/metrics",
            get(|| async {
                (
                    [(
                        axum::http::header::CONTENT_TYPE,
                        "text/plain; version=0.0.4; charset=utf-8",
                    )],
                    leeway_workflows::metrics::render(),
                )
            }),
        )
        .route("/healthz", get(healthz))
}

/// Liveness: the process answers.
async fn healthz() -> impl IntoResponse {
    Json(serde_json::json!({ "status": "ok" }))
}

/// Readiness: the database and Temporal both answer.
async fn readyz(State(state): State<HttpState>) -> impl IntoResponse {
    let r = readiness::check(&state.app).await;
    let status = if r.is_ready() {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (status, Json(r))
}
