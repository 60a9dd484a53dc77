//! The API's one error type. Every refusal reaches the client as a GraphQL
//! error with `extensions.code` and a sentence a district clerk understands.
use async_graphql::ErrorExtensions;
use leeway_machines::engine::refusal::{Refusal, RefusalCode};

/// Deliberately not `Display`: async-graphql converts anything displayable
/// into an error without a code, and every refusal here must carry one.
#[derive(Clone, Debug)]
pub enum ApiError {
    Unauthenticated,
    Forbidden(String),
    NotFound(String),
    Validation(String),
    Conflict(String),
    InvalidTransition(String),
    Unavailable(String),
}

impl ApiError {
    pub fn message(&self) -> String {
        match self {
            ApiError::Unauthenticated => {
                "Sign in first: send your API token as `Authorization: Bearer <token>`.".into()
            }
            ApiError::Forbidden(m)
            | ApiError::NotFound(m)
            | ApiError::Validation(m)
            | ApiError::Conflict(m)
            | ApiError::InvalidTransition(m)
            | ApiError::Unavailable(m) => m.clone(),
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            ApiError::Unauthenticated => "UNAUTHENTICATED",
            ApiError::Forbidden(_) => "FORBIDDEN",
            ApiError::NotFound(_) => "NOT_FOUND",
            ApiError::Validation(_) => "VALIDATION",
            ApiError::Conflict(_) => "CONFLICT",
            ApiError::InvalidTransition(_) => "INVALID_TRANSITION",
            ApiError::Unavailable(_) => "UNAVAILABLE",
        }
    }

    /// A storage or engine failure: logged in full, reported in general.
    pub fn internal(context: &str, error: impl std::fmt::Display) -> ApiError {
        crate::log_throttle::error(context, &error.to_string());
        ApiError::Unavailable(format!(
            "Leeway could not {context} just now. Please try again shortly."
        ))
    }
}

impl From<Refusal> for ApiError {
    fn from(r: Refusal) -> Self {
        match r.code {
            RefusalCode::Forbidden => ApiError::Forbidden(r.message),
            RefusalCode::InvalidTransition => ApiError::InvalidTransition(r.message),
            RefusalCode::Validation => ApiError::Validation(r.message),
            RefusalCode::Unavailable => ApiError::Unavailable(r.message),
            RefusalCode::Conflict => ApiError::Conflict(r.message),
        }
    }
}

impl From<sea_orm::DbErr> for ApiError {
    fn from(e: sea_orm::DbErr) -> Self {
        ApiError::internal("reach its database", e)
    }
}

impl From<ApiError> for async_graphql::Error {
    fn from(e: ApiError) -> Self {
        let code = e.code();
        async_graphql::Error::new(e.message()).extend_with(|_, ext| ext.set("code", code))
    }
}

pub type ApiResult<T> = Result<T, ApiError>;
