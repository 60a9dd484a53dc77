//! The one path from a mutation to a case, for every program: check the
//! role against the machine's table (before looking anything up), check
//! the organisation, store any long form, send the update, and return the
//! client its own write.
use crate::auth::Principal;
use crate::context::AppContext;
use crate::error::{ApiError, ApiResult};
use chrono::Utc;
use leeway_entities::write_turn::in_turn;
use leeway_entities::{case, case_document};
use leeway_machines::domain::actor::Role;
use leeway_machines::engine::CaseMachine;
use leeway_machines::engine::document::{DocumentRef, store};
use leeway_machines::engine::refusal::{Refusal, RefusalCode};
use leeway_machines::engine::transition::{CommandInfo, StateInfo, rule_for};
use leeway_workflows::engine::case_workflow::CaseWorkflow;
use leeway_workflows::engine::host::{CaseInput, CommandEnvelope};
use leeway_workflows::outbox;
use rand::RngCore;
use sea_orm::{EntityTrait, Set};
use serde::Serialize;
use temporalio_client::errors::{
    WorkflowStartError, WorkflowUpdateError, WorkflowUpdateWithStartError,
};
use tracing::Instrument;

/// How long a client waits for a step to be recorded before it is told
/// to retry with the same idempotency key (the step itself carries on).
/// On a deadline day steps queue behind each other in Temporal, and an
/// answer that comes late beats one that says "try again": so as long as
/// a proxy in front is likely to wait (nginx gives up after 60 s).
const COMMAND_WAIT: std::time::Duration = std::time::Duration::from_secs(55);

/// Of that wait, what is kept for the engine once a step is let in (see
/// `engine_admission`): in line for at most the rest.
const ENGINE_WAIT: std::time::Duration = std::time::Duration::from_secs(15);

pub fn new_case_id(prefix: &str) -> String {
    let mut b = [0u8; 5];
    rand::rng().fill_bytes(&mut b);
    format!("{prefix}{}", hex::encode(b))
}

fn still_saving(case_id: &str) -> ApiError {
    ApiError::Unavailable(format!(
        "Leeway is still saving this step of {case_id}; its outcome is not known yet. Send the same request again with the same idempotency key, or look at the case in a minute before repeating it."
    ))
}

impl AppContext {
    /// Makes one call to the workflow engine in its turn (see
    /// `engine_admission`): in line for at most `COMMAND_WAIT -
    /// ENGINE_WAIT`, then the rest of `COMMAND_WAIT` (never less than
    /// `ENGINE_WAIT`) for the call. `None` when the call did not answer in
    /// time; its step may still be saved.
    async fn in_engine<T>(
        &self,
        call: impl std::future::Future<Output = T>,
    ) -> ApiResult<Option<T>> {
        let since = tokio::time::Instant::now();
        let _turn = self
            .engine
            .enter(since + (COMMAND_WAIT - ENGINE_WAIT))
            .await?;
        let wait = COMMAND_WAIT
            .saturating_sub(since.elapsed())
            .max(ENGINE_WAIT);
        Ok(tokio::time::timeout(wait, call).await.ok())
    }

    /// Refuses (and audits) a command the caller's role may never send,
    /// before anything about the case is looked up or revealed.
    pub async fn authorize<M: CaseMachine>(
        &self,
        who: &Principal,
        name: &str,
        case_id: Option<&str>,
    ) -> ApiResult<()> {
        let Some(rule) = rule_for(M::transitions(), name) else {
            return Err(ApiError::InvalidTransition(format!(
                "unknown command {name}"
            )));
        };
        if rule.roles.contains(&who.role()) {
            return Ok(());
        }
        let who_may: Vec<String> = rule.roles.iter().map(|r| r.with_article()).collect();
        let mut role = who.role().with_article();
        role[..1].make_ascii_uppercase();
        let reason = format!(
            "{role} cannot {}; only {} can.",
            rule.description,
            who_may.join(" or ")
        );
        Err(self.refuse(who, case_id, name, &reason).await)
    }

    /// The header of a case the caller is about to send `command` to: the
    /// role first, then the organisation.
    pub async fn case_to_change<M: CaseMachine>(
        &self,
        who: &Principal,
        command: &str,
        case_id: &str,
    ) -> ApiResult<case::Model> {
        self.authorize::<M>(who, command, Some(case_id)).await?;
        self.case_for(who, M::PROGRAM, M::NOUN, case_id, command)
            .await
    }

    /// Stores a long form by its hash, for a command to refer to.
    pub async fn store_document<T: Serialize>(
        &self,
        case_id: &str,
        document: &T,
    ) -> ApiResult<DocumentRef> {
        let stored = store(document).map_err(ApiError::Validation)?;
        let keep = case_document::Entity::insert(case_document::ActiveModel {
            case_id: Set(case_id.to_string()),
            hash: Set(stored.reference.hash.clone()),
            body: Set(stored.body),
            bytes: Set(stored.reference.bytes as i32),
            created_at: Set(Utc::now()),
        })
        .on_conflict_do_nothing()
        .exec(&self.db);
        in_turn(&self.db, keep).await?;
        Ok(stored.reference)
    }

