//! The record step: everything one accepted step writes, in one database
//! transaction: the effects across cases, the case header, the snapshot,
//! the program's read model, the audit entry, the queued emails and the
//! open clocks. Either all of it lands or none of it does.
use super::effects::{self, StepRef};
use super::state_hash;
use super::store_error;
use crate::audit::{self, AuditRecord};
use crate::email_templates::{Deadline, EmailTemplates};
use crate::outbox::{self, CaseParties, StepNotices};
use crate::programs;
use chrono::{DateTime, Utc};
use leeway_entities::write_turn::write_turn;
use leeway_entities::{
    case, case_command, case_deadline, case_document, case_snapshot, notification,
};
use leeway_machines::domain::actor::Actor;
use leeway_machines::engine::CaseHeader;
use leeway_machines::engine::document::{DocumentRef, Snapshot};
use leeway_machines::engine::effect::Effect;
use leeway_machines::engine::notice::Notice;
use leeway_machines::engine::refusal::Refusal;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DbBackend, DbErr,
    EntityTrait, PaginatorTrait, QueryFilter, Set, TransactionTrait,
};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpenClock {
    pub kind: String,
    pub due_at: DateTime<Utc>,
    pub description: String,
}

/// One accepted step, as the host hands it to the record step.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct StepRecord {
    pub program: String,
    pub profile_code: String,
    pub header: CaseHeader,
    /// The case's state after the step.
    pub state: String,
    /// The program's case after the step, for its projection.
    pub case: serde_json::Value,
    pub seq: i32,
    pub at: DateTime<Utc>,
    pub actor: Actor,
    pub command: String,
    pub from: String,
    pub to: String,
    pub reasons: Vec<String>,
    pub snapshot: Option<Snapshot>,
    pub notices: Vec<Notice>,
    /// Who "the assigned reviewer" is for this step's notices.
    pub reviewer: Option<String>,
    pub clocks: Vec<OpenClock>,
    pub effects: Vec<Effect>,
    /// The W3C `traceparent` of the command's request, if it was traced.
    #[serde(default)]
    pub trace_parent: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum RecordOutcome {
    /// `fresh` is false for a retry that found its step already recorded.
    /// `to_deliver` says the step queued something; `emails` and
    /// `commands` say what (absent from outcomes recorded before them).
    Recorded {
        fresh: bool,
        to_deliver: bool,
        #[serde(default)]
        emails: Option<bool>,
        #[serde(default)]
        commands: Option<bool>,
    },
    /// Nothing was written; the command is refused.
    Refused { refusal: Refusal },
}

/// Records one step. A refusal (a rule across cases that does not hold,
/// data the database cannot store) comes back as `Refused` with nothing
/// written; any other error is the moment's and is worth retrying.
pub async fn record(
    db: &DatabaseConnection,
    templates: &EmailTemplates,
    step: &StepRecord,
) -> Result<RecordOutcome, DbErr> {
    let waiting = std::time::Instant::now();
    let _turn = write_turn(db).await;
    let txn = db.begin().await?;
    crate::metrics::observe_wait("database", waiting.elapsed().as_secs_f64());
    if db.get_database_backend() == DbBackend::Sqlite {
        // Take SQLite's write lock first. A transaction that reads before
        // it writes is refused outright (SQLITE_BUSY, no waiting) when
        // another writer commits in between; one that starts by writing
        // waits its turn.
        txn.execute_unprepared("UPDATE cases SET last_seq = last_seq WHERE 0 = 1")
            .await?;
    }
    match write(&txn, templates, step).await {
        Ok(Ok(outcome)) => {
            txn.commit().await?;
            Ok(outcome)
        }
        Ok(Err(refusal)) => {
            txn.rollback().await?;
            Ok(RecordOutcome::Refused { refusal })
        }
        Err(e) if store_error::is_definitive(&e) => {
            txn.rollback().await.ok();
            tracing::warn!(case = %step.header.id, seq = step.seq, error = %e, "a step could not be recorded and was refused");
            Ok(RecordOutcome::Refused {
                refusal: Refusal::validation(
                    "Leeway could not save this step: the database refused its data. Nothing was changed; check the text for unusual characters and try again.",
                ),
            })
        }
        Err(e) => {
            txn.rollback().await.ok();
            Err(e)
        }
    }
}

