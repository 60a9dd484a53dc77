//! A waiver's yearly progress report, beside the case header: which waiver
//! and year, and the case as JSON (goals, outcomes by subgroup, concerns).
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "progress_reports")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub case_id: String,
    pub waiver_id: String,
    pub district_id: String,
    /// The year the reporting year ends in.
    pub year: i32,
    #[sea_orm(column_type = "Text")]
    pub detail: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
