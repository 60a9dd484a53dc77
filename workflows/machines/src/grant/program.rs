//! A grant program as a case the SEA holds: created as a draft, opened by
//! program staff (which opens its appropriation's ledger), and closed when
//! its fiscal year ends, when whatever is still uncommitted lapses. Staff
//! who create and open a program need no email about it (the audit trail
//! has it); the year's end is news, and is sent.
use super::terms::GrantTerms;
use crate::domain::actor::{Actor, Role};
use crate::engine::effect::Effect;
use crate::engine::notice::{Audience, notice};
use crate::engine::refusal::Refusal;
use crate::engine::transition::{CommandInfo, StateInfo, TransitionRule};
use crate::engine::{CaseHeader, CaseMachine, Clock, Decision};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GrantProgramState {
    Draft,
    Open,
    Lapsed,
}

impl StateInfo for GrantProgramState {
    const ALL: &'static [GrantProgramState] = &[
        GrantProgramState::Draft,
        GrantProgramState::Open,
        GrantProgramState::Lapsed,
    ];
    fn name(self) -> &'static str {
        match self {
            GrantProgramState::Draft => "draft",
            GrantProgramState::Open => "open",
            GrantProgramState::Lapsed => "lapsed",
        }
    }
    fn label(self) -> &'static str {
        match self {
            GrantProgramState::Draft => "a draft not yet open",
            GrantProgramState::Open => "open",
            GrantProgramState::Lapsed => "past its fiscal year, with what was uncommitted lapsed",
        }
    }
    fn is_terminal(self) -> bool {
        self == GrantProgramState::Lapsed
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GrantProgramCase {
    pub id: String,
    pub code: String,
    pub name: String,
    pub state: GrantProgramState,
    pub created_by: String,
    /// The terms the program runs under (also its workflow's rules), kept
    /// on the case so that its read model can show them.
    pub terms: GrantTerms,
}

impl GrantProgramCase {
    pub fn new(terms: &GrantTerms, created_by: String) -> Self {
        Self {
            id: terms.program.case_id(),
            code: terms.program.code.clone(),
            name: terms.program.name.clone(),
            state: GrantProgramState::Draft,
            created_by,
            terms: terms.clone(),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "command", rename_all = "snake_case")]
pub enum GrantProgramCommand {
    Open,
    LapseFunds,
}

impl CommandInfo for GrantProgramCommand {
    fn name(&self) -> &'static str {
        match self {
            GrantProgramCommand::Open => "open",
            GrantProgramCommand::LapseFunds => "lapse_funds",
        }
    }
}

const STAFF: &[Role] = &[Role::SeaApprover, Role::Admin];

pub static TRANSITIONS: &[TransitionRule<GrantProgramState>] = &[
    TransitionRule {
        command: "open",
        from: &[GrantProgramState::Draft],
        to: &[GrantProgramState::Open],
        roles: STAFF,
        description: "open the grant program and its appropriation",
    },
    TransitionRule {
        command: "lapse_funds",
        from: &[GrantProgramState::Draft, GrantProgramState::Open],
        to: &[GrantProgramState::Lapsed],
        roles: &[Role::System],
        description: "lapse what is uncommitted at the end of the fiscal year",
    },
];

pub struct GrantProgramMachine;

impl CaseMachine for GrantProgramMachine {
    const PROGRAM: &'static str = "grant_program";
    const NOUN: &'static str = "grant program";
    type State = GrantProgramState;
    type Case = GrantProgramCase;
    type Command = GrantProgramCommand;
    type Rules = GrantTerms;

    fn transitions() -> &'static [TransitionRule<GrantProgramState>] {
        TRANSITIONS
    }

    fn state(case: &GrantProgramCase) -> GrantProgramState {
        case.state
    }

    fn header(case: &GrantProgramCase) -> CaseHeader {
        CaseHeader {
            id: case.id.clone(),
            organisation_id: None,
            title: case.name.clone(),
            assigned_reviewer: None,
            document: None,
            version: 0,
        }
    }

    fn opening(case: &GrantProgramCase, terms: &GrantTerms) -> Decision<GrantProgramCase> {
        let p = &terms.program;
        let mut d = Decision::to(case.clone());
        d.reasons = vec![format!(
            "{} appropriated for {} under {}",
            p.appropriation.amount, p.appropriation.fiscal_year, p.appropriation.source
        )];
        d
    }

    fn decide(
        case: &GrantProgramCase,
        _actor: &Actor,
        command: &GrantProgramCommand,
        now: DateTime<Utc>,
        terms: &GrantTerms,
    ) -> Result<Decision<GrantProgramCase>, Refusal> {
        let p = &terms.program;
        let mut d = Decision::to(case.clone());
        match command {
            GrantProgramCommand::Open => {
                if now >= p.appropriation.lapses_at {
                    return Err(Refusal::invalid_transition(format!(
                        "The appropriation for {} lapsed on {}; a program cannot open on lapsed money.",
                        p.appropriation.fiscal_year,
                        p.appropriation.lapses_at.format("%Y-%m-%d")
                    )));
                }
                d.case.state = GrantProgramState::Open;
                d.effects.push(Effect::OpenLedger {
                    ledger: p.ledger(),
                    label: format!("{} ({})", p.name, p.appropriation.fiscal_year),
                    appropriated: p.appropriation.amount.get(),
                });
            }
            GrantProgramCommand::LapseFunds => {
                d.case.state = GrantProgramState::Lapsed;
                d.reasons = vec![format!(
                    "the fiscal year {} ended",
                    p.appropriation.fiscal_year
                )];
                if case.state == GrantProgramState::Open {
                    d.effects.push(Effect::CloseLedger { ledger: p.ledger() });
                }
                d.notices.push(notice(
                    &[Audience::Approvers, Audience::Administrators],
                    format!("Appropriation lapsed: {}", p.name),
                    format!(
                        "The fiscal year {} ended. Whatever of the appropriation for {} was not committed has lapsed, and money returned by grants from now on lapses too.",
                        p.appropriation.fiscal_year, p.name
                    ),
                ));
            }
        }
        Ok(d)
    }

    fn clocks(case: &GrantProgramCase, terms: &GrantTerms) -> Vec<Clock<GrantProgramCommand>> {
        if case.state.is_terminal() {
            return Vec::new();
        }
        vec![Clock {
            kind: "appropriation_lapse",
            due_at: terms.program.appropriation.lapses_at,
            description: format!(
                "the fiscal year {} ends and the uncommitted appropriation lapses",
                terms.program.appropriation.fiscal_year
            ),
            command: GrantProgramCommand::LapseFunds,
        }]
    }
}
