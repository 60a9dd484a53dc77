//! The smallest workflow with an update: the baseline the benchmark
//! measures a GraphQL transition against.
use temporalio_macros::{workflow, workflow_methods};
use temporalio_sdk::{SyncWorkflowContext, WorkflowContext, WorkflowResult};

#[workflow]
#[derive(Default)]
pub struct BareUpdateWorkflow {
    count: u32,
    done: bool,
}

#[workflow_methods]
impl BareUpdateWorkflow {
    #[run]
    pub async fn run(ctx: &mut WorkflowContext<Self>) -> WorkflowResult<u32> {
        ctx.wait_condition(|s| s.done).await?;
        Ok(ctx.state(|s| s.count))
    }

    #[update]
    pub fn bump(&mut self, _ctx: &mut SyncWorkflowContext<Self>, by: u32) -> u32 {
        self.count += by;
        self.count
    }

    #[update]
    pub fn finish(&mut self, _ctx: &mut SyncWorkflowContext<Self>) -> u32 {
        self.done = true;
        self.count
    }
}
