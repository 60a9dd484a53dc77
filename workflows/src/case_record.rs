//! What every workflow records for one accepted step, in the caller's
//! transaction: the audit entry, the queued emails and the open clocks.
//! Case-specific read models are written beside it by each workflow's own
//! projection.
use crate::audit::{self, AuditRecord};
use crate::domain::actor::Actor;
use crate::machine::Notice;
use crate::outbox::{self, CaseParties};
use chrono::{DateTime, Utc};
use leeway_entities::case_deadline;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, Set,
};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpenClock {
    pub kind: String,
    pub due_at: DateTime<Utc>,
    pub description: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseStep {
    pub case_id: String,
    pub district_id: String,
    pub assigned_reviewer: Option<String>,
    pub seq: i32,
    pub at: DateTime<Utc>,
    pub actor: Actor,
    pub command: String,
    pub from: String,
    pub to: String,
    pub reasons: Vec<String>,
    pub snapshot_hash: Option<String>,
    pub notices: Vec<Notice>,
    pub clocks: Vec<OpenClock>,
}

/// Returns `false` if this step was already recorded (a retried activity).
pub async fn record<C: ConnectionTrait>(db: &C, step: &CaseStep) -> Result<bool, DbErr> {
    let fresh = audit::append_at(
        db,
        step.seq,
        &AuditRecord {
            chain: step.case_id.clone(),
            case_id: Some(step.case_id.clone()),
            at: step.at,
            actor_user_id: step.actor.user_id.clone(),
            actor_role: step.actor.role.as_str().to_string(),
            from_state: step.from.clone(),
            to_state: step.to.clone(),
            command: step.command.clone(),
            reasons: step.reasons.clone(),
            snapshot_hash: step.snapshot_hash.clone(),
        },
    )
    .await?;
    if !fresh {
        return Ok(false);
    }
    let parties = CaseParties {
        case_id: &step.case_id,
        district_id: &step.district_id,
        assigned_reviewer: step.assigned_reviewer.as_deref(),
    };
    outbox::queue(db, &parties, step.seq, &step.notices).await?;
    case_deadline::Entity::delete_many()
        .filter(case_deadline::Column::CaseId.eq(step.case_id.as_str()))
        .exec(db)
        .await?;
    for clock in &step.clocks {
        case_deadline::ActiveModel {
            case_id: Set(step.case_id.clone()),
            kind: Set(clock.kind.clone()),
            due_at: Set(clock.due_at),
            description: Set(clock.description.clone()),
            ..Default::default()
        }
        .insert(db)
        .await?;
    }
    Ok(true)
}
