//! Each program's machine, served from its own transition table so the
//! picture cannot drift from the code.
use async_graphql::SimpleObject;
use leeway_machines::engine::MachineDefinition;

#[derive(SimpleObject, Clone)]
pub struct WorkflowDefinition {
    /// The program: `waiver`, `network_membership`, `network`.
    pub name: String,
    pub states: Vec<WorkflowStateInfo>,
    pub transitions: Vec<WorkflowTransition>,
}

#[derive(SimpleObject, Clone)]
pub struct WorkflowStateInfo {
    pub name: String,
    pub description: String,
    pub terminal: bool,
}

#[derive(SimpleObject, Clone)]
pub struct WorkflowTransition {
    pub command: String,
    pub description: String,
    pub from: Vec<String>,
    pub to: Vec<String>,
    pub roles: Vec<String>,
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
                    roles: strings(t.roles),
                })
                .collect(),
        }
    }
}
