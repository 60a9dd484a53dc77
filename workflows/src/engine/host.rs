//! The workflow host: what every program's workflow does, written once.
//! One workflow per case; every command is an update whose validator runs
//! the pure machine, so a refused command never enters history. The
//! handler records the step (a local activity, one database transaction,
//! which also queues the step's email for the dispatcher) and only then
//! makes it the case's state. Clocks are timers; commands to other cases
//! are delivered beside them; a long-lived case continues as new at its
//! machine's checkpoints or when its history grows.
//!
//! What Temporal stores here (`CaseInput`, `CommandEnvelope`,
//! `StepReceipt`, the record outcome) must keep deserializing as fields
//! are added: new fields get `#[serde(default)]`, and the histories
//! checked in under `tests/histories` are replayed in CI. A change to what
//! a running workflow does is gated with `ctx.patched`.
use super::activities::{CaseActivities, DeliveryRequest};
use super::record::{OpenClock, RecordOutcome, StepRecord};
use chrono::{DateTime, TimeZone, Utc};
use leeway_machines::domain::actor::Actor;
use leeway_machines::engine::refusal::Refusal;
use leeway_machines::engine::transition::StateInfo;
use leeway_machines::engine::{CaseMachine, Decision, step};
use serde::{Deserialize, Serialize};
use std::collections::VecDeque;
use std::time::Duration;
use temporalio_common::RetryPolicy;
use temporalio_sdk::{ActivityOptions, LocalActivityOptions, WorkflowContext, WorkflowResult};

/// A history longer than this continues as new even between checkpoints
/// (Temporal's own limit is far above it).
const HISTORY_EVENTS_LIMIT: u32 = 5_000;
/// How long a clock whose step was refused waits before trying again,
/// unless the case changes first.
const CLOCK_RETRY: Duration = Duration::from_secs(60);
/// Commands from other cases remembered, so a redelivery after
/// continue-as-new is still recognised.
const APPLIED_REMEMBERED: usize = 200;

/// What starts a case's workflow, and what each continued run starts with.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(bound = "")]
pub struct CaseInput<M: CaseMachine> {
    pub case: M::Case,
    /// The program's section of the state profile, fixed for the case.
    pub rules: M::Rules,
    pub profile_code: String,
    /// Steps recorded so far: 0 for a new case.
    #[serde(default)]
    pub seq: u32,
    /// Who opens the case; `None` when a run continues an earlier one.
    #[serde(default)]
    pub opened_by: Option<Actor>,
    /// Steps whose commands to other cases are still to be delivered.
    #[serde(default)]
    pub deliveries: Vec<u32>,
    /// Commands from other cases already applied: update id and step.
    #[serde(default)]
    pub applied: Vec<(String, u32)>,
    #[serde(default)]
    pub last_seen: Option<DateTime<Utc>>,
}

impl<M: CaseMachine> CaseInput<M> {
    pub fn open(case: M::Case, rules: M::Rules, profile_code: String, by: Actor) -> Self {
        Self {
            case,
            rules,
            profile_code,
            seq: 0,
            opened_by: Some(by),
            deliveries: Vec::new(),
            applied: Vec::new(),
            last_seen: None,
        }
    }
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(bound(
    serialize = "C: Serialize",
    deserialize = "C: serde::de::DeserializeOwned"
))]
pub struct CommandEnvelope<C> {
    pub actor: Actor,
    pub command: C,
    /// When the API sent it: the validator's clock (validators have none).
    #[serde(default)]
    pub requested_at: Option<DateTime<Utc>>,
    /// The update id the command was sent with, when it must apply at most
    /// once across runs: a command another case's step sent, or a client's
    /// command under an idempotency key. Temporal drops a repeated update id
    /// only within one run; the host remembers these across continue-as-new.
    #[serde(default)]
    pub origin: Option<String>,
    /// The W3C `traceparent` of the request that sent it, handed on to
    /// the record step as data (see `telemetry`); `None` when tracing is off.
    #[serde(default)]
    pub trace_parent: Option<String>,
}

/// What an update answers: the step number, not the case. The client
/// reads the case from the read model, which the step has already written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepReceipt {
    pub seq: u32,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(bound = "")]
