//! People who act in Leeway, each with one role in one organisation.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "users")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub name: String,
    #[sea_orm(unique)]
    pub email: String,
    /// A `Role` in snake case, e.g. `district_applicant`, `sea_reviewer`.
    pub role: String,
    pub organisation_id: String,
    pub created_at: DateTimeUtc,
    /// Set when the state's people file no longer lists them: they can
    /// no longer sign in or be assigned, and stay named where they acted.
    pub deactivated_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
