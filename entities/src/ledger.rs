//! An appropriation's ledger in integer cents. Steps change it only by
//! conditional updates, and the table checks that appropriated = available
//! + committed + disbursed + lapsed, with no bucket below zero.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "ledgers")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub label: String,
    pub appropriated: i64,
    pub available: i64,
    pub committed: i64,
    pub disbursed: i64,
    pub lapsed: i64,
    /// When the fiscal year ended: money returned since lapses.
    pub closed_at: Option<DateTimeUtc>,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
