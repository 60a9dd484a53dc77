//! The hash-chained audit trail. Each case is its own chain; refused access
//! attempts go on the `security` chain. An entry's hash covers its fields
//! and the previous entry's hash, so editing or deleting a row breaks the
//! chain from that point on.
use chrono::{DateTime, SubsecRound, Utc};
use leeway_entities::{audit_entry, audit_head, audit_head_log};
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
    Set, TransactionSession, TransactionTrait,
};
use serde::Serialize;
use sha2::{Digest, Sha256};

pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";
pub const SECURITY_CHAIN: &str = "security";

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditRecord {
    pub chain: String,
    pub case_id: Option<String>,
    pub at: DateTime<Utc>,
    pub actor_user_id: String,
    pub actor_role: String,
    pub from_state: String,
    pub to_state: String,
    pub command: String,
    pub reasons: Vec<String>,
    pub snapshot_hash: Option<String>,
    /// The case's records as the step left them (`engine::state_hash`).
    pub state_hash: Option<String>,
}

#[derive(Serialize)]
struct Hashed<'a> {
    chain: &'a str,
    seq: i32,
    case_id: &'a Option<String>,
    at: String,
    actor_user_id: &'a str,
    actor_role: &'a str,
    from_state: &'a str,
    to_state: &'a str,
    command: &'a str,
    reasons: &'a str,
    snapshot_hash: &'a Option<String>,
    // Absent from entries written before it was kept, whose hashes must
    // still verify.
    #[serde(skip_serializing_if = "Option::is_none")]
    state_hash: &'a Option<String>,
    prev_hash: &'a str,
}

/// The bytes an entry's hash covers.
pub fn entry_bytes(e: &audit_entry::Model) -> Vec<u8> {
    let fields = Hashed {
        chain: &e.chain,
        seq: e.seq,
        case_id: &e.case_id,
        at: e.at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        actor_user_id: &e.actor_user_id,
        actor_role: &e.actor_role,
        from_state: &e.from_state,
        to_state: &e.to_state,
        command: &e.command,
        reasons: &e.reasons,
        snapshot_hash: &e.snapshot_hash,
        state_hash: &e.state_hash,
        prev_hash: &e.prev_hash,
    };
    serde_json::to_vec(&fields).unwrap_or_default()
}

pub(crate) fn entry_hash(e: &audit_entry::Model) -> String {
    hex::encode(Sha256::digest(entry_bytes(e)))
}

async fn last_in_chain<C: ConnectionTrait>(
    db: &C,
    chain: &str,
) -> Result<Option<audit_entry::Model>, DbErr> {
    audit_entry::Entity::find()
        .filter(audit_entry::Column::Chain.eq(chain))
        .order_by_desc(audit_entry::Column::Seq)
        .one(db)
        .await
}

/// Whether the entry at `seq` is already written, by this same step (a
/// retried record step): `Ok(true)`. Two different steps claiming one
/// number must never pass quietly: that is an error.
pub async fn recorded_at<C: ConnectionTrait>(
    db: &C,
    seq: i32,
    record: &AuditRecord,
) -> Result<bool, DbErr> {
    let existing = audit_entry::Entity::find()
        .filter(audit_entry::Column::Chain.eq(record.chain.as_str()))
        .filter(audit_entry::Column::Seq.eq(seq))
        .one(db)
        .await?;
    if let Some(e) = existing {
        // A retried activity finds its own step; anything else means two
        // different steps claimed one number, which must never pass quietly.
        if e.command == record.command
            && e.to_state == record.to_state
            && e.actor_user_id == record.actor_user_id
        {
            return Ok(true);
        }
        return Err(DbErr::Custom(format!(
            "audit entry {}#{seq} already records `{}`, not `{}`",
            record.chain, e.command, record.command
        )));
    }
    Ok(false)
}

