//! The annual report's read model beside the case header: the year it
//! reports on and, once certified, which draft and by whom.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "annual_reports")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub case_id: String,
    /// The year the reporting year ends in.
    pub year: i32,
    /// "2026-27".
    pub label: String,
    pub certified_version: Option<i32>,
    pub certified_by: Option<String>,
    pub certified_at: Option<DateTimeUtc>,
    /// The case as JSON: drafts, narrative, certification.
    #[sea_orm(column_type = "Text")]
    pub detail: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
