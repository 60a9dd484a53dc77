//! A tree head: the Merkle root (RFC 6962 style) over the first
//! `tree_size` rows of the head register, chained to the tree head before.
//! Printed in the annual report, it lets anyone holding a copy detect a
//! rewritten history.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "audit_tree_heads")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tree_size: i64,
    /// The register's id of the last row the tree covers.
    pub last_log_id: i64,
    pub root: String,
    pub prev_hash: String,
    pub hash: String,
    pub at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
