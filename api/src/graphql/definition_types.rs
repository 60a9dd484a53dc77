//! Each program's machine, served from its own transition table so the
//! picture cannot drift from the code.
use super::role_types::RoleName;
use async_graphql::SimpleObject;
use leeway_machines::engine::MachineDefinition;

/// One program's state machine, read from the transition table the code
/// runs, so it cannot drift from what Leeway does.
#[derive(SimpleObject, Clone)]
pub struct WorkflowDefinition {
    /// The program: `waiver`, `network_membership`, `network`.
    pub name: String,
    /// Every state a case of the program can be in.
    pub states: Vec<WorkflowStateInfo>,
    /// Every command the program's machine accepts, including those only
    /// its own clocks send.
    pub transitions: Vec<WorkflowTransition>,
}

/// One state of a program's machine.
#[derive(SimpleObject, Clone)]
pub struct WorkflowStateInfo {
    /// The state's stable name, as a case's `stateName` gives it, e.g.
    /// `in_review`.
    pub name: String,
    /// The state as a clerk would say it (a case's `stateLabel`), e.g.
    /// "complete and awaiting a reviewer".
    pub description: String,
    /// True when a case in this state is closed and accepts no further
    /// commands.
    pub terminal: bool,
}

/// One command of a program's machine: the states it may be sent in, the
/// states it leads to, and who may send it.
#[derive(SimpleObject, Clone)]
pub struct WorkflowTransition {
    /// The command's name, as audit entries record it, e.g.
    /// `accept_as_complete`.
    pub command: String,
    /// What the command does, in words, e.g. "accept the request as
    /// complete".
    pub description: String,
    /// The states (stable names) in which it may be sent; in any other it is
    /// refused with INVALID_TRANSITION.
    pub from: Vec<String>,
    /// The states it may lead to; more than one when the outcome decides.
    pub to: Vec<String>,
    /// The roles that may send it, e.g. `SEA_REVIEWER`; `SYSTEM` when only
    /// the workflow's own clocks do. Other roles are refused with FORBIDDEN.
    pub roles: Vec<RoleName>,
}

impl From<MachineDefinition> for WorkflowDefinition {
    fn from(d: MachineDefinition) -> Self {
        let strings = |v: Vec<&'static str>| v.into_iter().map(String::from).collect();
        Self {
            name: d.program.into(),
            states: d
                .states
                .into_iter()
                .map(|s| WorkflowStateInfo {
                    name: s.name.into(),
                    description: s.label.into(),
                    terminal: s.terminal,
                })
                .collect(),
            transitions: d
                .transitions
                .into_iter()
                .map(|t| WorkflowTransition {
                    command: t.command.into(),
                    description: t.description.into(),
                    from: strings(t.from),
                    to: strings(t.to),
                    roles: t.roles.iter().filter_map(|r| RoleName::parse(r)).collect(),
                })
                .collect(),
        }
    }
}
