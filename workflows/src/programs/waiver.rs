//! Innovation waivers on the engine: the workflow type, and the read model
//! beside the case header (term, escalation, recommendation, line items).
use crate::case_workflow;
use crate::engine::record::StepRecord;
use crate::engine::state_hash::time;
use leeway_entities::{case_document, waiver_item, waiver_reach, waiver_request};
use leeway_machines::waiver::content::WaiverContent;
use leeway_machines::waiver::machine::{WaiverCase, WaiverMachine};
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
    Set,
};
use serde_json::{Value, json};
use std::collections::HashMap;

case_workflow!(
    /// One innovation-waiver request, from draft to its end.
    WaiverWorkflow,
    WaiverMachine,
    "WaiverCase"
);

fn to_json<T: serde::Serialize>(value: &T) -> Result<String, DbErr> {
    serde_json::to_string(value).map_err(|e| DbErr::Json(e.to_string()))
}

/// The stored text of one of the case's documents.
pub async fn load_content<C: ConnectionTrait>(
    db: &C,
    case_id: &str,
    hash: &str,
) -> Result<WaiverContent, DbErr> {
    let doc = case_document::Entity::find_by_id((case_id.to_string(), hash.to_string()))
        .one(db)
        .await?
        .ok_or_else(|| DbErr::RecordNotFound(format!("document {hash} of {case_id}")))?;
    serde_json::from_str(&doc.body).map_err(|e| DbErr::Json(e.to_string()))
}

pub async fn project<C: ConnectionTrait>(
    db: &C,
    case: &WaiverCase,
    _step: &StepRecord,
) -> Result<(), DbErr> {
    let content = load_content(db, &case.id, &case.draft.document.hash).await?;
    let row = waiver_request::ActiveModel {
        case_id: Set(case.id.clone()),
        escalated: Set(case.escalated),
        term_start: Set(case.term.as_ref().map(|t| t.start)),
        term_end: Set(case.term.as_ref().map(|t| t.end)),
        recommendation: Set(case.recommendation.as_ref().map(to_json).transpose()?),
        pending_amendment_hash: Set(case
            .pending_amendment
            .as_ref()
            .map(|d| d.document.hash.clone())),
        applicant_kind: Set(Some(content.applicant.kind.as_str().to_string())),
    };
    waiver_request::Entity::insert(row)
        .on_conflict(
            OnConflict::column(waiver_request::Column::CaseId)
                .update_columns([
                    waiver_request::Column::Escalated,
                    waiver_request::Column::TermStart,
                    waiver_request::Column::TermEnd,
                    waiver_request::Column::Recommendation,
                    waiver_request::Column::PendingAmendmentHash,
                    waiver_request::Column::ApplicantKind,
                ])
                .to_owned(),
        )
        .exec(db)
        .await?;
    write_reach(db, case, &content).await?;
    waiver_item::Entity::delete_many()
        .filter(waiver_item::Column::CaseId.eq(case.id.as_str()))
        .exec(db)
        .await?;
    for (i, item) in content.items.iter().enumerate() {
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
            conditions: Set(decision.and_then(|d| d.conditions.as_ref().map(|c| c.to_string()))),
            decision_reason: Set(decision.and_then(|d| d.reason.as_ref().map(|r| r.to_string()))),
            ..Default::default()
        }
        .insert(db)
        .await?;
    }
    Ok(())
}

/// The schools the request names, or its district when it names none.
async fn write_reach<C: ConnectionTrait>(
    db: &C,
    case: &WaiverCase,
    content: &WaiverContent,
) -> Result<(), DbErr> {
    waiver_reach::Entity::delete_many()
        .filter(waiver_reach::Column::CaseId.eq(case.id.as_str()))
        .exec(db)
        .await?;
    let mut reached: Vec<&str> = content
        .applicant
        .school_ids
        .iter()
        .map(String::as_str)
        .collect();
    if reached.is_empty() {
        reached.push(case.district_id.as_str());
    }
    reached.sort_unstable();
    reached.dedup();
    waiver_reach::Entity::insert_many(reached.into_iter().map(|org| waiver_reach::ActiveModel {
        case_id: Set(case.id.clone()),
        organisation_id: Set(org.to_string()),
    }))
    .exec(db)
    .await?;
    Ok(())
}

/// The request and item rows of some cases, for their state hash.
pub async fn read_models<C: ConnectionTrait>(
    db: &C,
    ids: &[String],
) -> Result<HashMap<String, Value>, DbErr> {
    let mut out: HashMap<String, Value> = HashMap::new();
    for r in waiver_request::Entity::find()
        .filter(waiver_request::Column::CaseId.is_in(ids.iter().cloned()))
        .all(db)
        .await?
    {
        out.insert(
            r.case_id.clone(),
            json!({
                "escalated": r.escalated,
                "term_start": time(&r.term_start),
                "term_end": time(&r.term_end),
                "recommendation": r.recommendation,
                "pending_amendment_hash": r.pending_amendment_hash,
                "items": [],
            }),
        );
    }
    for i in waiver_item::Entity::find()
        .filter(waiver_item::Column::CaseId.is_in(ids.iter().cloned()))
        .order_by_asc(waiver_item::Column::CaseId)
        .order_by_asc(waiver_item::Column::Position)
        .all(db)
        .await?
    {
        let item = json!({
            "position": i.position,
            "citation": i.citation,
            "rationale": i.rationale,
            "replacement_practice": i.replacement_practice,
            "goal": i.goal,
            "measure": i.measure,
            "decision": i.decision,
            "conditions": i.conditions,
            "decision_reason": i.decision_reason,
        });
        let entry = out
            .entry(i.case_id.clone())
            .or_insert_with(|| json!({ "items": [] }));
        if let Some(items) = entry["items"].as_array_mut() {
            items.push(item);
        }
    }
    Ok(out)
}
