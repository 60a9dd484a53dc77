//! The HTTP surface: GraphQL at `/graphql` (GraphiQL on GET), `/healthz`.
use crate::auth;
use crate::context::AppContext;
use crate::error::ApiError;
use crate::graphql::{Caller, LeewaySchema};
use async_graphql::http::GraphiQLSource;
use async_graphql_axum::{GraphQLRequest, GraphQLResponse};
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse};
use axum::routing::get;
use axum::{Json, Router};
use sea_orm::ConnectionTrait;
use tower_http::catch_panic::CatchPanicLayer;

/// Largest request body accepted: a long waiver request is well under this.
pub const MAX_BODY_BYTES: usize = 256 * 1024;

#[derive(Clone)]
pub struct HttpState {
    pub schema: LeewaySchema,
    pub app: AppContext,
}

pub fn router(state: HttpState) -> Router {
    Router::new()
        .route("/graphql", get(graphiql).post(graphql))
        .route("/healthz", get(healthz))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(CatchPanicLayer::custom(panic_response))
        .with_state(state)
}

/// A bug must not reach a client as a dropped connection: answer in the
/// GraphQL error shape, and log the panic for us.
fn panic_response(panic: Box<dyn std::any::Any + Send + 'static>) -> axum::response::Response {
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

async fn graphiql() -> impl IntoResponse {
    Html(GraphiQLSource::build().endpoint("/graphql").finish())
}

async fn graphql(
    State(state): State<HttpState>,
    headers: HeaderMap,
    request: GraphQLRequest,
) -> GraphQLResponse {
    let header = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    let caller = match auth::bearer(header) {
        None => Caller::Anonymous,
        Some(token) => match auth::authenticate(&state.app.db, token).await {
            Ok(p) => Caller::Known(p),
            Err(ApiError::Unauthenticated) => Caller::BadToken,
            Err(_) => Caller::Unavailable,
        },
    };
    let mut response = state
        .schema
        .execute(request.into_inner().data(caller))
        .await;
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
    response.into()
}

async fn healthz(State(state): State<HttpState>) -> impl IntoResponse {
    let db_ok = state.app.db.execute_unprepared("SELECT 1").await.is_ok();
    let status = if db_ok {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (
        status,
        Json(serde_json::json!({ "status": if db_ok { "ok" } else { "database unavailable" } })),
    )
}
