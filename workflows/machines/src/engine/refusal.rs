//! Why a command was refused, in a sentence a district clerk understands,
//! with the code the API turns into `extensions.code`.
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{message}")]
pub struct Refusal {
    pub code: RefusalCode,
    pub message: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum RefusalCode {
    Forbidden,
    InvalidTransition,
    /// Bad data: nothing was written and repeating it will not help.
    Validation,
    /// The outcome is not known yet: retry with the same idempotency key.
    Unavailable,
    /// Something shared changed first: another step on the case, or a
    /// rule across cases (a seat cap, a balance) that no longer holds.
    Conflict,
}

impl RefusalCode {
    pub fn as_str(self) -> &'static str {
        match self {
            RefusalCode::Forbidden => "FORBIDDEN",
            RefusalCode::InvalidTransition => "INVALID_TRANSITION",
            RefusalCode::Validation => "VALIDATION",
            RefusalCode::Unavailable => "UNAVAILABLE",
            RefusalCode::Conflict => "CONFLICT",
        }
    }
}

impl Refusal {
    pub fn new(code: RefusalCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }
    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(RefusalCode::Forbidden, message)
    }
    pub fn invalid_transition(message: impl Into<String>) -> Self {
        Self::new(RefusalCode::InvalidTransition, message)
    }
    pub fn validation(message: impl Into<String>) -> Self {
        Self::new(RefusalCode::Validation, message)
    }
    pub fn conflict(message: impl Into<String>) -> Self {
        Self::new(RefusalCode::Conflict, message)
    }
    pub fn unavailable(message: impl Into<String>) -> Self {
        Self::new(RefusalCode::Unavailable, message)
    }

    /// Refusals cross the Temporal boundary as the message of an update
    /// failure; JSON keeps the code intact.
    pub fn to_wire(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|_| self.message.clone())
    }

    pub fn from_wire(text: &str) -> Option<Refusal> {
        serde_json::from_str(text).ok()
    }
}
