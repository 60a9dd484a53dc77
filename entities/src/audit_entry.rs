//! The tamper-evident audit trail: entries hash-chained per chain (one chain
//! per case, plus one for refused access attempts).
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "audit_entries")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub chain: String,
    pub seq: i32,
    pub case_id: Option<String>,
    pub at: DateTimeUtc,
    pub actor_user_id: String,
    pub actor_role: String,
    pub from_state: String,
    pub to_state: String,
    pub command: String,
    /// JSON array of reason strings.
    #[sea_orm(column_type = "Text")]
    pub reasons: String,
    pub snapshot_hash: Option<String>,
    /// SHA-256 of the case's records (header and program read model) as
    /// this step left them; none on the security chain and on entries
    /// written before it was kept.
    pub state_hash: Option<String>,
    pub prev_hash: String,
    pub hash: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
