//! The hash-chained audit trail. Each case is its own chain; refused access
//! attempts go on the `security` chain. An entry's hash covers its fields
//! and the previous entry's hash, so editing or deleting a row breaks the
//! chain from that point on.
use chrono::{DateTime, SubsecRound, Utc};
use leeway_entities::{audit_entry, audit_head, case, case_document, case_snapshot};
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
    Set, TransactionSession, TransactionTrait,
};
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

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
    prev_hash: &'a str,
}

fn entry_hash(e: &audit_entry::Model) -> String {
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
        prev_hash: &e.prev_hash,
    };
    hex::encode(Sha256::digest(
        serde_json::to_vec(&fields).unwrap_or_default(),
    ))
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

/// Appends at `seq` (a case's transition number). Returns `false` when that
/// entry already exists, which makes a retried activity a no-op.
pub async fn append_at<C: ConnectionTrait>(
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
            return Ok(false);
        }
        return Err(DbErr::Custom(format!(
            "audit entry {}#{seq} already records `{}`, not `{}`",
            record.chain, e.command, record.command
        )));
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
        prev_hash: Set(model.prev_hash),
        hash: Set(model.hash),
        ..Default::default()
    };
    active.insert(db).await?;
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

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct VerifyReport {
    pub chains: usize,
    pub entries: usize,
    pub problems: Vec<ChainProblem>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ChainProblem {
    pub chain: String,
    pub seq: i32,
    pub problem: String,
}

impl VerifyReport {
    pub fn is_intact(&self) -> bool {
        self.problems.is_empty()
    }
}

/// Recomputes every hash and link; checks that each frozen snapshot still
/// matches the hash its submission recorded; and that each case's chain
/// runs up to the last transition the read model recorded, so a deleted
/// tail is caught too. Every chain, the shared `security` one included,
/// must also reach the head recorded with its newest entry. (Someone who
/// can rewrite both tables consistently can still hide a cut tail: only an
/// anchor kept outside the database would stop that.)
pub async fn verify<C: ConnectionTrait>(db: &C) -> Result<VerifyReport, DbErr> {
    let entries = audit_entry::Entity::find()
        .order_by_asc(audit_entry::Column::Chain)
        .order_by_asc(audit_entry::Column::Seq)
        .all(db)
        .await?;
    let mut chains: BTreeMap<String, Vec<audit_entry::Model>> = BTreeMap::new();
    for e in entries {
        chains.entry(e.chain.clone()).or_default().push(e);
    }
    let mut report = VerifyReport {
        chains: chains.len(),
        ..Default::default()
    };
    for (chain, entries) in &chains {
        let mut prev_hash = GENESIS.to_string();
        for (i, e) in entries.iter().enumerate() {
            report.entries += 1;
            let expected_seq = i as i32 + 1;
            let problem = if e.seq != expected_seq {
                Some(format!("entry {expected_seq} is missing"))
            } else if e.prev_hash != prev_hash {
                Some("does not link to the entry before it".to_string())
            } else if entry_hash(e) != e.hash {
                Some("its contents no longer match its hash".to_string())
            } else {
                None
            };
            if let Some(problem) = problem {
                report.problems.push(ChainProblem {
                    chain: chain.clone(),
                    seq: e.seq,
                    problem,
                });
                break;
            }
            prev_hash = e.hash.clone();
        }
    }
    for head in audit_head::Entity::find().all(db).await? {
        let last = chains.get(&head.chain).and_then(|c| c.last());
        if last.is_none_or(|e| e.seq != head.seq || e.hash != head.hash) {
            report.problems.push(ChainProblem {
                chain: head.chain.clone(),
                seq: last.map(|e| e.seq + 1).unwrap_or(1),
                problem: format!(
                    "the chain should run to entry {} but ends at {}",
                    head.seq,
                    last.map(|e| e.seq).unwrap_or(0)
                ),
            });
        }
    }
    for chain in chains.keys() {
        if !report.problems.iter().any(|p| &p.chain == chain)
            && audit_head::Entity::find_by_id(chain.as_str())
                .one(db)
                .await?
                .is_none()
        {
            report.problems.push(ChainProblem {
                chain: chain.clone(),
                seq: 0,
                problem: "the chain's head record is missing".into(),
            });
        }
    }
    for snap in case_snapshot::Entity::find().all(db).await? {
        let document =
            case_document::Entity::find_by_id((snap.case_id.clone(), snap.document_hash.clone()))
                .one(db)
                .await?;
        let in_chain = chains.get(&snap.case_id).is_some_and(|c| {
            c.iter()
                .any(|e| e.snapshot_hash.as_deref() == Some(snap.document_hash.as_str()))
        });
        let problem = match document {
            None => Some(format!(
                "the text of snapshot version {} is missing",
                snap.version
            )),
            Some(d) if hex::encode(Sha256::digest(d.body.as_bytes())) != snap.document_hash => {
                Some(format!(
                    "snapshot version {} no longer matches its hash",
                    snap.version
                ))
            }
            Some(_) if !in_chain => Some(format!(
                "snapshot version {} is not recorded in the audit trail",
                snap.version
            )),
            Some(_) => None,
        };
        if let Some(problem) = problem {
            report.problems.push(ChainProblem {
                chain: snap.case_id.clone(),
                seq: 0,
                problem,
            });
        }
    }
    for case in case::Entity::find().all(db).await? {
        let last = chains
            .get(&case.id)
            .and_then(|c| c.last())
            .map(|e| e.seq)
            .unwrap_or(0);
        if last < case.last_seq {
            report.problems.push(ChainProblem {
                chain: case.id.clone(),
                seq: last + 1,
                problem: format!(
                    "the case recorded {} steps but the chain ends at {last}",
                    case.last_seq
                ),
            });
        }
    }
    Ok(report)
}
