//! The header every case has, whatever its program: the engine writes it
//! with every step, and lists, authorization and audit checks read it.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "cases")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    /// The machine's program: `waiver`, `network_membership`, `network`.
    pub program: String,
    /// The district or charter it belongs to; `None` for the SEA's own.
    pub organisation_id: Option<String>,
    pub state_profile: String,
    pub title: String,
    /// The state's stable name in its program, e.g. `in_review`.
    pub state: String,
    /// Submitted versions so far.
    pub version: i32,
    /// The current version of the case's long form (`case_documents`).
    pub document_hash: Option<String>,
    pub assigned_reviewer_id: Option<String>,
    /// Number of the last step recorded (the audit chain's length).
    pub last_seq: i32,
    pub opened_by: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
