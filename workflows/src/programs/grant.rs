//! Grants on the engine: the program's own workflow (its appropriation)
//! and each district's grant workflow, with their read models.
use crate::case_workflow;
use crate::engine::state_hash::time;
use leeway_entities::{grant_case, grant_program};
use leeway_machines::grant::award::{paid, pending};
use leeway_machines::grant::machine::{GrantCase, GrantMachine};
use leeway_machines::grant::program::{GrantProgramCase, GrantProgramMachine};
use sea_orm::sea_query::OnConflict;
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, Set};
use serde_json::{Value, json};
use std::collections::HashMap;

case_workflow!(
    /// A grant program: holds its appropriation's ledger.
    GrantProgramWorkflow,
    GrantProgramMachine,
    "GrantProgram"
);

case_workflow!(
    /// One district's grant application, and its award until closeout.
    GrantWorkflow,
    GrantMachine,
    "Grant"
);

fn json_text<T: serde::Serialize>(value: &T) -> Result<String, DbErr> {
    serde_json::to_string(value).map_err(|e| DbErr::Json(e.to_string()))
}

/// The program's row: written when the program is drafted, from the terms
/// its case runs under.
pub async fn project_program<C: ConnectionTrait>(
    db: &C,
    case: &GrantProgramCase,
) -> Result<(), DbErr> {
    let terms = &case.terms;
    let p = &terms.program;
    grant_program::Entity::insert(grant_program::ActiveModel {
        code: Set(p.code.clone()),
        case_id: Set(p.case_id()),
        name: Set(p.name.clone()),
        phase: Set(p.phase.label().to_string()),
        follows: Set(p.follows.clone()),
        ledger_id: Set(p.ledger()),
        window_opens: Set(p.window_opens),
        window_closes: Set(p.window_closes),
        terms: Set(json_text(terms)?),
    })
    .on_conflict_do_nothing()
    .exec(db)
    .await?;
    Ok(())
}

pub async fn project_grant<C: ConnectionTrait>(db: &C, case: &GrantCase) -> Result<(), DbErr> {
    use grant_case::Column as Col;
    let agg = case.aggregate.as_ref();
    let panel: Vec<Value> = case
        .panel
        .iter()
        .map(|s| json!({ "reviewer_id": s.reviewer_id, "status": s.status, "scored": s.scores.is_some() }))
        .collect();
    let row = grant_case::ActiveModel {
        case_id: Set(case.id.clone()),
        program: Set(case.program.clone()),
        organisation_id: Set(case.organisation_id.clone()),
        requested: Set(case.proposal.outline.requested.get()),
        awarded: Set(case.award.as_ref().map(|a| a.amount.get())),
        paid: Set(paid(&case.claims).get()),
        pending: Set(pending(&case.claims).get()),
        mean_centipoints: Set(agg.map(|a| a.mean_centipoints)),
        total_centipoints: Set(agg.map(|a| a.total_centipoints)),
        equity_points: Set(agg.map(|a| a.equity_points as i32)),
        disagreement: Set(agg.is_some_and(|a| a.disagreement && a.reconciled.is_none())),
        students_served: Set(
            i32::try_from(case.proposal.outline.students_served).unwrap_or(i32::MAX)
        ),
        submitted_at: Set(case.submitted_at),
        accepted_at: Set(case.award.as_ref().and_then(|a| a.accepted_at)),
        panel: Set(json_text(&panel)?),
        detail: Set(json_text(case)?),
    };
    grant_case::Entity::insert(row)
        .on_conflict(
            OnConflict::column(Col::CaseId)
                .update_columns([
                    Col::Requested,
                    Col::Awarded,
                    Col::Paid,
                    Col::Pending,
                    Col::MeanCentipoints,
                    Col::TotalCentipoints,
                    Col::EquityPoints,
                    Col::Disagreement,
                    Col::StudentsServed,
                    Col::SubmittedAt,
                    Col::AcceptedAt,
                    Col::Panel,
                    Col::Detail,
                ])
                .to_owned(),
        )
        .exec(db)
        .await?;
    Ok(())
}

/// The grant rows of some cases, for their state hash.
pub async fn grant_read_models<C: ConnectionTrait>(
    db: &C,
    ids: &[String],
) -> Result<HashMap<String, Value>, DbErr> {
    Ok(grant_case::Entity::find()
        .filter(grant_case::Column::CaseId.is_in(ids.iter().cloned()))
        .all(db)
        .await?
        .into_iter()
        .map(|g| {
            let row = json!({
                "program": g.program,
                "organisation_id": g.organisation_id,
                "requested": g.requested,
                "awarded": g.awarded,
                "paid": g.paid,
                "pending": g.pending,
                "mean_centipoints": g.mean_centipoints,
                "total_centipoints": g.total_centipoints,
                "equity_points": g.equity_points,
                "disagreement": g.disagreement,
                "students_served": g.students_served,
                "submitted_at": time(&g.submitted_at),
                "accepted_at": time(&g.accepted_at),
                "panel": g.panel,
                "detail": g.detail,
            });
            (g.case_id, row)
        })
        .collect())
}
