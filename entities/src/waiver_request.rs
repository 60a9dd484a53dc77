//! The waiver program's own read model beside the case header: its term,
//! escalation, recommendation and pending amendment.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "waiver_requests")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub case_id: String,
    /// The decision clock ran out and the case went to the approvers.
    pub escalated: bool,
    pub term_start: Option<DateTimeUtc>,
    pub term_end: Option<DateTimeUtc>,
    /// The reviewer's recommendation as JSON, once made.
    #[sea_orm(column_type = "Text", nullable)]
    pub recommendation: Option<String>,
    /// The document of an amendment awaiting decision.
    pub pending_amendment_hash: Option<String>,
    /// `district`, `school` or `innovation_zone`, as the request says.
    pub applicant_kind: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
