//! The command outbox: commands one case's step sends another (offer the
//! freed seat to the next on the wait list), queued in the step's
//! transaction and delivered as Temporal updates with `update_id`.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "case_commands")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub from_case: String,
    pub from_seq: i32,
    pub to_case: String,
    /// The receiving case's program.
    pub program: String,
    /// The receiving machine's command, as JSON.
    #[sea_orm(column_type = "Text")]
    pub command: String,
    /// Derived from the sending step, so a redelivery is a duplicate.
    #[sea_orm(unique)]
    pub update_id: String,
    /// `queued`, `delivered` or `refused`.
    pub status: String,
    pub attempts: i32,
    pub last_error: Option<String>,
    pub created_at: DateTimeUtc,
    pub delivered_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
