//! An organisation's students in one school year, as the state reports
//! them: the total, those in poverty (for grant equity priority) and the
//! count in each subgroup.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "organisation_enrollments")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub organisation_id: String,
    /// The calendar year the school year ends in: 2025 for 2024–25.
    #[sea_orm(primary_key, auto_increment = false)]
    pub school_year: i32,
    pub total: i32,
    pub students_in_poverty: Option<i32>,
    /// JSON object: subgroup name -> student count.
    #[sea_orm(column_type = "Text")]
    pub subgroups: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