pub struct CaseSnapshot<M: CaseMachine> {
    pub seq: u32,
    pub case: M::Case,
}

pub struct Host<M: CaseMachine> {
    case: M::Case,
    rules: M::Rules,
    profile_code: String,
    seq: u32,
    /// Held while a step is being recorded, so steps apply one at a time.
    busy: bool,
    /// Update handlers running; continue-as-new waits for none.
    in_flight: u32,
    deliveries: VecDeque<u32>,
    applied: VecDeque<(String, u32)>,
    /// The last workflow time seen.
    last_seen: DateTime<Utc>,
    opened_by: Option<Actor>,
    /// Start a fresh history at the next quiet moment.
    checkpoint: bool,
    /// Commands handled so far, refused ones too: each grows the history,
    /// so the clock loop looks again at its length.
    handled: u64,
}

/// Implemented by each program's workflow type (see `case_workflow!`).
pub trait Hosted: Sized + 'static {
    type Machine: CaseMachine;
    fn host(&self) -> &Host<Self::Machine>;
    fn host_mut(&mut self) -> &mut Host<Self::Machine>;
}

/// How a run ends.
pub enum RunEnd<M: CaseMachine> {
    /// The case reached a terminal state; the name of that state.
    Closed(String),
    ContinueAsNew(Box<CaseInput<M>>),
}

fn epoch() -> DateTime<Utc> {
    Utc.timestamp_opt(0, 0).single().unwrap_or_default()
}

impl<M: CaseMachine> Host<M> {
    pub fn new(input: CaseInput<M>) -> Self {
        Self {
            case: input.case,
            rules: input.rules,
            profile_code: input.profile_code,
            seq: input.seq,
            // A new case's opening step is recorded before any command runs.
            busy: input.opened_by.is_some(),
            in_flight: 0,
            deliveries: input.deliveries.into(),
            applied: input.applied.into(),
            last_seen: input.last_seen.unwrap_or_else(epoch),
            opened_by: input.opened_by,
            checkpoint: false,
            handled: 0,
        }
    }

    fn applied_step(&self, origin: &str) -> Option<u32> {
        self.applied
            .iter()
            .find(|(o, _)| o == origin)
            .map(|(_, seq)| *seq)
    }

    /// The update validator: the pure machine, at the time the API sent
    /// the command.
    pub fn validate(&self, envelope: &CommandEnvelope<M::Command>) -> Result<(), Refusal> {
        if let Some(origin) = &envelope.origin {
            if self.applied_step(origin).is_some() {
                return Ok(());
            }
            // A command from another case's step (a seat offered) may
            // arrive while this case's own step that makes it acceptable
            // is still being recorded: the handler waits for that step and
            // decides then.
            if envelope.actor.role == leeway_machines::domain::actor::Role::System {
                return Ok(());
            }
        }
        let now = envelope
            .requested_at
            .map_or(self.last_seen, |t| t.max(self.last_seen));
        step::<M>(
            &self.case,
            &envelope.actor,
            &envelope.command,
            now,
            &self.rules,
        )
        .map(|_| ())
    }

    pub fn snapshot(&self) -> CaseSnapshot<M> {
        CaseSnapshot {
            seq: self.seq,
            case: self.case.clone(),
        }
    }

    fn is_closed(&self) -> bool {
        M::state(&self.case).is_terminal()
    }

    fn resume_input(&self) -> CaseInput<M> {
        CaseInput {
            case: self.case.clone(),
            rules: self.rules.clone(),
            profile_code: self.profile_code.clone(),
            seq: self.seq,
            opened_by: None,
            deliveries: self.deliveries.iter().copied().collect(),
            applied: self.applied.iter().cloned().collect(),
            last_seen: Some(self.last_seen),
        }
    }
}

fn now<W: Hosted>(ctx: &WorkflowContext<W>) -> DateTime<Utc> {
    ctx.workflow_time()
        .map(DateTime::<Utc>::from)
        .unwrap_or_else(|| ctx.state(|s| s.host().last_seen))
}

fn unavailable() -> Refusal {
    Refusal::unavailable(
        "The step could not be saved and nothing changed. Please try again shortly.",
    )
}

