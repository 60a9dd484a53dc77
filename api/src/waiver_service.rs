//! Opening waiver requests and sending them commands: the path from a
//! GraphQL mutation to the case's Temporal workflow.
use crate::auth::Principal;
use crate::context::AppContext;
use crate::error::{ApiError, ApiResult};
use chrono::Utc;
use leeway_entities::{organisation, provision, user};
use leeway_workflows::domain::actor::Role;
use leeway_workflows::domain::provision::{ProvisionFacts, ProvisionRuling, rule_on_provision};
use leeway_workflows::machine::Refusal;
use leeway_workflows::machine::waiver::{WaiverCase, WaiverCommand, WaiverState};
use leeway_workflows::machine::waiver_content::WaiverContent;
use leeway_workflows::waiver_workflow::{
    CommandEnvelope, WORKFLOW_ID_PREFIX, WaiverWorkflow, WaiverWorkflowInput,
};
use rand::RngCore;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use temporalio_client::{
    WorkflowExecuteUpdateOptions, WorkflowStartOptions, errors::WorkflowUpdateError,
};

/// How long a client waits for a step to be recorded before it is told
/// to look again later (the step itself carries on).
const COMMAND_WAIT: std::time::Duration = std::time::Duration::from_secs(30);

fn still_saving(case_id: &str) -> ApiError {
    ApiError::Unavailable(format!(
        "Leeway is still saving this step of {case_id}. Look at the request again in a minute before repeating it."
    ))
}

fn new_case_id() -> String {
    let mut b = [0u8; 5];
    rand::rng().fill_bytes(&mut b);
    format!("{WORKFLOW_ID_PREFIX}{}", hex::encode(b))
}

impl AppContext {
    pub async fn open_waiver(&self, who: &Principal, content: WaiverContent) -> ApiResult<String> {
        if !who.role().is_district() {
            return Err(self
                .refuse(
                    who,
                    None,
                    "open_waiver",
                    "Only district staff open waiver requests.",
                )
                .await);
        }
        let problems = content.check_shape();
        if !problems.is_empty() {
            return Err(ApiError::Validation(problems.join("; ")));
        }
        self.check_schools(&who.actor.organisation_id, &content)
            .await?;
        let id = new_case_id();
        let case = WaiverCase::new(
            id.clone(),
            who.actor.organisation_id.clone(),
            who.actor.user_id.clone(),
            content,
        );
        let input = WaiverWorkflowInput {
            case,
            profile: self.profile.clone(),
            opened_by: who.actor.clone(),
        };
        let handle = self
            .temporal
            .start_workflow(
                WaiverWorkflow::run,
                input,
                WorkflowStartOptions::new(self.task_queue.clone(), id.clone()).build(),
            )
            .await
            .map_err(|e| ApiError::internal("start the request's workflow", e))?;
        let settled = handle.execute_update(
            WaiverWorkflow::settled,
            (),
            WorkflowExecuteUpdateOptions::default(),
        );
        match tokio::time::timeout(COMMAND_WAIT, settled).await {
            Ok(Ok(_)) => Ok(id),
            Ok(Err(e)) => Err(ApiError::internal("open the request", e)),
            Err(_) => Err(still_saving(&id)),
        }
    }

    async fn check_schools(&self, district_id: &str, content: &WaiverContent) -> ApiResult<()> {
        for school in &content.applicant.school_ids {
            let found = organisation::Entity::find_by_id(school.as_str())
                .one(&self.db)
                .await?;
            match found {
                Some(o) if o.kind == "school" && o.parent_id.as_deref() == Some(district_id) => {}
                _ => {
                    return Err(ApiError::Validation(format!(
                        "`{school}` is not a school of your district."
                    )));
                }
            }
        }
        Ok(())
    }

    /// Rules on each cited provision from the catalog and the profile.
    pub async fn rulings(&self, content: &WaiverContent) -> ApiResult<Vec<ProvisionRuling>> {
        let citations = content.citations();
        let rows = provision::Entity::find()
            .filter(provision::Column::Citation.is_in(citations.clone()))
            .all(&self.db)
            .await?;
        let today = Utc::now().date_naive();
        Ok(citations
            .iter()
            .map(|c| {
                let facts = rows
                    .iter()
                    .find(|r| &r.citation == c)
                    .map(|r| ProvisionFacts {
                        citation: r.citation.clone(),
                        title: r.title.clone(),
                        category: r.category.clone(),
                        waivable: r.waivable,
                        non_waivable_reason: r.non_waivable_reason.clone(),
                        effective_from: r.effective_from,
                        effective_to: r.effective_to,
                    });
                rule_on_provision(c, facts.as_ref(), &self.profile, today)
            })
            .collect())
    }

    /// Sends one command to a case's workflow and waits for it to be
    /// recorded, so the caller reads its own write.
    pub async fn waiver_command(
        &self,
        who: &Principal,
        case_id: &str,
        command: WaiverCommand,
    ) -> ApiResult<()> {
        let case = self.waiver_case_for(who, case_id, command.name()).await?;
        if let Some(state) = WaiverState::parse(&case.state).filter(|s| s.is_terminal()) {
            return Err(ApiError::InvalidTransition(format!(
                "This request is {} and accepts no further commands.",
                state.label()
            )));
        }
        if let WaiverCommand::AssignReviewer { reviewer_id } = &command {
            let reviewer = user::Entity::find_by_id(reviewer_id.as_str())
                .one(&self.db)
                .await?;
            if reviewer.is_none_or(|u| u.role != Role::SeaReviewer.as_str()) {
                return Err(ApiError::Validation(format!(
                    "`{reviewer_id}` is not an SEA reviewer."
                )));
            }
        }
        if let WaiverCommand::EditDraft { content }
        | WaiverCommand::ProposeAmendment { content, .. } = &command
        {
            self.check_schools(&case.district_id, content).await?;
        }
        let envelope = CommandEnvelope {
            actor: who.actor.clone(),
            command: command.clone(),
        };
        let handle = self.temporal.get_workflow_handle::<WaiverWorkflow>(case_id);
        let update = handle.execute_update(
            WaiverWorkflow::command,
            envelope,
            WorkflowExecuteUpdateOptions::default(),
        );
        let Ok(outcome) = tokio::time::timeout(COMMAND_WAIT, update).await else {
            return Err(still_saving(case_id));
        };
        match outcome {
            Ok(_) => Ok(()),
            Err(WorkflowUpdateError::Failed(failure)) => {
                let refusal = Refusal::from_wire(&failure.message)
                    .ok_or_else(|| ApiError::internal("apply the command", &failure.message))?;
                if refusal.code == leeway_workflows::machine::RefusalCode::Forbidden {
                    return Err(self
                        .refuse(who, Some(case_id), command.name(), &refusal.message)
                        .await);
                }
                Err(refusal.into())
            }
            Err(WorkflowUpdateError::NotFound(_)) => Err(ApiError::InvalidTransition(
                "This request is closed and accepts no further commands.".into(),
            )),
            Err(e) => Err(ApiError::internal("reach the workflow engine", e)),
        }
    }
}
