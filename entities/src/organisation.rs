//! The SEA, districts and charters (LEAs), and schools.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "organisations")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub name: String,
    /// `sea`, `district`, `charter` or `school`.
    pub kind: String,
    /// A school's district; `None` for the SEA and LEAs.
    pub parent_id: Option<String>,
    /// The latest school year's total (see `organisation_enrollments`).
    pub enrollment: Option<i32>,
    /// The latest school year's JSON object: subgroup name -> count.
    #[sea_orm(column_type = "Text")]
    pub subgroups: String,
    pub created_at: DateTimeUtc,
    /// JSON array of the state's flags for grant equity priority, such as
    /// `rural` or `under_resourced`.
    #[sea_orm(column_type = "Text")]
    pub equity_flags: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
