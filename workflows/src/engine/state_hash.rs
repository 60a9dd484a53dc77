//! The hash of a case's records as a step leaves them: its header and its
//! program's read model, the rows the API serves. The record step puts it
//! in the step's audit entry; `audit verify` recomputes it from the same
//! rows, so an edit to what the API serves (a state, a term's end, an
//! item's decision) no longer matches the chain. Both sides read the rows
//! back from the database and write them as sorted JSON, with times to
//! the millisecond, so the hash survives the round trip on either backend.
use crate::programs;
use chrono::{DateTime, SecondsFormat, Utc};
use leeway_entities::case;
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::collections::HashMap;

pub fn time(t: &Option<DateTime<Utc>>) -> Value {
    t.map_or(Value::Null, |t| {
        Value::String(t.to_rfc3339_opts(SecondsFormat::Millis, true))
    })
}

fn header(c: &case::Model) -> Value {
    json!({
        "program": c.program,
        "organisation_id": c.organisation_id,
        "state_profile": c.state_profile,
        "title": c.title,
        "state": c.state,
        "version": c.version,
        "document_hash": c.document_hash,
        "assigned_reviewer_id": c.assigned_reviewer_id,
        "last_seq": c.last_seq,
        "opened_by": c.opened_by,
    })
}

fn digest(c: &case::Model, read_model: Option<&Value>) -> String {
    let whole = json!({ "header": header(c), "read_model": read_model });
    hex::encode(Sha256::digest(
        serde_json::to_vec(&whole).unwrap_or_default(),
    ))
}

/// The state hash of each of `cases`, with one query per program.
pub async fn of_cases<C: ConnectionTrait>(
    db: &C,
    cases: &[case::Model],
) -> Result<HashMap<String, String>, DbErr> {
    let mut by_program: HashMap<&str, Vec<String>> = HashMap::new();
    for c in cases {
        by_program
            .entry(c.program.as_str())
            .or_default()
            .push(c.id.clone());
    }
    let mut read_models = HashMap::new();
    for (program, ids) in by_program {
        read_models.extend(programs::read_models(db, program, &ids).await?);
    }
    Ok(cases
        .iter()
        .map(|c| (c.id.clone(), digest(c, read_models.get(&c.id))))
        .collect())
}

/// The state hash of one case, as the step being recorded leaves it.
pub async fn of_case<C: ConnectionTrait>(db: &C, case_id: &str) -> Result<String, DbErr> {
    let cases = case::Entity::find()
        .filter(case::Column::Id.eq(case_id))
        .all(db)
        .await?;
    of_cases(db, &cases)
        .await?
        .remove(case_id)
        .ok_or_else(|| DbErr::RecordNotFound(format!("case {case_id}")))
}
