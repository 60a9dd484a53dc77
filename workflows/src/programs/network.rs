//! Learning networks on the engine: the network's own workflow (its cap)
//! and each district's membership workflow, with the membership read model.
use crate::case_workflow;
use crate::engine::record::StepRecord;
use crate::engine::state_hash::time;
use leeway_entities::network_membership;
use leeway_machines::network::membership::{MembershipCase, MembershipMachine};
use leeway_machines::network::program::NetworkMachine;
use sea_orm::sea_query::OnConflict;
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, Set};
use serde_json::{Value, json};
use std::collections::HashMap;

case_workflow!(
    /// A statewide learning network: holds its cap.
    NetworkWorkflow,
    NetworkMachine,
    "Network"
);

case_workflow!(
    /// One district's application to a network and its membership.
    MembershipWorkflow,
    MembershipMachine,
    "NetworkMembership"
);

pub async fn project_membership<C: ConnectionTrait>(
    db: &C,
    case: &MembershipCase,
    _step: &StepRecord,
) -> Result<(), DbErr> {
    use network_membership::Column as Col;
    let outline = &case.application.outline;
    let row = network_membership::ActiveModel {
        case_id: Set(case.id.clone()),
        network: Set(case.network.clone()),
        organisation_id: Set(case.organisation_id.clone()),
        submitted_at: Set(case.submitted_at),
        review_score: Set(case.review.as_ref().map(|r| r.score as i32)),
        cohort: Set(case.cohort.clone()),
        offer_expires_at: Set(case.offer_expires),
        planning_ends_at: Set(case.planning_ends),
        member_since: Set(case.member_since),
        recommit_due: Set(case.recommit_due),
        students_reached: Set(i32::try_from(outline.students_reached).unwrap_or(i32::MAX)),
        school_ids: Set(
            serde_json::to_string(&outline.school_ids).map_err(|e| DbErr::Json(e.to_string()))?
        ),
    };
    network_membership::Entity::insert(row)
        .on_conflict(
            OnConflict::column(Col::CaseId)
                .update_columns([
                    Col::SubmittedAt,
                    Col::ReviewScore,
                    Col::Cohort,
                    Col::OfferExpiresAt,
                    Col::PlanningEndsAt,
                    Col::MemberSince,
                    Col::RecommitDue,
                    Col::StudentsReached,
                    Col::SchoolIds,
                ])
                .to_owned(),
        )
        .exec(db)
        .await?;
    Ok(())
}

/// The membership rows of some cases, for their state hash.
pub async fn membership_read_models<C: ConnectionTrait>(
    db: &C,
    ids: &[String],
) -> Result<HashMap<String, Value>, DbErr> {
    Ok(network_membership::Entity::find()
        .filter(network_membership::Column::CaseId.is_in(ids.iter().cloned()))
        .all(db)
        .await?
        .into_iter()
        .map(|m| {
            let row = json!({
                "network": m.network,
                "organisation_id": m.organisation_id,
                "submitted_at": time(&m.submitted_at),
                "review_score": m.review_score,
                "cohort": m.cohort,
                "offer_expires_at": time(&m.offer_expires_at),
                "planning_ends_at": time(&m.planning_ends_at),
                "member_since": time(&m.member_since),
                "recommit_due": time(&m.recommit_due),
                "students_reached": m.students_reached,
                "school_ids": m.school_ids,
            });
            (m.case_id, row)
        })
        .collect())
}
