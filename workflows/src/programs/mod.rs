//! Every program on the engine, in one place per concern: its workflow
//! type, its projection, and how a command reaches it. Adding a program
//! adds a line to each list here.
pub mod grant;
pub mod network;
pub mod progress;
pub mod report;
pub mod report_schedule;
pub mod waiver;

use crate::engine::case_workflow::CaseWorkflow;
use crate::engine::host::{CommandEnvelope, StepReceipt};
use crate::engine::record::StepRecord;
pub use grant::{GrantProgramWorkflow, GrantWorkflow};
use leeway_machines::domain::actor::Actor;
use leeway_machines::engine::refusal::Refusal;
use leeway_machines::engine::{CaseMachine, MachineDefinition, definition};
use leeway_machines::grant::machine::GrantMachine;
use leeway_machines::grant::program::GrantProgramMachine;
use leeway_machines::network::membership::MembershipMachine;
use leeway_machines::network::program::NetworkMachine;
use leeway_machines::report::machine::AnnualReportMachine;
use leeway_machines::report::progress::ProgressMachine;
use leeway_machines::waiver::machine::WaiverMachine;
pub use network::{MembershipWorkflow, NetworkWorkflow};
pub use progress::ProgressWorkflow;
pub use report::AnnualReportWorkflow;
use sea_orm::{ConnectionTrait, DbErr};
use temporalio_client::Client;
use temporalio_client::errors::WorkflowUpdateError;
use temporalio_common::WorkflowDefinition;
use temporalio_sdk::workflow_replayer::WorkflowReplayerOptions;
use temporalio_sdk::{WorkerOptions, WorkflowRegistrationError};
use temporalio_workflow::workflows::WorkflowImplementation;
pub use waiver::WaiverWorkflow;

fn parse<M: CaseMachine>(step: &StepRecord) -> Result<M::Case, DbErr> {
    serde_json::from_value(step.case.clone()).map_err(|e| DbErr::Json(e.to_string()))
}

/// Writes the program's own read model beside the case header.
pub async fn project<C: ConnectionTrait>(db: &C, step: &StepRecord) -> Result<(), DbErr> {
    match step.program.as_str() {
        WaiverMachine::PROGRAM => waiver::project(db, &parse::<WaiverMachine>(step)?, step).await,
        MembershipMachine::PROGRAM => {
            network::project_membership(db, &parse::<MembershipMachine>(step)?, step).await
        }
        NetworkMachine::PROGRAM => Ok(()),
        GrantProgramMachine::PROGRAM => {
            grant::project_program(db, &parse::<GrantProgramMachine>(step)?).await
        }
        GrantMachine::PROGRAM => grant::project_grant(db, &parse::<GrantMachine>(step)?).await,
        // Boxed: compiling and printing a draft is a large future, and
        // every step's record future would otherwise be as large.
        AnnualReportMachine::PROGRAM => {
            Box::pin(report::project(db, &parse::<AnnualReportMachine>(step)?)).await
        }
        ProgressMachine::PROGRAM => progress::project(db, &parse::<ProgressMachine>(step)?).await,
        other => Err(DbErr::Custom(format!(
            "no projection for program `{other}`"
        ))),
    }
}

/// The program's read-model rows of some cases, as JSON by case id (see
/// `engine::state_hash`). A program with no rows of its own has none.
pub async fn read_models<C: ConnectionTrait>(
    db: &C,
    program: &str,
    ids: &[String],
) -> Result<std::collections::HashMap<String, serde_json::Value>, DbErr> {
    match program {
        WaiverMachine::PROGRAM => waiver::read_models(db, ids).await,
        MembershipMachine::PROGRAM => network::membership_read_models(db, ids).await,
        GrantMachine::PROGRAM => grant::grant_read_models(db, ids).await,
        AnnualReportMachine::PROGRAM => report::read_models(db, ids).await,
        ProgressMachine::PROGRAM => progress::read_models(db, ids).await,
        _ => Ok(Default::default()),
    }
}

/// Every machine's states and transitions.
pub fn definitions() -> Vec<MachineDefinition> {
    vec![
        definition::<WaiverMachine>(),
        definition::<MembershipMachine>(),
        definition::<NetworkMachine>(),
        definition::<GrantProgramMachine>(),
        definition::<GrantMachine>(),
        definition::<AnnualReportMachine>(),
        definition::<ProgressMachine>(),
    ]
}