    /// Opens a case: starts its workflow (or finds it started, for a
    /// retried key) and waits for the opening step.
    pub async fn open_case<W: CaseWorkflow>(
        &self,
        input: CaseInput<W::Machine>,
        update_id: Option<String>,
    ) -> ApiResult<case::Model> {
        let id = W::Machine::header(&input.case).id;
        let opened = W::open(&self.temporal, &self.task_queue, input, update_id);
        match self.in_engine(opened).await? {
            Some(Ok(_)) => {}
            // Opened before and closed since: the case is what it is.
            Some(Err(WorkflowUpdateWithStartError::Start(
                WorkflowStartError::AlreadyStarted { .. },
            ))) => {}
            Some(Err(e)) => return Err(ApiError::internal("open the case", e)),
            None => return Err(still_saving(&id)),
        }
        case::Entity::find_by_id(id.as_str())
            .one(&self.db)
            .await?
            .ok_or_else(|| still_saving(&id))
    }

    /// Sends one command to a case's workflow and waits until it is
    /// recorded, so the caller reads its own write.
    pub async fn command<W: CaseWorkflow>(
        &self,
        who: &Principal,
        case_id: &str,
        command: <W::Machine as CaseMachine>::Command,
        update_id: Option<String>,
    ) -> ApiResult<case::Model> {
        let noun = <W::Machine as CaseMachine>::NOUN;
        self.authorize::<W::Machine>(who, command.name(), Some(case_id))
            .await?;
        let case = self
            .case_for(who, W::Machine::PROGRAM, noun, case_id, command.name())
            .await?;
        let state = <W::Machine as CaseMachine>::State::parse(&case.state);
        if let Some(state) = state.filter(|s| s.is_terminal()) {
            return Err(ApiError::InvalidTransition(format!(
                "This {noun} is {} and accepts no further commands.",
                state.label()
            )));
        }
        let name = command.name();
        // The update's span: the record step and its emails continue it.
        let span = tracing::info_span!(
            "engine update",
            program = W::Machine::PROGRAM,
            command = name,
            case = case_id
        );
        let envelope = CommandEnvelope {
            actor: who.actor.clone(),
            command,
            requested_at: Some(Utc::now()),
            // Under an idempotency key, the case itself remembers it too,
            // across continue-as-new.
            origin: update_id.clone(),
            trace_parent: span.in_scope(leeway_workflows::telemetry::current_traceparent),
        };
        let sent = W::send(&self.temporal, case_id, envelope, update_id);
        let Some(outcome) = self.in_engine(sent).instrument(span).await? else {
            return Err(still_saving(case_id));
        };
        match outcome {
            Ok(_) => {}
            Err(WorkflowUpdateError::Failed(failure)) => {
                let refusal = Refusal::from_wire(&failure.message)
                    .ok_or_else(|| ApiError::internal("apply the command", &failure.message))?;
                if refusal.code == RefusalCode::Forbidden {
                    return Err(self
                        .refuse(who, Some(case_id), name, &refusal.message)
                        .await);
                }
                return Err(refusal.into());
            }
            Err(WorkflowUpdateError::NotFound(_)) => {
                return Err(ApiError::InvalidTransition(format!(
                    "This {noun} is closed and accepts no further commands."
                )));
            }
            Err(e) => return Err(ApiError::internal("reach the workflow engine", e)),
        }
        case::Entity::find_by_id(case_id)
            .one(&self.db)
            .await?
            .ok_or_else(|| still_saving(case_id))
    }

    /// Sends again every email of a case that has not gone out (a relay
    /// that was down, say). For administrators; each email still goes out
    /// at most once.
    pub async fn redeliver(&self, who: &Principal, case_id: &str) -> ApiResult<case::Model> {
        self.require_role(
            who,
            &[Role::Admin],
            "redeliver_notifications",
            "Only administrators can send a case's emails again.",
        )
        .await?;
        let case = case::Entity::find_by_id(case_id)
            .one(&self.db)
            .await?
            .ok_or_else(|| ApiError::NotFound(format!("There is no case `{case_id}`.")))?;
        // Once staff have fixed the relay, what was given up on goes too.
        outbox::requeue_undeliverable(&self.db, case_id).await?;
        let delivery = outbox::Delivery {
            mailer: &self.mailer,
            rules: &self.profile.notifications,
            templates: &self.templates,
        };
        if let Err(e) = outbox::deliver_case(&self.db, &delivery, case_id).await {
            // The rows now say what failed; the case shows them.
            tracing::warn!(error = %e, "redelivery left some emails unsent");
        }
        Ok(case)
    }
}
