//! The read model of one waiver request, written by the workflow's
//! activities after every transition.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "waiver_cases")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub district_id: String,
    pub state_profile: String,
    pub title: String,
    pub state: String,
    /// Number of submitted snapshots; 0 while never submitted.
    pub version: i32,
    /// The current request content as JSON (`WaiverContent`).
    #[sea_orm(column_type = "Text")]
    pub content: String,
    pub escalated: bool,
    pub assigned_reviewer_id: Option<String>,
    pub term_start: Option<DateTimeUtc>,
    pub term_end: Option<DateTimeUtc>,
    /// The reviewer's recommendation as JSON (`Recommendation`), once made.
    #[sea_orm(column_type = "Text", nullable)]
    pub recommendation: Option<String>,
    /// An amendment awaiting decision, as JSON (`WaiverContent`).
    #[sea_orm(column_type = "Text", nullable)]
    pub pending_amendment: Option<String>,
    /// Sequence number of the last transition recorded.
    pub last_seq: i32,
    pub created_by: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
