//! A counted resource cases share: a network's seats, an appropriation's
//! balance in integer cents. Steps change `committed` only by conditional
//! updates, so it never passes `capacity`.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "capacity_pools")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub label: String,
    /// `None`: no cap.
    pub capacity: Option<i64>,
    pub committed: i64,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
