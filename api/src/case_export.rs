//! `leeway export case ID`: one case's whole file for an open-records
//! request or an auditor, as one JSON document: the case and its program's
//! record, every version submitted and every stored document, decisions
//! and steps (the audit chain), deadlines, every email with its outcome,
//! commands between cases, and the proof that it all holds together.
//!
//! The proof can be checked without Leeway: each audit entry's SHA-256
//! covers its fields and the hash of the entry before it; each document's
//! SHA-256 is its hash; the case's records hash to the last entry's state
//! hash; and the chain's latest sealed entry is under a sealed tree head,
//! with an RFC 6962 inclusion path to the head's root.
use chrono::{SecondsFormat, Utc};
use leeway_entities::{
    audit_entry, audit_head_log, audit_tree_head, case, case_command, case_deadline, case_document,
    case_snapshot, notification,
};
use leeway_workflows::audit::{self, GENESIS};
use leeway_workflows::audit_tree::{
    Hash, inclusion_path, leaf_hash, register_leaf, root_from_path, tree_head_hash,
};
use leeway_workflows::engine::state_hash;
use leeway_workflows::programs;
use sea_orm::{
    ColumnTrait, Condition, DatabaseConnection, DbErr, EntityTrait, QueryFilter, QueryOrder,
};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

pub const FORMAT: &str = "leeway-case-export/1";

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("there is no case `{0}`")]
    NoSuchCase(String),
    #[error("the database: {0}")]
    Database(#[from] DbErr),
}