/// Recording runs in the worker beside the workflow (a local activity):
/// no round trip through the server, and its input stays out of history.
/// It is retried until it lands; a step that can never be recorded comes
/// back as a refusal instead, so nothing retries it for ever.
fn record_options() -> LocalActivityOptions {
    LocalActivityOptions::builder()
        .start_to_close_timeout(Duration::from_secs(30))
        .retry_policy(
            RetryPolicy::builder()
                .initial_interval(Duration::from_millis(50))
                .maximum_interval(Duration::from_secs(10))
                .build(),
        )
        .build()
}

/// Commands to other cases are retried until Temporal takes them.
fn command_delivery_options() -> ActivityOptions {
    ActivityOptions::with_start_to_close_timeout(Duration::from_secs(60))
        .retry_policy(
            RetryPolicy::builder()
                .maximum_interval(Duration::from_secs(60))
                .build(),
        )
        .build()
}

/// Why a command did not become a step: the machine refused it, or the
/// record step did (a rule across cases, data the database cannot hold).
enum NotApplied {
    Machine(Refusal),
    Record(Refusal),
}

struct Accepted<M: CaseMachine> {
    command: String,
    from: M::State,
    decision: Decision<M::Case>,
    checkpoint: bool,
}

/// Records a step and only then makes it the case's state, so a step that
/// is refused or fails leaves the case where it was.
async fn commit<W: Hosted>(
    ctx: &mut WorkflowContext<W>,
    actor: &Actor,
    accepted: Accepted<W::Machine>,
    at: DateTime<Utc>,
    origin: Option<String>,
    trace_parent: Option<String>,
) -> Result<StepReceipt, NotApplied> {
    type M<W> = <W as Hosted>::Machine;
    let record = ctx.state(|s| {
        let host = s.host();
        let before = M::<W>::header(&host.case);
        let header = M::<W>::header(&accepted.decision.case);
        let clocks = M::<W>::clocks(&accepted.decision.case, &host.rules)
            .into_iter()
            .map(|c| OpenClock {
                kind: c.kind.to_string(),
                due_at: c.due_at,
                description: c.description,
            })
            .collect();
        StepRecord {
            program: M::<W>::PROGRAM.to_string(),
            profile_code: host.profile_code.clone(),
            // A reviewer this step unassigns still hears about it.
            reviewer: header
                .assigned_reviewer
                .clone()
                .or(before.assigned_reviewer),
            header,
            state: M::<W>::state(&accepted.decision.case).name().to_string(),
            case: serde_json::to_value(&accepted.decision.case).unwrap_or_default(),
            seq: (host.seq + 1) as i32,
            at,
            actor: actor.clone(),
            command: accepted.command.clone(),
            from: accepted.from.name().to_string(),
            to: M::<W>::state(&accepted.decision.case).name().to_string(),
            reasons: accepted.decision.reasons.clone(),
            snapshot: accepted.decision.snapshot.clone(),
            notices: accepted.decision.notices.clone(),
            clocks,
            effects: accepted.decision.effects.clone(),
            trace_parent,
        }
    });
    let seq = record.seq as u32;
    let outcome = ctx
        .execute_local_activity(CaseActivities::record_step, record, record_options())
        .await;
    match outcome {
        Ok(RecordOutcome::Recorded {
            to_deliver,
            commands,
            ..
        }) => {
            ctx.state_mut(|s| {
                let host = s.host_mut();
                host.case = accepted.decision.case;
                host.seq = seq;
                host.checkpoint |= accepted.checkpoint;
                // Only what the step queued is delivered: each delivery
                // costs the engine a round trip or two. Its email goes out
                // through the dispatcher, outside the workflow.
                if commands.unwrap_or(to_deliver) {
                    host.deliveries.push_back(seq);
                }
                if let Some(origin) = origin {
                    host.applied.push_back((origin, seq));
                    while host.applied.len() > APPLIED_REMEMBERED {
                        host.applied.pop_front();
                    }
                }
            });
            Ok(StepReceipt { seq })
        }
        Ok(RecordOutcome::Refused { refusal }) => Err(NotApplied::Record(refusal)),
        Err(e) => {
            // Only a cancelled workflow gets here: recording retries until
            // it lands or refuses.
            tracing::error!(error = %e, "recording a step did not finish");
            Err(NotApplied::Record(unavailable()))
        }
    }
}

