//! Each workflow's states and transitions, served from the machine's own
//! transition table so the picture cannot drift from the code.
use async_graphql::SimpleObject;
use leeway_workflows::machine::waiver::{TRANSITIONS, WaiverState};

#[derive(SimpleObject, Clone)]
pub struct WorkflowDefinition {
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

pub fn waiver_definition() -> WorkflowDefinition {
    WorkflowDefinition {
        name: "waiver".into(),
        states: WaiverState::ALL
            .into_iter()
            .map(|s| WorkflowStateInfo {
                name: s.as_str().into(),
                description: s.label().into(),
                terminal: s.is_terminal(),
            })
            .collect(),
        transitions: TRANSITIONS
            .iter()
            .map(|t| WorkflowTransition {
                command: t.command.into(),
                description: t.description.into(),
                from: t.from.iter().map(|s| s.as_str().to_string()).collect(),
                to: t.to.iter().map(|s| s.as_str().to_string()).collect(),
                roles: t.roles.iter().map(|r| r.as_str().to_string()).collect(),
            })
            .collect(),
    }
}
