//! One line item per provision of a waiver request, with its decision.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "waiver_items")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub case_id: String,
    pub position: i32,
    pub citation: String,
    #[sea_orm(column_type = "Text")]
    pub rationale: String,
    #[sea_orm(column_type = "Text")]
    pub replacement_practice: String,
    #[sea_orm(column_type = "Text")]
    pub goal: String,
    #[sea_orm(column_type = "Text")]
    pub measure: String,
    /// `approved`, `approved_with_conditions` or `denied`; `None` before a decision.
    pub decision: Option<String>,
    pub conditions: Option<String>,
    pub decision_reason: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
