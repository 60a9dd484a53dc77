//! The email outbox: one row per recipient per transition, with its delivery.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "notifications")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub case_id: String,
    pub seq: i32,
    pub recipient_user_id: Option<String>,
    pub recipient_email: String,
    pub subject: String,
    /// The plain-text part.
    #[sea_orm(column_type = "Text")]
    pub body: String,
    /// The HTML part; `None` for emails queued before emails had one.
    #[sea_orm(column_type = "Text", nullable)]
    pub body_html: Option<String>,
    /// The W3C `traceparent` of the step that queued it, when traced.
    pub trace_parent: Option<String>,
    /// `queued`, `sending` (claimed by a delivery attempt), `sent`, `failed`
    /// (to be retried) or `undeliverable` (refused by the relay for good,
    /// or still failing when the profile's retry time ran out).
    pub status: String,
    pub attempts: i32,
    pub message_id: String,
    pub last_error: Option<String>,
    pub created_at: DateTimeUtc,
    /// When a delivery attempt claimed the row; a stale claim may be retaken.
    pub claimed_at: Option<DateTimeUtc>,
    pub sent_at: Option<DateTimeUtc>,
    /// Sent again after an attempt whose outcome is unknown (the process
    /// stopped between the relay's answer and the record): the recipient
    /// may have it twice. It carries `X-Leeway-Possible-Duplicate: yes`.
    pub possible_duplicate: bool,
    /// When a failed message is tried again; `None`: at once.
    pub next_attempt_at: Option<DateTimeUtc>,
    /// The first failed attempt of the outage it is in; the profile's
    /// retry time runs from here.
    pub failing_since: Option<DateTimeUtc>,
    /// The names of the case's artefacts attached to it, as a JSON list.
    #[sea_orm(column_type = "Text", nullable)]
    pub attachments: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
