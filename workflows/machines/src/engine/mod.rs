//! The pure half of the case engine: what every program's machine is, and
//! the checks every command passes before the machine's own guards. No
//! I/O and no clock of its own: the caller passes `now`, so the same code
//! runs in update validators, in workflow handlers, in replay and in tests.
pub mod document;
pub mod effect;
pub mod notice;
pub mod refusal;
pub mod text;
pub mod transition;

use crate::domain::actor::Actor;
use chrono::{DateTime, Utc};
use document::{DocumentRef, Snapshot};
use effect::Effect;
use notice::Notice;
use refusal::Refusal;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use std::fmt::Debug;
use transition::{CommandInfo, StateInfo, TransitionRule, rule_for};

/// One program's state machine: waivers, network memberships, grants...
/// A new program brings one of these, a projection, its GraphQL types and
/// its section of the state profile; the engine does the rest.
pub trait CaseMachine: Sized + 'static {
    /// Stable name: case ids, the read model, GraphQL's `program`.
    const PROGRAM: &'static str;
    /// What a clerk calls one case of this program: "request".
    const NOUN: &'static str;
    type State: StateInfo;
    type Case: Clone + Debug + PartialEq + Serialize + DeserializeOwned + Send + Sync + 'static;
    type Command: CommandInfo + Clone + Debug + Serialize + DeserializeOwned + Send + Sync + 'static;
    /// This program's slice of the state profile.
    type Rules: Clone + Debug + Serialize + DeserializeOwned + Send + Sync + 'static;

    fn transitions() -> &'static [TransitionRule<Self::State>];
    fn state(case: &Self::Case) -> Self::State;
    /// The facts every case has, whatever its program.
    fn header(case: &Self::Case) -> CaseHeader;
    /// The step that opens a case: who is told, what it takes.
    fn opening(case: &Self::Case, rules: &Self::Rules) -> Decision<Self::Case>;
    /// The program's own guards and the step's consequences. Runs only
    /// after the engine has checked the role, the organisation and the
    /// state the command starts from.
    fn decide(
        case: &Self::Case,
        actor: &Actor,
        command: &Self::Command,
        now: DateTime<Utc>,
        rules: &Self::Rules,
    ) -> Result<Decision<Self::Case>, Refusal>;
    /// The clocks now running, soonest first. When one runs out, the
    /// engine sends its command as the system.
    fn clocks(case: &Self::Case, rules: &Self::Rules) -> Vec<Clock<Self::Command>>;
    /// A step after which the workflow starts a fresh history
    /// (continue-as-new), e.g. a membership's yearly re-commitment.
    fn checkpoint(_command: &Self::Command) -> bool {
        false
    }
}

/// What the engine records of every case, whatever its program.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseHeader {
    pub id: String,
    /// The district or charter the case belongs to; `None` for a case the
    /// SEA holds itself (a network, an appropriation).
    pub organisation_id: Option<String>,
    pub title: String,
    pub assigned_reviewer: Option<String>,
    /// The current version of the case's long form, if it has one.
    pub document: Option<DocumentRef>,
    /// Submitted versions so far.
    pub version: u32,
}

/// What a command does, as the machine decides it.
#[derive(Clone, Debug, PartialEq)]
pub struct Decision<C> {
    pub case: C,
    pub reasons: Vec<String>,
    pub snapshot: Option<Snapshot>,
    pub notices: Vec<Notice>,
    pub effects: Vec<Effect>,
}

impl<C> Decision<C> {
    pub fn to(case: C) -> Self {
        Self {
            case,
            reasons: Vec::new(),
            snapshot: None,
            notices: Vec::new(),
            effects: Vec::new(),
        }
    }
}

/// A statutory or program clock a case is running.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Clock<C> {
    pub kind: &'static str,
    pub due_at: DateTime<Utc>,
    pub description: String,
    /// What the system does when it runs out.
    pub command: C,
}