/// A worker's or a replayer's list of workflows.
pub trait WorkflowRegistry {
    fn add<W>(&mut self) -> Result<(), WorkflowRegistrationError>
    where
        W: WorkflowImplementation,
        <W::Run as WorkflowDefinition>::Input: Send;
}

impl WorkflowRegistry for WorkerOptions {
    fn add<W>(&mut self) -> Result<(), WorkflowRegistrationError>
    where
        W: WorkflowImplementation,
        <W::Run as WorkflowDefinition>::Input: Send,
    {
        self.register_workflow::<W>().map(|_| ())
    }
}

impl WorkflowRegistry for WorkflowReplayerOptions {
    fn add<W>(&mut self) -> Result<(), WorkflowRegistrationError>
    where
        W: WorkflowImplementation,
        <W::Run as WorkflowDefinition>::Input: Send,
    {
        self.register_workflow::<W>().map(|_| ())
    }
}

/// Registers every program's workflow.
pub fn register(registry: &mut impl WorkflowRegistry) -> Result<(), WorkflowRegistrationError> {
    registry.add::<WaiverWorkflow>()?;
    registry.add::<MembershipWorkflow>()?;
    registry.add::<NetworkWorkflow>()?;
    registry.add::<GrantProgramWorkflow>()?;
    registry.add::<GrantWorkflow>()?;
    registry.add::<AnnualReportWorkflow>()?;
    registry.add::<report_schedule::ReportScheduleWorkflow>()?;
    registry.add::<ProgressWorkflow>()?;
    registry.add::<report_schedule::ProgressScheduleWorkflow>()?;
    Ok(())
}

#[derive(Debug)]
pub enum SendError {
    /// The receiving case refused the command; retrying will not help.
    Refused(String),
    /// Not delivered yet (Temporal unreachable): retry.
    NotYet(String),
}

fn classify(e: WorkflowUpdateError) -> SendError {
    match e {
        WorkflowUpdateError::Failed(failure) => SendError::Refused(
            Refusal::from_wire(&failure.message)
                .map(|r| r.message)
                .unwrap_or(failure.message),
        ),
        WorkflowUpdateError::NotFound(status) => {
            SendError::Refused(format!("the case is closed: {}", status.message()))
        }
        other => SendError::NotYet(other.to_string()),
    }
}

async fn send_to<W: CaseWorkflow>(
    client: &Client,
    case_id: &str,
    command: &str,
    update_id: &str,
) -> Result<StepReceipt, SendError> {
    let command = serde_json::from_str(command)
        .map_err(|e| SendError::Refused(format!("not a {} command: {e}", W::TYPE_NAME)))?;
    let envelope = CommandEnvelope {
        actor: Actor::system(),
        command,
        requested_at: None,
        origin: Some(update_id.to_string()),
        trace_parent: crate::telemetry::current_traceparent(),
    };
    W::send(client, case_id, envelope, Some(update_id.to_string()))
        .await
        .map_err(classify)
}

/// Delivers a command from the command outbox to the case it names.
pub async fn send_command(
    client: &Client,
    program: &str,
    case_id: &str,
    command: &str,
    update_id: &str,
) -> Result<StepReceipt, SendError> {
    match program {
        WaiverMachine::PROGRAM => {
            send_to::<WaiverWorkflow>(client, case_id, command, update_id).await
        }
        MembershipMachine::PROGRAM => {
            send_to::<MembershipWorkflow>(client, case_id, command, update_id).await
        }
        NetworkMachine::PROGRAM => {
            send_to::<NetworkWorkflow>(client, case_id, command, update_id).await
        }
        GrantProgramMachine::PROGRAM => {
            send_to::<GrantProgramWorkflow>(client, case_id, command, update_id).await
        }
        GrantMachine::PROGRAM => {
            send_to::<GrantWorkflow>(client, case_id, command, update_id).await
        }
        AnnualReportMachine::PROGRAM => {
            send_to::<AnnualReportWorkflow>(client, case_id, command, update_id).await
        }
        ProgressMachine::PROGRAM => {
            send_to::<ProgressWorkflow>(client, case_id, command, update_id).await
        }
        other => Err(SendError::Refused(format!("no program `{other}`"))),
    }
}
