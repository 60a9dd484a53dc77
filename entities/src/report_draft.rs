//! One numbered draft of an annual report: the figures compiled for it (or
//! carried from an earlier draft) and the document as printed from them.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "report_drafts")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub case_id: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub version: i32,
    /// The draft whose compilation these figures are.
    pub figures_version: i32,
    pub made_at: DateTimeUtc,
    pub made_by: String,
    /// The compiled figures, unsuppressed, as JSON: staff only.
    #[sea_orm(column_type = "Text")]
    pub figures: String,
    /// The document as printed (suppressed), as JSON.
    #[sea_orm(column_type = "Text")]
    pub document: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