/// Runs one command, after any step being recorded.
async fn apply<W: Hosted>(
    ctx: &mut WorkflowContext<W>,
    actor: Actor,
    command: <W::Machine as CaseMachine>::Command,
    origin: Option<String>,
    trace_parent: Option<String>,
) -> Result<StepReceipt, NotApplied> {
    if ctx.wait_condition(|s: &W| !s.host().busy).await.is_err() {
        return Err(NotApplied::Record(unavailable()));
    }
    let at = now(ctx);
    let accepted = ctx
        .state_mut(|s| {
            let host = s.host_mut();
            host.last_seen = at;
            let result = step::<W::Machine>(&host.case, &actor, &command, at, &host.rules);
            if result.is_ok() {
                host.busy = true;
            }
            result
        })
        .map_err(NotApplied::Machine)?;
    let accepted = Accepted {
        command: accepted.command.to_string(),
        from: accepted.from,
        checkpoint: <W::Machine as CaseMachine>::checkpoint(&command),
        decision: accepted.decision,
    };
    let receipt = commit(ctx, &actor, accepted, at, origin, trace_parent).await;
    ctx.state_mut(|s| s.host_mut().busy = false);
    receipt
}

/// The `command` update's handler.
pub async fn command<W: Hosted>(
    ctx: &mut WorkflowContext<W>,
    envelope: CommandEnvelope<<W::Machine as CaseMachine>::Command>,
) -> Result<StepReceipt, Refusal> {
    if let Some(origin) = &envelope.origin
        && let Some(seq) = ctx.state(|s| s.host().applied_step(origin))
    {
        return Ok(StepReceipt { seq });
    }
    ctx.state_mut(|s| s.host_mut().in_flight += 1);
    let result = apply(
        ctx,
        envelope.actor,
        envelope.command,
        envelope.origin,
        envelope.trace_parent,
    )
    .await;
    ctx.state_mut(|s| {
        let h = s.host_mut();
        h.in_flight -= 1;
        h.handled += 1;
    });
    result.map_err(|not| match not {
        // The validator accepted this command against the case as it was;
        // a machine refusal now means a step in between changed it.
        NotApplied::Machine(r) => Refusal::conflict(format!(
            "Someone changed this case at the same moment, so this was not applied: {} Reload it and try again.",
            r.message
        )),
        NotApplied::Record(r) => r,
    })
}

/// The `settled` update: waits until no step is being recorded (after
/// opening, the opening step) and answers with the step number.
pub async fn settled<W: Hosted>(ctx: &mut WorkflowContext<W>) -> StepReceipt {
    ctx.state_mut(|s| s.host_mut().in_flight += 1);
    // Cancelled only when the workflow is: answer with what is there.
    let _ = ctx.wait_condition(|s: &W| !s.host().busy).await;
    ctx.state_mut(|s| {
        s.host_mut().in_flight -= 1;
        StepReceipt { seq: s.host().seq }
    })
}

/// Fires the clocks until the case ends or a fresh history is due.
async fn run_clocks<W: Hosted>(mut ctx: WorkflowContext<W>) -> WorkflowResult<()> {
    loop {
        if ctx.continue_as_new_suggested() || ctx.history_length() > HISTORY_EVENTS_LIMIT {
            ctx.state_mut(|s| s.host_mut().checkpoint = true);
        }
        let (closed, checkpoint, seen, handled) = ctx.state(|s| {
            let h = s.host();
            (h.is_closed(), h.checkpoint, h.seq, h.handled)
        });
        if closed || checkpoint {
            return Ok(());
        }
        let next = ctx.state(|s| {
            let h = s.host();
            W::Machine::clocks(&h.case, &h.rules).into_iter().next()
        });
        let changed = |s: &W| {
            let h = s.host();
            h.seq != seen || h.handled != handled || h.checkpoint
        };
        match next {
            None => ctx.wait_condition(changed).await?,
            Some(clock) => {
                let wait = (clock.due_at - now(&ctx))
                    .to_std()
                    .unwrap_or(Duration::ZERO);
                if !wait.is_zero() {
                    temporalio_sdk::workflows::select! {
                        _ = ctx.timer(wait) => {}
                        _ = ctx.wait_condition(changed) => { continue; }
                    }
                }
                // A machine refusal means another step got there first,
                // and the clocks are looked at afresh. A clock whose step
                // the record step refuses (an offer is on its way to a
                // wait-listed case that would leave the list) waits for the
                // case to change, or a while, before it tries again.
                if apply(&mut ctx, Actor::system(), clock.command, None, None)
                    .await
                    .is_err()
                {
                    temporalio_sdk::workflows::select! {
                        _ = ctx.timer(CLOCK_RETRY) => {}
                        _ = ctx.wait_condition(changed) => {}
                    }
                }
            }
        }
    }
}