/// An accepted command.
pub struct Step<M: CaseMachine> {
    pub command: &'static str,
    pub from: M::State,
    pub to: M::State,
    pub decision: Decision<M::Case>,
}

impl<M: CaseMachine> Debug for Step<M> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Step")
            .field("command", &self.command)
            .field("from", &self.from)
            .field("to", &self.to)
            .field("decision", &self.decision)
            .finish()
    }
}

/// Runs one command against a case: the transition table first (role,
/// organisation, starting state), then the machine's own guards, and the
/// table again for where the step may lead.
pub fn step<M: CaseMachine>(
    case: &M::Case,
    actor: &Actor,
    command: &M::Command,
    now: DateTime<Utc>,
    rules: &M::Rules,
) -> Result<Step<M>, Refusal> {
    let name = command.name();
    let rule = rule_for(M::transitions(), name)
        .ok_or_else(|| Refusal::invalid_transition(format!("unknown command {name}")))?;
    if !rule.roles.contains(&actor.role) {
        let who: Vec<String> = rule.roles.iter().map(|r| r.with_article()).collect();
        let mut actor_role = actor.role.with_article();
        actor_role[..1].make_ascii_uppercase();
        return Err(Refusal::forbidden(format!(
            "{actor_role} cannot {}; only {} can.",
            rule.description,
            who.join(" or ")
        )));
    }
    let header = M::header(case);
    if actor.role.is_district()
        && header.organisation_id.as_deref() != Some(actor.organisation_id.as_str())
    {
        return Err(Refusal::forbidden(format!(
            "This {noun} belongs to another district; you can act only on your own district's {noun}s.",
            noun = M::NOUN
        )));
    }
    let from = M::state(case);
    if !rule.from.contains(&from) {
        let allowed: Vec<&str> = rule.from.iter().map(|s| s.label()).collect();
        return Err(Refusal::invalid_transition(format!(
            "You cannot {} while the {} is {}. This is possible only when it is {}.",
            rule.description,
            M::NOUN,
            from.label(),
            allowed.join("; or ")
        )));
    }
    let decision = M::decide(case, actor, command, now, rules)?;
    let to = M::state(&decision.case);
    if !rule.to.contains(&to) {
        // The table is the contract the API publishes; a machine that
        // strays from it is a bug, and the step must not happen.
        return Err(Refusal::invalid_transition(format!(
            "Leeway refused to {}: it would lead to {}, which its rules do not allow.",
            rule.description,
            to.label()
        )));
    }
    Ok(Step {
        command: name,
        from,
        to,
        decision,
    })
}

/// A machine's states and transitions, as `workflowDefinitions` serves them.
#[derive(Clone, Debug, Serialize)]
pub struct MachineDefinition {
    pub program: &'static str,
    pub states: Vec<StateDefinition>,
    pub transitions: Vec<TransitionDefinition>,
}

#[derive(Clone, Debug, Serialize)]
pub struct StateDefinition {
    pub name: &'static str,
    pub label: &'static str,
    pub terminal: bool,
}

#[derive(Clone, Debug, Serialize)]
pub struct TransitionDefinition {
    pub command: &'static str,
    pub description: &'static str,
    pub from: Vec<&'static str>,
    pub to: Vec<&'static str>,
    pub roles: Vec<&'static str>,
}

pub fn definition<M: CaseMachine>() -> MachineDefinition {
    MachineDefinition {
        program: M::PROGRAM,
        states: <M::State as StateInfo>::ALL
            .iter()
            .map(|s| StateDefinition {
                name: s.name(),
                label: s.label(),
                terminal: s.is_terminal(),
            })
            .collect(),
        transitions: M::transitions()
            .iter()
            .map(|t| TransitionDefinition {
                command: t.command,
                description: t.description,
                from: t.from.iter().map(|s| s.name()).collect(),
                to: t.to.iter().map(|s| s.name()).collect(),
                roles: t.roles.iter().map(|r| r.as_str()).collect(),
            })
            .collect(),
    }
}
