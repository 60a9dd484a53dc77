//! The network program's read model of one district's application and
//! membership, beside the case header.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "network_memberships")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub case_id: String,
    /// The network's code.
    pub network: String,
    pub organisation_id: String,
    pub submitted_at: Option<DateTimeUtc>,
    pub review_score: Option<i32>,
    pub cohort: Option<String>,
    pub offer_expires_at: Option<DateTimeUtc>,
    pub planning_ends_at: Option<DateTimeUtc>,
    pub member_since: Option<DateTimeUtc>,
    pub recommit_due: Option<DateTimeUtc>,
    pub students_reached: i32,
    /// JSON array of the schools that joined; empty for the whole district.
    #[sea_orm(column_type = "Text")]
    pub school_ids: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