fn time(t: &chrono::DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// A stored JSON text as JSON, or as the text it is when it is not.
fn parsed(body: &str) -> Value {
    serde_json::from_str(body).unwrap_or_else(|_| Value::String(body.to_string()))
}

fn entry_json(e: &audit_entry::Model) -> Value {
    json!({
        "chain": e.chain,
        "seq": e.seq,
        "case_id": e.case_id,
        "at": time(&e.at),
        "actor_user_id": e.actor_user_id,
        "actor_role": e.actor_role,
        "from_state": e.from_state,
        "to_state": e.to_state,
        "command": e.command,
        "reasons": parsed(&e.reasons),
        "snapshot_hash": e.snapshot_hash,
        "state_hash": e.state_hash,
        "prev_hash": e.prev_hash,
        "hash": e.hash,
        "hashed_bytes": String::from_utf8_lossy(&audit::entry_bytes(e)),
    })
}

/// Each entry numbered from 1, linked to the one before, matching its hash.
fn chain_problems(entries: &[audit_entry::Model]) -> Vec<String> {
    let mut problems = Vec::new();
    let mut prev = GENESIS.to_string();
    for (i, e) in entries.iter().enumerate() {
        let expected = i as i32 + 1;
        if e.seq != expected {
            problems.push(format!("entry {expected} is missing"));
            break;
        }
        if e.prev_hash != prev {
            problems.push(format!("entry {} does not link to the one before", e.seq));
        }
        let recomputed = hex::encode(Sha256::digest(audit::entry_bytes(e)));
        if recomputed != e.hash {
            problems.push(format!("entry {} no longer matches its hash", e.seq));
        }
        prev = e.hash.clone();
    }
    problems
}

/// The newest sealed tree head that covers one of the chain's entries,
/// with the inclusion path of the newest such entry.
async fn sealed_proof(db: &DatabaseConnection, chain: &str) -> Result<Value, DbErr> {
    let Some(head) = audit_tree_head::Entity::find()
        .order_by_desc(audit_tree_head::Column::TreeSize)
        .one(db)
        .await?
    else {
        return Ok(
            json!({ "sealed": false, "why": "no tree head has been sealed yet (leeway serve seals every minute; leeway audit seal seals now)" }),
        );
    };
    let rows = audit_head_log::Entity::find()
        .filter(audit_head_log::Column::Id.lte(head.last_log_id))
        .order_by_asc(audit_head_log::Column::Id)
        .all(db)
        .await?;
    let Some(index) = rows.iter().rposition(|r| r.chain == chain) else {
        return Ok(
            json!({ "sealed": false, "why": "the case's entries are newer than the last sealed tree head; seal and export again" }),
        );
    };
    let hashes: Vec<Hash> = rows
        .iter()
        .map(|r| leaf_hash(&register_leaf(&r.chain, r.seq, &r.hash)))
        .collect();
    let path = inclusion_path(&hashes, index);
    let root =
        root_from_path(index as u64, hashes.len() as u64, hashes[index], &path).map(hex::encode);
    let row = &rows[index];
    let head_intact = head.hash
        == tree_head_hash(
            &head.prev_hash,
            head.tree_size,
            head.last_log_id,
            &head.root,
        )
        && head.tree_size == hashes.len() as i64;
    Ok(json!({
        "sealed": true,
        "verifies": head_intact && root.as_deref() == Some(head.root.as_str()),
        "entry_seq": row.seq,
        "entry_hash": row.hash,
        "leaf": String::from_utf8_lossy(&register_leaf(&row.chain, row.seq, &row.hash)),
        "leaf_index": index,
        "inclusion_path": path.iter().map(hex::encode).collect::<Vec<_>>(),
        "root_from_path": root,
        "tree_head": {
            "tree_size": head.tree_size,
            "last_log_id": head.last_log_id,
            "root": head.root,
            "prev_hash": head.prev_hash,
            "hash": head.hash,
            "at": time(&head.at),
        },
    }))
}

const HOW_TO_CHECK: &str = "Each audit entry's hash is the SHA-256 of its hashed_bytes, which include the hash of the entry before it (the first links to 64 zeros). Each document's hash is the SHA-256 of its body as stored. The last entry's state_hash is the SHA-256 Leeway computes over the case's records. The sealed entry's leaf is hashed as RFC 6962 does (SHA-256 of 0x00 and the leaf), and its inclusion_path leads to the tree head's root, nodes hashed as SHA-256 of 0x01, left and right; the tree head's own hash is the SHA-256 of its prev_hash, tree_size, last_log_id and root, one per line. Entries after the sealed one link to it through their hashes.";

/// The whole file of one case, ready to be written as JSON.
pub async fn export(db: &DatabaseConnection, case_id: &str) -> Result<Value, ExportError> {
    let c = case::Entity::find_by_id(case_id)
        .one(db)
        .await?
        .ok_or_else(|| ExportError::NoSuchCase(case_id.to_string()))?;
    let read_model = programs::read_models(db, &c.program, std::slice::from_ref(&c.id))
        .await?
        .remove(&c.id);
    let snapshots = case_snapshot::Entity::find()
        .filter(case_snapshot::Column::CaseId.eq(case_id))
        .order_by_asc(case_snapshot::Column::Version)
        .all(db)
        .await?;
    let documents = case_document::Entity::find()
        .filter(case_document::Column::CaseId.eq(case_id))
        .order_by_asc(case_document::Column::CreatedAt)
        .all(db)
        .await?;
    let deadlines = case_deadline::Entity::find()
        .filter(case_deadline::Column::CaseId.eq(case_id))
        .order_by_asc(case_deadline::Column::DueAt)
        .all(db)
        .await?;
    let emails = notification::Entity::find()
        .filter(notification::Column::CaseId.eq(case_id))
        .order_by_asc(notification::Column::Id)
        .all(db)
        .await?;
    let commands = case_command::Entity::find()
        .filter(
            Condition::any()
                .add(case_command::Column::FromCase.eq(case_id))
                .add(case_command::Column::ToCase.eq(case_id)),
        )
        .order_by_asc(case_command::Column::Id)
        .all(db)
        .await?;
    let entries = audit_entry::Entity::find()
        .filter(audit_entry::Column::Chain.eq(case_id))
        .order_by_asc(audit_entry::Column::Seq)
        .all(db)
        .await?;
    let related = audit_entry::Entity::find()
        .filter(audit_entry::Column::CaseId.eq(case_id))
        .filter(audit_entry::Column::Chain.ne(case_id))
        .order_by_asc(audit_entry::Column::Id)
        .all(db)
        .await?;

    let chain = chain_problems(&entries);
    let computed = state_hash::of_case(db, case_id).await?;
    let recorded = entries.last().and_then(|e| e.state_hash.clone());
    let bad_documents: Vec<&str> = documents
        .iter()
        .filter(|d| hex::encode(Sha256::digest(d.body.as_bytes())) != d.hash)
        .map(|d| d.hash.as_str())
        .collect();
    let unrecorded_snapshots: Vec<i32> = snapshots
        .iter()
        .filter(|s| {
            !entries
                .iter()
                .any(|e| e.snapshot_hash.as_deref() == Some(s.document_hash.as_str()))
        })
        .map(|s| s.version)
        .collect();
    let sealed = sealed_proof(db, case_id).await?;
    let state_matches = recorded.as_deref() == Some(computed.as_str());
    let verifies = chain.is_empty()
        && state_matches
        && bad_documents.is_empty()
        && unrecorded_snapshots.is_empty()
        && sealed["verifies"] != json!(false);

    Ok(json!({
        "format": FORMAT,
        "exported_at": time(&Utc::now()),
        "case": {
            "id": c.id,
            "program": c.program,
            "title": c.title,
            "state": c.state,
            "organisation_id": c.organisation_id,
            "state_profile": c.state_profile,
            "version": c.version,
            "document_hash": c.document_hash,
            "assigned_reviewer_id": c.assigned_reviewer_id,
            "opened_by": c.opened_by,
            "created_at": time(&c.created_at),
            "updated_at": time(&c.updated_at),
            "program_record": read_model,
        },
        "snapshots": snapshots.iter().map(|s| json!({
            "version": s.version,
            "document_hash": s.document_hash,
            "submitted_by": s.submitted_by,
            "submitted_at": time(&s.submitted_at),
        })).collect::<Vec<_>>(),
        "documents": documents.iter().map(|d| json!({
            "hash": d.hash,
            "bytes": d.bytes,
            "created_at": time(&d.created_at),
            "body": d.body,
        })).collect::<Vec<_>>(),
        "decisions_and_steps": entries.iter().map(entry_json).collect::<Vec<_>>(),
        "related_audit_entries": related.iter().map(entry_json).collect::<Vec<_>>(),
        "deadlines": deadlines.iter().map(|d| json!({
            "kind": d.kind,
            "due_at": time(&d.due_at),
            "description": d.description,
        })).collect::<Vec<_>>(),
        "emails": emails.iter().map(|n| json!({
            "step": n.seq,
            "to": n.recipient_email,
            "recipient_user_id": n.recipient_user_id,
            "subject": n.subject,
            "body": n.body,
            "body_html": n.body_html,
            "status": n.status,
            "attempts": n.attempts,
            "message_id": n.message_id,
            "queued_at": time(&n.created_at),
            "sent_at": n.sent_at.as_ref().map(time),
            "last_error": n.last_error,
            "possible_duplicate": n.possible_duplicate,
        })).collect::<Vec<_>>(),
        "commands_between_cases": commands.iter().map(|k| json!({
            "from_case": k.from_case,
            "from_step": k.from_seq,
            "to_case": k.to_case,
            "command": parsed(&k.command),
            "status": k.status,
            "delivered_at": k.delivered_at.as_ref().map(time),
        })).collect::<Vec<_>>(),
        "proof": {
            "verifies": verifies,
            "chain": { "entries": entries.len(), "problems": chain },
            "records": {
                "state_hash_computed": computed,
                "state_hash_recorded": recorded,
                "matches": state_matches,
            },
            "documents": { "checked": documents.len(), "not_matching_their_hash": bad_documents },
            "snapshots_not_on_the_chain": unrecorded_snapshots,
            "sealed": sealed,
            "how_to_check": HOW_TO_CHECK,
        },
    }))
}