async fn write<C: ConnectionTrait>(
    db: &C,
    templates: &EmailTemplates,
    step: &StepRecord,
) -> Result<Result<RecordOutcome, Refusal>, DbErr> {
    let case_id = step.header.id.as_str();
    let mut entry = AuditRecord {
        chain: case_id.to_string(),
        case_id: Some(case_id.to_string()),
        at: step.at,
        actor_user_id: step.actor.user_id.clone(),
        actor_role: step.actor.role.as_str().to_string(),
        from_state: step.from.clone(),
        to_state: step.to.clone(),
        command: step.command.clone(),
        reasons: step.reasons.clone(),
        snapshot_hash: step.snapshot.as_ref().map(|s| s.document.hash.clone()),
        state_hash: None,
    };
    if audit::recorded_at(db, step.seq, &entry).await? {
        let (emails, commands) = deliveries(db, case_id, step.seq).await?;
        return Ok(Ok(RecordOutcome::Recorded {
            fresh: false,
            to_deliver: emails + commands > 0,
            emails: Some(emails > 0),
            commands: Some(commands > 0),
        }));
    }
    let step_ref = StepRef {
        case_id,
        seq: step.seq,
        at: step.at,
    };
    let commands = match effects::apply(db, &step_ref, &step.effects).await? {
        Ok(n) => n,
        Err(refusal) => return Ok(Err(refusal)),
    };
    if let Some(doc) = &step.header.document
        && !document_exists(db, case_id, doc).await?
    {
        return Ok(Err(missing_document()));
    }
    write_header(db, step).await?;
    if let Some(snapshot) = &step.snapshot {
        if !document_exists(db, case_id, &snapshot.document).await? {
            return Ok(Err(missing_document()));
        }
        case_snapshot::ActiveModel {
            case_id: Set(case_id.to_string()),
            version: Set(snapshot.version as i32),
            document_hash: Set(snapshot.document.hash.clone()),
            submitted_by: Set(step.actor.user_id.clone()),
            submitted_at: Set(step.at),
        }
        .insert(db)
        .await?;
    }
    programs::project(db, step).await?;
    let notices = StepNotices {
        parties: CaseParties {
            case_id,
            organisation_id: step.header.organisation_id.as_deref(),
            assigned_reviewer: step.reviewer.as_deref(),
        },
        seq: step.seq,
        program: &step.program,
        title: &step.header.title,
        command: &step.command,
        from: &step.from,
        to: &step.to,
        reasons: &step.reasons,
        deadlines: step
            .clocks
            .iter()
            .map(|c| Deadline {
                description: c.description.clone(),
                due: outbox::due_text(&c.due_at),
            })
            .collect(),
        notices: &step.notices,
    };
    let emails = outbox::queue(db, templates, &notices).await?;
    case_deadline::Entity::delete_many()
        .filter(case_deadline::Column::CaseId.eq(case_id))
        .exec(db)
        .await?;
    for clock in &step.clocks {
        case_deadline::ActiveModel {
            case_id: Set(case_id.to_string()),
            kind: Set(clock.kind.clone()),
            due_at: Set(clock.due_at),
            description: Set(clock.description.clone()),
            ..Default::default()
        }
        .insert(db)
        .await?;
    }
    // Last: the entry vouches for the records as this step left them.
    entry.state_hash = Some(state_hash::of_case(db, case_id).await?);
    audit::append_at(db, step.seq, &entry).await?;
    Ok(Ok(RecordOutcome::Recorded {
        fresh: true,
        to_deliver: emails + commands > 0,
        emails: Some(emails > 0),
        commands: Some(commands > 0),
    }))
}

fn missing_document() -> Refusal {
    Refusal::validation(
        "Leeway could not save this step: the form it refers to was not stored. Save the form again.",
    )
}

async fn document_exists<C: ConnectionTrait>(
    db: &C,
    case_id: &str,
    doc: &DocumentRef,
) -> Result<bool, DbErr> {
    Ok(
        case_document::Entity::find_by_id((case_id.to_string(), doc.hash.clone()))
            .one(db)
            .await?
            .is_some(),
    )
}

/// The emails and commands a step queued.
async fn deliveries<C: ConnectionTrait>(
    db: &C,
    case_id: &str,
    seq: i32,
) -> Result<(u64, u64), DbErr> {
    let emails = notification::Entity::find()
        .filter(notification::Column::CaseId.eq(case_id))
        .filter(notification::Column::Seq.eq(seq))
        .count(db)
        .await?;
    let commands = case_command::Entity::find()
        .filter(case_command::Column::FromCase.eq(case_id))
        .filter(case_command::Column::FromSeq.eq(seq))
        .count(db)
        .await?;
    Ok((emails, commands))
}

async fn write_header<C: ConnectionTrait>(db: &C, step: &StepRecord) -> Result<(), DbErr> {
    let h = &step.header;
    let existing = case::Entity::find_by_id(h.id.as_str()).one(db).await?;
    let mut row = case::ActiveModel {
        id: Set(h.id.clone()),
        program: Set(step.program.clone()),
        organisation_id: Set(h.organisation_id.clone()),
        state_profile: Set(step.profile_code.clone()),
        title: Set(h.title.clone()),
        state: Set(step.state.clone()),
        version: Set(h.version as i32),
        document_hash: Set(h.document.as_ref().map(|d| d.hash.clone())),
        assigned_reviewer_id: Set(h.assigned_reviewer.clone()),
        last_seq: Set(step.seq),
        opened_by: Set(step.actor.user_id.clone()),
        created_at: Set(step.at),
        updated_at: Set(step.at),
    };
    match existing {
        Some(old) => {
            row.created_at = Set(old.created_at);
            row.opened_by = Set(old.opened_by);
            row.update(db).await?;
        }
        None => {
            row.insert(db).await?;
        }
    }
    Ok(())
}
