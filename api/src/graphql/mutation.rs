//! One mutation per waiver command. Each returns the case as recorded.
use super::inputs::{ProvisionDecisionInput, WaiverContentInput};
use super::waiver_types::WaiverCaseView;
use super::{app, caller};
use async_graphql::{Context, ID, Object, Result};
use leeway_workflows::domain::actor::Role;
use leeway_workflows::machine::waiver::{ProvisionDecision, WaiverCommand};
use leeway_workflows::machine::waiver_content::WaiverContent;
use leeway_workflows::outbox;

pub struct MutationRoot;

async fn run(ctx: &Context<'_>, id: &ID, command: WaiverCommand) -> Result<WaiverCaseView> {
    let who = caller(ctx)?;
    let app = app(ctx);
    app.waiver_command(&who, id, command).await?;
    Ok(app.waiver_case_for(&who, id, "read_waiver").await?.into())
}

fn decisions(input: Vec<ProvisionDecisionInput>) -> Vec<ProvisionDecision> {
    input.into_iter().map(Into::into).collect()
}

#[Object]
impl MutationRoot {
    /// Opens a new draft for the caller's district.
    async fn open_waiver_draft(
        &self,
        ctx: &Context<'_>,
        content: WaiverContentInput,
    ) -> Result<WaiverCaseView> {
        let who = caller(ctx)?;
        let app = app(ctx);
        let id = app.open_waiver(&who, content.into()).await?;
        Ok(app.waiver_case_for(&who, &id, "read_waiver").await?.into())
    }

    /// Replaces the draft's content (while a draft, returned, or in revision).
    async fn edit_waiver_draft(
        &self,
        ctx: &Context<'_>,
        id: ID,
        content: WaiverContentInput,
    ) -> Result<WaiverCaseView> {
        run(
            ctx,
            &id,
            WaiverCommand::EditDraft {
                content: content.into(),
            },
        )
        .await
    }

    /// The district's authorized representative certifies and submits the
    /// request. Refused if a cited provision may not be waived.
    async fn submit_waiver(&self, ctx: &Context<'_>, id: ID) -> Result<WaiverCaseView> {
        let who = caller(ctx)?;
        let app = app(ctx);
        let case = app.waiver_case_for(&who, &id, "submit").await?;
        let content: WaiverContent = serde_json::from_str(&case.content).unwrap_or_default();
        let rulings = app.rulings(&content).await?;
        run(ctx, &id, WaiverCommand::Submit { rulings }).await
    }

    async fn accept_waiver_as_complete(&self, ctx: &Context<'_>, id: ID) -> Result<WaiverCaseView> {
        run(ctx, &id, WaiverCommand::AcceptAsComplete).await
    }

    async fn return_waiver_incomplete(
        &self,
        ctx: &Context<'_>,
        id: ID,
        reasons: Vec<String>,
    ) -> Result<WaiverCaseView> {
        run(ctx, &id, WaiverCommand::ReturnIncomplete { reasons }).await
    }

    async fn assign_waiver_reviewer(
        &self,
        ctx: &Context<'_>,
        id: ID,
        reviewer_id: String,
    ) -> Result<WaiverCaseView> {
        run(ctx, &id, WaiverCommand::AssignReviewer { reviewer_id }).await
    }

    /// The assigned reviewer declares conflicts of interest before reviewing;
    /// a conflict recuses them.
    async fn declare_waiver_conflict(
        &self,
        ctx: &Context<'_>,
        id: ID,
        has_conflict: bool,
        #[graphql(default)] statement: String,
    ) -> Result<WaiverCaseView> {
        run(
            ctx,
            &id,
            WaiverCommand::DeclareConflict {
                has_conflict,
                statement,
            },
        )
        .await
    }

    async fn request_waiver_revision(
        &self,
        ctx: &Context<'_>,
        id: ID,
        reasons: Vec<String>,
    ) -> Result<WaiverCaseView> {
        run(ctx, &id, WaiverCommand::RequestRevision { reasons }).await
    }

