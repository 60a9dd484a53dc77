//! The waiver state machine made durable. One workflow per case
//! (`waiver-<id>`); every command is a Temporal update whose validator runs
//! the pure machine, so a refused command never enters history.
use crate::activities::{CaseActivities, DeliveryRequest, WaiverStepRecord};
use crate::case_record::{CaseStep, OpenClock};
use crate::domain::actor::Actor;
use crate::domain::state_profile::StateProfile;
use crate::machine::waiver::{self, Step, WaiverCase, WaiverCommand, WaiverState};
use crate::machine::{Audience, Notice, Refusal, RefusalCode};
use chrono::{DateTime, TimeZone, Utc};
use serde::{Deserialize, Serialize};
use std::collections::VecDeque;
use std::time::Duration;
use temporalio_common::RetryPolicy;
use temporalio_macros::{workflow, workflow_methods};
use temporalio_sdk::{
    ActivityOptions, ApplicationFailure, WorkflowContext, WorkflowContextView, WorkflowResult,
};

pub const WORKFLOW_ID_PREFIX: &str = "waiver-";

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct WaiverWorkflowInput {
    pub case: WaiverCase,
    pub profile: StateProfile,
    pub opened_by: Actor,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct CommandEnvelope {
    pub actor: Actor,
    pub command: WaiverCommand,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct CommandOutcome {
    pub seq: u32,
    pub case: WaiverCase,
}

#[workflow]
pub struct WaiverWorkflow {
    case: WaiverCase,
    profile: StateProfile,
    opened_by: Actor,
    /// Steps recorded so far (the audit chain's length).
    seq: u32,
    /// Held while a step is being recorded, so steps apply one at a time.
    busy: bool,
    /// Steps whose emails still need delivering.
    deliveries: VecDeque<u32>,
    /// The last workflow time seen: validators have no clock of their own.
    last_seen: DateTime<Utc>,
}

fn workflow_now(ctx: &WorkflowContext<WaiverWorkflow>) -> DateTime<Utc> {
    ctx.workflow_time()
        .map(DateTime::<Utc>::from)
        .unwrap_or_else(|| ctx.state(|s| s.last_seen))
}

/// Recording a step is retried until it lands (the activity is
/// idempotent), so a step is never half-applied: the database and the
/// workflow agree on every step number.
fn record_options() -> ActivityOptions {
    ActivityOptions::with_start_to_close_timeout(Duration::from_secs(30))
        .retry_policy(
            RetryPolicy::builder()
                .maximum_interval(Duration::from_secs(30))
                .build(),
        )
        .build()
}

/// Delivery gives up after a while; the rows keep their error for staff.
fn delivery_options() -> ActivityOptions {
    ActivityOptions::with_start_to_close_timeout(Duration::from_secs(300))
        .retry_policy(
            RetryPolicy::builder()
                .maximum_attempts(8)
                .maximum_interval(Duration::from_secs(120))
                .build(),
        )
        .build()
}

fn case_step(
    case_before: &WaiverCase,
    step: &Step,
    seq: u32,
    at: DateTime<Utc>,
    actor: &Actor,
    profile: &StateProfile,
) -> CaseStep {
    CaseStep {
        case_id: step.case.id.clone(),
        district_id: step.case.district_id.clone(),
        // A reviewer who is unassigned by this step still hears about it.
        assigned_reviewer: step
            .case
            .assigned_reviewer
            .clone()
            .or_else(|| case_before.assigned_reviewer.clone()),
        seq: seq as i32,
        at,
        actor: actor.clone(),
        command: step.command.clone(),
        from: step.from.as_str().to_string(),
        to: step.to.as_str().to_string(),
        reasons: step.reasons.clone(),
        snapshot_hash: step.snapshot.as_ref().map(|s| s.hash.clone()),
        notices: step.notices.clone(),
        clocks: waiver::open_deadlines(&step.case, profile)
            .into_iter()
            .map(|(d, _)| OpenClock {
                kind: d.kind,
                due_at: d.due_at,
                description: d.description,
            })
            .collect(),
    }
}

fn unavailable() -> Refusal {
    Refusal {
        code: RefusalCode::Unavailable,
        message: "The step could not be saved and nothing changed. Please try again shortly."
            .into(),
    }
}

/// Records a step and only then makes it the case's state, so a failed
/// write leaves the case where it was.
async fn commit_step(
    ctx: &mut WorkflowContext<WaiverWorkflow>,
    actor: &Actor,
    step: Step,
    at: DateTime<Utc>,
) -> Result<CommandOutcome, Refusal> {
    let (before, profile, seq) = ctx.state(|s| (s.case.clone(), s.profile.clone(), s.seq + 1));
    let record = WaiverStepRecord {
        profile_code: profile.code.clone(),
        case: step.case.clone(),
        snapshot: step.snapshot.clone(),
        step: case_step(&before, &step, seq, at, actor, &profile),
    };
    let recorded = ctx
        .execute_activity(CaseActivities::record_waiver_step, record, record_options())
        .await;
    if let Err(e) = recorded {
        // Only a non-retryable failure gets here. The number is used up
        // either way, so it can never stand for two different steps.
        tracing::error!(error = %e, "recording a waiver step failed for good");
        ctx.state_mut(|s| s.seq = seq);
        return Err(unavailable());
    }
    let has_mail = !step.notices.is_empty();
    ctx.state_mut(|s| {
        s.case = step.case.clone();
        s.seq = seq;
        // A step with nothing to tell anyone needs no delivery round trip.
        if has_mail {
            s.deliveries.push_back(seq);
        }
    });
    Ok(CommandOutcome {
        seq,
        case: step.case,
    })
}

async fn apply(
    ctx: &mut WorkflowContext<WaiverWorkflow>,
    actor: Actor,
    command: WaiverCommand,
) -> Result<CommandOutcome, Refusal> {
    if ctx
        .wait_condition(|s: &WaiverWorkflow| !s.busy)
        .await
        .is_err()
    {
        return Err(unavailable());
    }
    let now = workflow_now(ctx);
    let step = ctx.state_mut(|s| {
        s.last_seen = now;
        let result = waiver::step(&s.case, &actor, &command, now, &s.profile);
        if result.is_ok() {
            s.busy = true;
        }
        result
    })?;
    let outcome = commit_step(ctx, &actor, step, now).await;
    ctx.state_mut(|s| s.busy = false);
    outcome
}

/// Fires the statutory clocks until the case ends.
async fn run_clocks(mut ctx: WorkflowContext<WaiverWorkflow>) -> WorkflowResult<()> {
    loop {
        let (state, seen) = ctx.state(|s| (s.case.state, s.seq));
        if state.is_terminal() {
            return Ok(());
        }
        let next = ctx.state(|s| {
            waiver::open_deadlines(&s.case, &s.profile)
                .into_iter()
                .next()
        });
        let changed = |s: &WaiverWorkflow| s.seq != seen;
        match next {
            None => ctx.wait_condition(changed).await?,
            Some((deadline, command)) => {
                let wait = (deadline.due_at - workflow_now(&ctx))
                    .to_std()
                    .unwrap_or(Duration::ZERO);
                if !wait.is_zero() {
                    temporalio_sdk::workflows::select! {
                        _ = ctx.timer(wait) => {}
                        _ = ctx.wait_condition(changed) => { continue; }
                    }
                }
                // A refusal means another step got there first; the loop
                // then looks at the clocks afresh.
                let _ = apply(&mut ctx, Actor::system(), command).await;
            }
        }
    }
}

/// Delivers each recorded step's emails, in order, until the case has
/// ended and nothing is left to send.
async fn deliver_emails(ctx: WorkflowContext<WaiverWorkflow>) -> WorkflowResult<()> {
    loop {
        ctx.wait_condition(|s: &WaiverWorkflow| {
            !s.deliveries.is_empty() || (s.case.state.is_terminal() && !s.busy)
        })
        .await?;
        let Some(seq) = ctx.state_mut(|s| s.deliveries.pop_front()) else {
            return Ok(());
        };
        let case_id = ctx.state(|s| s.case.id.clone());
        // A relay that stays down leaves the rows marked failed with their
        // error; the case itself moves on.
        let _ = ctx
            .execute_activity(
                CaseActivities::deliver_notifications,
                DeliveryRequest {
                    case_id,
                    seq: seq as i32,
                },
                delivery_options(),
            )
            .await;
    }
}

#[workflow_methods]
impl WaiverWorkflow {
    #[init]
    pub fn new(_ctx: &WorkflowContextView, input: WaiverWorkflowInput) -> Self {
        Self {
            case: input.case,
            profile: input.profile,
            opened_by: input.opened_by,
            seq: 0,
            // The opening step is recorded before any command may run.
            busy: true,
            deliveries: VecDeque::new(),
            last_seen: Utc.timestamp_opt(0, 0).single().unwrap_or_default(),
        }
    }

    #[run]
    pub async fn run(ctx: &mut WorkflowContext<Self>) -> WorkflowResult<String> {
        let now = workflow_now(ctx);
        let (case, actor) = ctx.state(|s| (s.case.clone(), s.opened_by.clone()));
        let title = if case.content.title.is_empty() {
            case.id.clone()
        } else {
            case.content.title.clone()
        };
        let opening = Step {
            case: case.clone(),
            command: "open".into(),
            from: WaiverState::Draft,
            to: WaiverState::Draft,
            reasons: Vec::new(),
            snapshot: None,
            notices: vec![Notice {
                audience: vec![Audience::District],
                subject: format!("Draft opened: {title}"),
                body: format!(
                    "A waiver request draft \"{title}\" was opened. It can be edited until the authorized representative submits it."
                ),
            }],
        };
        if commit_step(ctx, &actor, opening, now).await.is_err() {
            return Err(ApplicationFailure::new("the opening step could not be recorded").into());
        }
        ctx.state_mut(|s| s.busy = false);
        // Clocks and email run side by side: a slow mail relay must not
        // hold up an escalation or an expiry.
        let (clocks, deliveries) =
            futures::future::join(run_clocks(ctx.clone()), deliver_emails(ctx.clone())).await;
        clocks?;
        deliveries?;
        Ok(ctx.state(|s| s.case.state.as_str().to_string()))
    }

    #[update_validator(command)]
    fn validate_command(
        &self,
        _ctx: &WorkflowContextView,
        input: &CommandEnvelope,
    ) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
        waiver::step(
            &self.case,
            &input.actor,
            &input.command,
            self.last_seen,
            &self.profile,
        )
        .map(|_| ())
        .map_err(|r| r.to_wire().into())
    }

    /// Runs one command; returns the case as it now stands.
    #[update]
    pub async fn command(
        ctx: &mut WorkflowContext<Self>,
        input: CommandEnvelope,
    ) -> Result<CommandOutcome, Box<dyn std::error::Error + Send + Sync>> {
        apply(ctx, input.actor, input.command).await.map_err(|r| {
            // The validator accepted this command, so a refusal now means a
            // step that ran in between changed the case.
            let r = match r.code {
                RefusalCode::Unavailable => r,
                _ => Refusal {
                    code: RefusalCode::Conflict,
                    message: format!(
                        "Someone changed this request at the same moment, so this was not applied: {} Reload the request and try again.",
                        r.message
                    ),
                },
            };
            r.to_wire().into()
        })
    }

    /// Waits until the case is settled (no step being recorded) and
    /// returns it: how a client reads its own write after opening a case.
    #[update]
    pub async fn settled(ctx: &mut WorkflowContext<Self>) -> CommandOutcome {
        // Cancelled only when the workflow is: answer with what is there.
        let _ = ctx.wait_condition(|s: &WaiverWorkflow| !s.busy).await;
        ctx.state(|s| CommandOutcome {
            seq: s.seq,
            case: s.case.clone(),
        })
    }

    #[query]
    pub fn case(&self, _ctx: &WorkflowContextView) -> CommandOutcome {
        CommandOutcome {
            seq: self.seq,
            case: self.case.clone(),
        }
    }
}