/// Appends at `seq` (a case's transition number). Returns `false` when that
/// entry already exists, which makes a retried activity a no-op.
pub async fn append_at<C: ConnectionTrait>(
    db: &C,
    seq: i32,
    record: &AuditRecord,
) -> Result<bool, DbErr> {
    if recorded_at(db, seq, record).await? {
        return Ok(false);
    }
    let prev = last_in_chain(db, &record.chain).await?;
    let prev_hash = prev.map(|p| p.hash).unwrap_or_else(|| GENESIS.to_string());
    insert(db, seq, prev_hash, record).await?;
    Ok(true)
}

async fn insert<C: ConnectionTrait>(
    db: &C,
    seq: i32,
    prev_hash: String,
    record: &AuditRecord,
) -> Result<(), DbErr> {
    let mut model = audit_entry::Model {
        id: 0,
        chain: record.chain.clone(),
        seq,
        case_id: record.case_id.clone(),
        // Both databases keep milliseconds exactly; the hash must survive a round trip.
        at: record.at.trunc_subsecs(3),
        actor_user_id: record.actor_user_id.clone(),
        actor_role: record.actor_role.clone(),
        from_state: record.from_state.clone(),
        to_state: record.to_state.clone(),
        command: record.command.clone(),
        reasons: serde_json::to_string(&record.reasons).unwrap_or_else(|_| "[]".into()),
        snapshot_hash: record.snapshot_hash.clone(),
        state_hash: record.state_hash.clone(),
        prev_hash,
        hash: String::new(),
    };
    model.hash = entry_hash(&model);
    let (chain, hash) = (model.chain.clone(), model.hash.clone());
    let active = audit_entry::ActiveModel {
        chain: Set(model.chain),
        seq: Set(model.seq),
        case_id: Set(model.case_id),
        at: Set(model.at),
        actor_user_id: Set(model.actor_user_id),
        actor_role: Set(model.actor_role),
        from_state: Set(model.from_state),
        to_state: Set(model.to_state),
        command: Set(model.command),
        reasons: Set(model.reasons),
        snapshot_hash: Set(model.snapshot_hash),
        state_hash: Set(model.state_hash),
        prev_hash: Set(model.prev_hash),
        hash: Set(model.hash),
        ..Default::default()
    };
    active.insert(db).await?;
    // The register only grows: no row every step updates.
    audit_head_log::ActiveModel {
        chain: Set(chain.clone()),
        seq: Set(seq),
        hash: Set(hash.clone()),
        at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(db)
    .await?;
    let head = audit_head::ActiveModel {
        chain: Set(chain),
        seq: Set(seq),
        hash: Set(hash),
        updated_at: Set(Utc::now()),
    };
    audit_head::Entity::insert(head)
        .on_conflict(
            OnConflict::column(audit_head::Column::Chain)
                .update_columns([
                    audit_head::Column::Seq,
                    audit_head::Column::Hash,
                    audit_head::Column::UpdatedAt,
                ])
                .to_owned(),
        )
        .exec(db)
        .await?;
    Ok(())
}

/// Appends at the end of a chain that many writers share (the security
/// chain). The unique (chain, seq) index turns a race into a retry.
pub async fn append_next<D: TransactionTrait + ConnectionTrait>(
    db: &D,
    record: &AuditRecord,
) -> Result<(), DbErr> {
    let mut last_err = None;
    for _ in 0..20 {
        let txn = db.begin().await?;
        let prev = last_in_chain(&txn, &record.chain).await?;
        let (seq, prev_hash) = prev
            .map(|p| (p.seq + 1, p.hash))
            .unwrap_or((1, GENESIS.to_string()));
        match insert(&txn, seq, prev_hash, record).await {
            Ok(()) => return txn.commit().await,
            Err(e) => {
                txn.rollback().await.ok();
                last_err = Some(e);
                tokio::time::sleep(std::time::Duration::from_millis(5)).await;
            }
        }
    }
    Err(last_err.unwrap_or_else(|| DbErr::Custom("audit append failed".into())))
}

pub use crate::audit_verify::{ChainProblem, VerifyReport, verify};
