//! Each program's workflow type is this thin layer over the generic host:
//! `case_workflow!(WaiverWorkflow, WaiverMachine, "WaiverCase")` declares
//! it, with its stable Temporal type name. Everything it does is in
//! `host`.
use super::host::{CaseInput, CommandEnvelope, Hosted, StepReceipt};
use leeway_machines::engine::CaseMachine;
use std::future::Future;
use temporalio_client::Client;
use temporalio_client::errors::{WorkflowUpdateError, WorkflowUpdateWithStartError};

/// What the API and the command outbox do with a program's workflows.
pub trait CaseWorkflow: Hosted {
    /// Temporal's name for the workflow type: stable, as histories name it.
    const TYPE_NAME: &'static str;

    /// Starts the case's workflow (or finds it started) and waits until its
    /// opening step is recorded. `update_id` makes a retry the same open.
    fn open(
        client: &Client,
        task_queue: &str,
        input: CaseInput<Self::Machine>,
        update_id: Option<String>,
    ) -> impl Future<Output = Result<StepReceipt, WorkflowUpdateWithStartError>> + Send;

    /// Starts the case's workflow (or finds it started) without waiting for
    /// its opening step: for an activity, which must not wait on the
    /// worker it runs in (a worker shutting down finishes its activities
    /// before it stops, and no longer runs the workflow they wait on).
    fn start(
        client: &Client,
        task_queue: &str,
        input: CaseInput<Self::Machine>,
    ) -> impl Future<Output = Result<(), temporalio_client::errors::WorkflowStartError>> + Send;

    /// Sends one command and waits until its step is recorded.
    fn send(
        client: &Client,
        case_id: &str,
        envelope: CommandEnvelope<<Self::Machine as CaseMachine>::Command>,
        update_id: Option<String>,
    ) -> impl Future<Output = Result<StepReceipt, WorkflowUpdateError>> + Send;
}

