//! Writes a waiver case's read model (case row, line items, snapshots).
use crate::domain::actor::Actor;
use crate::machine::waiver::{FrozenSnapshot, WaiverCase};
use chrono::{DateTime, Utc};
use leeway_entities::{waiver_case, waiver_item, waiver_snapshot};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, Set,
};

fn to_json<T: serde::Serialize>(value: &T) -> Result<String, DbErr> {
    serde_json::to_string(value).map_err(|e| DbErr::Custom(e.to_string()))
}

pub async fn write<C: ConnectionTrait>(
    db: &C,
    case: &WaiverCase,
    profile_code: &str,
    seq: i32,
    at: DateTime<Utc>,
    actor: &Actor,
    snapshot: Option<&FrozenSnapshot>,
) -> Result<(), DbErr> {
    let content = to_json(&case.content)?;
    let recommendation = case.recommendation.as_ref().map(to_json).transpose()?;
    let pending_amendment = case.pending_amendment.as_ref().map(to_json).transpose()?;
    let existing = waiver_case::Entity::find_by_id(case.id.as_str())
        .one(db)
        .await?;
    let mut row = waiver_case::ActiveModel {
        id: Set(case.id.clone()),
        district_id: Set(case.district_id.clone()),
        state_profile: Set(profile_code.to_string()),
        title: Set(case.content.title.clone()),
        state: Set(case.state.as_str().to_string()),
        version: Set(case.version as i32),
        content: Set(content),
        escalated: Set(case.escalated),
        assigned_reviewer_id: Set(case.assigned_reviewer.clone()),
        term_start: Set(case.term.as_ref().map(|t| t.start)),
        term_end: Set(case.term.as_ref().map(|t| t.end)),
        recommendation: Set(recommendation),
        pending_amendment: Set(pending_amendment),
        last_seq: Set(seq),
        created_by: Set(case.created_by.clone()),
        created_at: Set(at),
        updated_at: Set(at),
    };
    match existing {
        Some(old) => {
            row.created_at = Set(old.created_at);
            row.update(db).await?;
        }
        None => {
            row.insert(db).await?;
        }
    }
    waiver_item::Entity::delete_many()
        .filter(waiver_item::Column::CaseId.eq(case.id.as_str()))
        .exec(db)
        .await?;
    for (i, item) in case.content.items.iter().enumerate() {
        let decision = case.decisions.iter().find(|d| d.citation == item.citation);
        waiver_item::ActiveModel {
            case_id: Set(case.id.clone()),
            position: Set(i as i32),
            citation: Set(item.citation.clone()),
            rationale: Set(item.rationale.clone()),
            replacement_practice: Set(item.replacement_practice.clone()),
            goal: Set(item.goal.clone()),
            measure: Set(item.measure.clone()),
            decision: Set(decision.map(|d| d.outcome.as_str().to_string())),
            conditions: Set(decision.and_then(|d| d.conditions.clone())),
            decision_reason: Set(decision.and_then(|d| d.reason.clone())),
            ..Default::default()
        }
        .insert(db)
        .await?;
    }
    if let Some(s) = snapshot {
        waiver_snapshot::ActiveModel {
            case_id: Set(case.id.clone()),
            version: Set(s.version as i32),
            content: Set(to_json(&s.content)?),
            content_hash: Set(s.hash.clone()),
            submitted_by: Set(actor.user_id.clone()),
            submitted_at: Set(at),
        }
        .insert(db)
        .await?;
    }
    Ok(())
}