/// Whether a delivery loop is done: nothing queued, and the case has
/// ended (or a fresh history is due) with no step being recorded.
fn nothing_left(h: &Host<impl CaseMachine>, queue: &VecDeque<u32>) -> bool {
    queue.is_empty() && (h.is_closed() || h.checkpoint) && !h.busy
}

/// Delivers each recorded step's commands to other cases, in order: a
/// case waits on them (a seat offered).
async fn deliver_commands<W: Hosted>(ctx: WorkflowContext<W>) -> WorkflowResult<()> {
    loop {
        ctx.wait_condition(|s: &W| {
            let h = s.host();
            !h.deliveries.is_empty() || nothing_left(h, &h.deliveries)
        })
        .await?;
        let Some(seq) = ctx.state(|s| s.host().deliveries.front().copied()) else {
            return Ok(());
        };
        let _ = ctx
            .execute_activity(
                CaseActivities::deliver_commands,
                delivery_request(&ctx, seq),
                command_delivery_options(),
            )
            .await;
        ctx.state_mut(|s| s.host_mut().deliveries.pop_front());
    }
}

fn delivery_request<W: Hosted>(ctx: &WorkflowContext<W>, seq: u32) -> DeliveryRequest {
    DeliveryRequest {
        case_id: ctx.state(|s| <W::Machine as CaseMachine>::header(&s.host().case).id),
        seq: seq as i32,
    }
}

/// The workflow's run: the opening step, then clocks and command
/// deliveries side by side, until the case closes or continues as new.
pub async fn run<W: Hosted>(ctx: &mut WorkflowContext<W>) -> WorkflowResult<RunEnd<W::Machine>> {
    if let Some(actor) = ctx.state(|s| s.host().opened_by.clone()) {
        let at = now(ctx);
        let accepted = ctx.state_mut(|s| {
            let h = s.host_mut();
            h.last_seen = at;
            Accepted {
                command: "open".into(),
                from: W::Machine::state(&h.case),
                decision: W::Machine::opening(&h.case, &h.rules),
                checkpoint: false,
            }
        });
        if let Err(NotApplied::Machine(r) | NotApplied::Record(r)) =
            commit(ctx, &actor, accepted, at, None, None).await
        {
            return Err(temporalio_sdk::ApplicationFailure::new(format!(
                "the opening step could not be recorded: {r}"
            ))
            .into());
        }
        ctx.state_mut(|s| {
            let h = s.host_mut();
            h.opened_by = None;
            h.busy = false;
        });
    }
    let (clocks, commands) =
        futures::future::join(run_clocks(ctx.clone()), deliver_commands(ctx.clone())).await;
    clocks?;
    commands?;
    if ctx.state(|s| s.host().is_closed()) {
        // Let a client waiting on the last step read its answer.
        ctx.wait_condition(|s: &W| s.host().in_flight == 0).await?;
        return Ok(RunEnd::Closed(
            ctx.state(|s| W::Machine::state(&s.host().case).name().to_string()),
        ));
    }
    ctx.wait_condition(|s: &W| !s.host().busy && s.host().in_flight == 0)
        .await?;
    Ok(RunEnd::ContinueAsNew(Box::new(
        ctx.state(|s| s.host().resume_input()),
    )))
}