#[macro_export]
macro_rules! case_workflow {
    ($(#[$meta:meta])* $name:ident, $machine:ty, $type_name:literal) => {
        $(#[$meta])*
        #[::temporalio_macros::workflow]
        pub struct $name {
            host: $crate::engine::host::Host<$machine>,
        }

        impl $crate::engine::host::Hosted for $name {
            type Machine = $machine;
            fn host(&self) -> &$crate::engine::host::Host<$machine> {
                &self.host
            }
            fn host_mut(&mut self) -> &mut $crate::engine::host::Host<$machine> {
                &mut self.host
            }
        }

        #[::temporalio_macros::workflow_methods]
        impl $name {
            #[init]
            pub fn new(
                _ctx: &::temporalio_sdk::WorkflowContextView,
                input: $crate::engine::host::CaseInput<$machine>,
            ) -> Self {
                Self {
                    host: $crate::engine::host::Host::new(input),
                }
            }

            #[run(name = $type_name)]
            pub async fn run(
                ctx: &mut ::temporalio_sdk::WorkflowContext<Self>,
            ) -> ::temporalio_sdk::WorkflowResult<String> {
                match $crate::engine::host::run(ctx).await? {
                    $crate::engine::host::RunEnd::Closed(state) => Ok(state),
                    $crate::engine::host::RunEnd::ContinueAsNew(input) => {
                        ctx.continue_as_new(*input, ::temporalio_sdk::ContinueAsNewOptions::default())?;
                        unreachable!("continue_as_new always returns an error")
                    }
                }
            }

            #[update_validator(command)]
            fn validate_command(
                &self,
                _ctx: &::temporalio_sdk::WorkflowContextView,
                input: &$crate::engine::host::CommandEnvelope<
                    <$machine as ::leeway_machines::engine::CaseMachine>::Command,
                >,
            ) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
                self.host.validate(input).map_err(|r| r.to_wire().into())
            }

            /// Runs one command; answers with its step number.
            #[update]
            pub async fn command(
                ctx: &mut ::temporalio_sdk::WorkflowContext<Self>,
                input: $crate::engine::host::CommandEnvelope<
                    <$machine as ::leeway_machines::engine::CaseMachine>::Command,
                >,
            ) -> Result<$crate::engine::host::StepReceipt, Box<dyn std::error::Error + Send + Sync>>
            {
                $crate::engine::host::command(ctx, input)
                    .await
                    .map_err(|r| r.to_wire().into())
            }

            /// Waits until no step is being recorded (after opening, the
            /// opening step).
            #[update]
            pub async fn settled(
                ctx: &mut ::temporalio_sdk::WorkflowContext<Self>,
            ) -> $crate::engine::host::StepReceipt {
                $crate::engine::host::settled(ctx).await
            }

            #[query]
            pub fn case(
                &self,
                _ctx: &::temporalio_sdk::WorkflowContextView,
            ) -> $crate::engine::host::CaseSnapshot<$machine> {
                self.host.snapshot()
            }
        }

        impl $crate::engine::case_workflow::CaseWorkflow for $name {
            const TYPE_NAME: &'static str = $type_name;

            async fn open(
                client: &::temporalio_client::Client,
                task_queue: &str,
                input: $crate::engine::host::CaseInput<$machine>,
                update_id: Option<String>,
            ) -> Result<
                $crate::engine::host::StepReceipt,
                ::temporalio_client::errors::WorkflowUpdateWithStartError,
            > {
                let id = <$machine as ::leeway_machines::engine::CaseMachine>::header(&input.case).id;
                let options = ::temporalio_client::WorkflowUpdateWithStartOptions::new(
                    task_queue.to_string(),
                    id,
                    ::temporalio_client::WorkflowIdConflictPolicy::UseExisting,
                )
                // A case that has closed is never opened again under its id.
                .id_reuse_policy(::temporalio_client::WorkflowIdReusePolicy::RejectDuplicate)
                .maybe_update_id(update_id)
                .build();
                client
                    .execute_update_with_start_workflow($name::run, input, $name::settled, (), options)
                    .await
            }

            async fn start(
                client: &::temporalio_client::Client,
                task_queue: &str,
                input: $crate::engine::host::CaseInput<$machine>,
            ) -> Result<(), ::temporalio_client::errors::WorkflowStartError> {
                let id = <$machine as ::leeway_machines::engine::CaseMachine>::header(&input.case).id;
                let options = ::temporalio_client::WorkflowStartOptions::new(task_queue.to_string(), id)
                    .id_conflict_policy(::temporalio_client::WorkflowIdConflictPolicy::UseExisting)
                    .id_reuse_policy(::temporalio_client::WorkflowIdReusePolicy::RejectDuplicate)
                    .build();
                match client.start_workflow($name::run, input, options).await {
                    Ok(_) => Ok(()),
                    // Opened before and closed since: it is what it is.
                    Err(::temporalio_client::errors::WorkflowStartError::AlreadyStarted { .. }) => Ok(()),
                    Err(e) => Err(e),
                }
            }

            async fn send(
                client: &::temporalio_client::Client,
                case_id: &str,
                envelope: $crate::engine::host::CommandEnvelope<
                    <$machine as ::leeway_machines::engine::CaseMachine>::Command,
                >,
                update_id: Option<String>,
            ) -> Result<
                $crate::engine::host::StepReceipt,
                ::temporalio_client::errors::WorkflowUpdateError,
            > {
                let options = ::temporalio_client::WorkflowExecuteUpdateOptions::builder()
                    .maybe_update_id(update_id)
                    .build();
                client
                    .get_workflow_handle::<$name>(case_id)
                    .execute_update($name::command, envelope, options)
                    .await
            }
        }
    };
}

/// Keeps the compiler honest that the trait's futures are `Send` for the
/// API's handlers.
#[allow(dead_code)]
fn assert_send<W: CaseWorkflow>(client: &Client, input: CaseInput<W::Machine>) {
    fn is_send<T: Send>(_: T) {}
    is_send(W::open(client, "q", input, None));
}
