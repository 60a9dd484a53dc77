//! Pure state machines: `state x actor x command -> next state + effects`,
//! or a refusal with a reason. No I/O, no clocks of their own: the caller
//! passes `now`, so the same code runs in update validators, in workflow
//! handlers, in replay and in unit tests.
pub mod waiver;
pub mod waiver_content;

use crate::domain::actor::Role;
use serde::{Deserialize, Serialize};

/// Why a command was refused. The code becomes the GraphQL `extensions.code`.
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
    Validation,
    /// The step could not be saved; nothing changed. Safe to retry.
    Unavailable,
    /// Another step changed the case between checking this command and
    /// applying it.
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
    pub fn forbidden(message: impl Into<String>) -> Self {
        Self {
            code: RefusalCode::Forbidden,
            message: message.into(),
        }
    }
    pub fn invalid_transition(message: impl Into<String>) -> Self {
        Self {
            code: RefusalCode::InvalidTransition,
            message: message.into(),
        }
    }
    pub fn validation(message: impl Into<String>) -> Self {
        Self {
            code: RefusalCode::Validation,
            message: message.into(),
        }
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

/// One row of a machine's transition table: what the API serves as the
/// machine's definition and what `step` checks before anything else.
#[derive(Clone, Debug, Serialize)]
pub struct TransitionRule<S: 'static> {
    pub command: &'static str,
    pub from: &'static [S],
    pub to: &'static [S],
    pub roles: &'static [Role],
    pub description: &'static str,
}

/// Who hears about a transition. Resolved to addresses by the outbox.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Audience {
    /// Staff of the district that owns the case.
    District,
    /// The reviewer assigned to the case.
    AssignedReviewer,
    /// Every SEA reviewer.
    Reviewers,
    /// Every SEA approver.
    Approvers,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notice {
    pub audience: Vec<Audience>,
    pub subject: String,
    pub body: String,
}
