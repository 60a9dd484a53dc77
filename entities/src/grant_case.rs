//! The grants program's read model of one district's application and
//! grant, beside the case header: the slate ranks by it, the public list
//! of awards reads it.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "grant_cases")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub case_id: String,
    /// The program's code.
    pub program: String,
    pub organisation_id: String,
    /// Cents, as every amount here.
    pub requested: i64,
    pub awarded: Option<i64>,
    pub paid: i64,
    pub pending: i64,
    pub mean_centipoints: Option<i64>,
    pub total_centipoints: Option<i64>,
    pub equity_points: Option<i32>,
    pub disagreement: bool,
    pub students_served: i32,
    pub submitted_at: Option<DateTimeUtc>,
    pub accepted_at: Option<DateTimeUtc>,
    /// JSON array of the panel's reviewer ids and their standing.
    #[sea_orm(column_type = "Text")]
    pub panel: String,
    /// The whole grant as its machine holds it, as JSON: the claims,
    /// amendments, reports and scores that its GraphQL type shows, each
    /// under its own visibility rule.
    #[sea_orm(column_type = "Text")]
    pub detail: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