    async fn recommend_waiver(
        &self,
        ctx: &Context<'_>,
        id: ID,
        summary: String,
        decisions: Vec<ProvisionDecisionInput>,
    ) -> Result<WaiverCaseView> {
        run(
            ctx,
            &id,
            WaiverCommand::Recommend {
                summary,
                decisions: self::decisions(decisions),
            },
        )
        .await
    }

    /// The approver decides each provision: approve, approve with
    /// conditions, or deny with a reason.
    async fn decide_waiver(
        &self,
        ctx: &Context<'_>,
        id: ID,
        decisions: Vec<ProvisionDecisionInput>,
    ) -> Result<WaiverCaseView> {
        run(
            ctx,
            &id,
            WaiverCommand::Decide {
                decisions: self::decisions(decisions),
            },
        )
        .await
    }

    /// Proposes new content for an active waiver; the term end stays.
    async fn propose_waiver_amendment(
        &self,
        ctx: &Context<'_>,
        id: ID,
        content: WaiverContentInput,
    ) -> Result<WaiverCaseView> {
        let content: WaiverContent = content.into();
        let rulings = app(ctx).rulings(&content).await?;
        run(
            ctx,
            &id,
            WaiverCommand::ProposeAmendment { content, rulings },
        )
        .await
    }

    /// Approving an amendment decides every provision of the amended request
    /// again; denying it needs reasons and leaves the waiver as it was.
    async fn decide_waiver_amendment(
        &self,
        ctx: &Context<'_>,
        id: ID,
        approve: bool,
        #[graphql(default)] decisions: Vec<ProvisionDecisionInput>,
        #[graphql(default)] reasons: Vec<String>,
    ) -> Result<WaiverCaseView> {
        run(
            ctx,
            &id,
            WaiverCommand::DecideAmendment {
                approve,
                decisions: self::decisions(decisions),
                reasons,
            },
        )
        .await
    }

    async fn request_waiver_renewal(
        &self,
        ctx: &Context<'_>,
        id: ID,
        reason: String,
    ) -> Result<WaiverCaseView> {
        run(ctx, &id, WaiverCommand::RequestRenewal { reason }).await
    }

    async fn decide_waiver_renewal(
        &self,
        ctx: &Context<'_>,
        id: ID,
        approve: bool,
        #[graphql(default)] reasons: Vec<String>,
    ) -> Result<WaiverCaseView> {
        run(ctx, &id, WaiverCommand::DecideRenewal { approve, reasons }).await
    }

    /// Sends again every email of the case that has not gone out (a relay
    /// that was down, say). For administrators. Each email still goes out
    /// at most once.
    async fn redeliver_waiver_notifications(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> Result<WaiverCaseView> {
        let who = caller(ctx)?;
        let app = app(ctx);
        app.require_role(
            &who,
            &[Role::Admin],
            "redeliver_notifications",
            "Only administrators can send a request's emails again.",
        )
        .await?;
        let case = app
            .waiver_case_for(&who, &id, "redeliver_notifications")
            .await?;
        if let Err(e) = outbox::deliver(&app.db, &app.mailer, &case.id, None).await {
            // The rows now say what failed; the case shows them.
            tracing::warn!(error = %e, "redelivery left some emails unsent");
        }
        Ok(app.waiver_case_for(&who, &id, "read_waiver").await?.into())
    }

    async fn withdraw_waiver(
        &self,
        ctx: &Context<'_>,
        id: ID,
        reason: String,
    ) -> Result<WaiverCaseView> {
        run(ctx, &id, WaiverCommand::Withdraw { reason }).await
    }

    async fn revoke_waiver(
        &self,
        ctx: &Context<'_>,
        id: ID,
        reasons: Vec<String>,
    ) -> Result<WaiverCaseView> {
        run(ctx, &id, WaiverCommand::Revoke { reasons }).await
    }
}
