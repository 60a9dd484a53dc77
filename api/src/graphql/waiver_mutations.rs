//! One mutation per waiver command, each on the engine's one command path.
//! Every mutation takes an optional idempotency key and returns the case
//! as recorded.
use super::case_commands::{self, CaseView};
use super::inputs::{self, ProvisionDecisionInput, WaiverContentInput, reasons, text};
use super::waiver_types::WaiverCaseView;
use super::{app, caller};
use crate::error::ApiError;
use async_graphql::{Context, ID, Object, Result};
use leeway_machines::waiver::content::WaiverContent;
use leeway_machines::waiver::machine::{WaiverCase, WaiverCommand, WaiverMachine};
use leeway_workflows::engine::host::CaseInput;
use leeway_workflows::programs::WaiverWorkflow;
use serde::Serialize;

#[derive(Default)]
pub struct WaiverMutation;

/// Runs one waiver command under an optional idempotency key. `make`
/// builds the command (storing any document) inside the attempt, so a
/// retry repeats it the same way.
async fn run<A, F, Fut>(
    ctx: &Context<'_>,
    mutation: &str,
    id: &ID,
    key: Option<String>,
    arguments: &A,
    make: F,
) -> Result<WaiverCaseView>
where
    A: Serialize,
    F: FnOnce() -> Fut,
    Fut: std::future::Future<Output = Result<WaiverCommand, ApiError>>,
{
    case_commands::send::<WaiverWorkflow, WaiverCaseView, _, _, _>(
        ctx, mutation, id, key, arguments, make,
    )
    .await
}

/// A command that carries nothing the client wrote.
async fn simple(
    ctx: &Context<'_>,
    mutation: &str,
    id: &ID,
    key: Option<String>,
    command: WaiverCommand,
) -> Result<WaiverCaseView> {
    run(ctx, mutation, id, key, &(), || async { Ok(command) }).await
}

#[Object]
impl WaiverMutation {
    /// Opens a new draft for the caller's district.
    async fn open_waiver_draft(
        &self,
        ctx: &Context<'_>,
        content: WaiverContentInput,
        idempotency_key: Option<String>,
    ) -> Result<WaiverCaseView> {
        let who = &caller(ctx)?;
        let app = app(ctx);
        if !who.role().is_district() {
            let reason = "Only district staff open waiver requests.";
            return Err(app.refuse(who, None, "open_waiver", reason).await.into());
        }
        case_commands::open::<WaiverWorkflow, WaiverCaseView, _, _, _>(
            ctx,
            "openWaiverDraft",
            "waiver-",
            idempotency_key,
            &content,
            |id| async {
                let district = who.actor.organisation_id.clone();
                let draft = app
                    .waiver_draft(&id, &district, &content.clone().into())
                    .await?;
                Ok(CaseInput::open(
                    WaiverCase::new(id, district, who.actor.user_id.clone(), draft),
                    app.profile.waivers.clone(),
                    app.profile.code.clone(),
                    who.actor.clone(),
                ))
            },
        )
        .await
    }

    /// Replaces the draft's content (while a draft, returned, or in revision).
    async fn edit_waiver_draft(
        &self,
        ctx: &Context<'_>,
        id: ID,
        content: WaiverContentInput,
        idempotency_key: Option<String>,
    ) -> Result<WaiverCaseView> {
        let app = app(ctx);
        let who = caller(ctx)?;
        run(
            ctx,
            "editWaiverDraft",
            &id,
            idempotency_key,
            &content,
            || async {
                let case = app
                    .case_to_change::<WaiverMachine>(&who, "edit_draft", &id)
                    .await?;
                let district = case.organisation_id.unwrap_or_default();
                let draft = app
                    .waiver_draft(&id, &district, &content.clone().into())
                    .await?;
                Ok(WaiverCommand::EditDraft { draft })
            },
        )
        .await
    }

    /// The district's authorized representative certifies and submits the
    /// request. Refused if a cited provision may not be waived.
    async fn submit_waiver(
        &self,
        ctx: &Context<'_>,
        id: ID,
        idempotency_key: Option<String>,
    ) -> Result<WaiverCaseView> {
        let app = app(ctx);
        let who = caller(ctx)?;
        run(ctx, "submitWaiver", &id, idempotency_key, &(), || async {
            let case = app
                .case_to_change::<WaiverMachine>(&who, "submit", &id)
                .await?;
            let content = match &case.document_hash {
                Some(h) => app.waiver_content(&id, h).await?,
                None => WaiverContent::default(),
            };
            Ok(WaiverCommand::Submit {
                rulings: app.rulings(&content).await?,
            })
        })
        .await
    }

    async fn accept_waiver_as_complete(
        &self,
        ctx: &Context<'_>,
        id: ID,
        idempotency_key: Option<String>,
    ) -> Result<WaiverCaseView> {
        simple(
            ctx,
            "acceptWaiverAsComplete",
            &id,
            idempotency_key,
            WaiverCommand::AcceptAsComplete,
        )
        .await
    }

    async fn return_waiver_incomplete(
        &self,
        ctx: &Context<'_>,
        id: ID,
        reasons: Vec<String>,
        idempotency_key: Option<String>,
    ) -> Result<WaiverCaseView> {
        let r = self::reasons("reason", &reasons)?;
        run(
            ctx,
            "returnWaiverIncomplete",
            &id,
            idempotency_key,
            &reasons,
            || async { Ok(WaiverCommand::ReturnIncomplete { reasons: r }) },
        )
        .await
    }

    async fn assign_waiver_reviewer(
        &self,
        ctx: &Context<'_>,
        id: ID,
        reviewer_id: String,
        idempotency_key: Option<String>,
    ) -> Result<WaiverCaseView> {
        let app = app(ctx);
        let who = caller(ctx)?;
        run(
            ctx,
            "assignWaiverReviewer",
            &id,
            idempotency_key,
            &reviewer_id,
            || async {
                let command = WaiverCommand::AssignReviewer {
                    reviewer_id: reviewer_id.trim().to_string(),
                };
                // The role first: only then may Leeway say who is a reviewer.
                app.authorize::<WaiverMachine>(&who, "assign_reviewer", Some(&id))
                    .await?;
                app.require_reviewer(reviewer_id.trim()).await?;
                Ok(command)
            },
        )
        .await
    }

    /// The assigned reviewer declares conflicts of interest before reviewing;
    /// a conflict recuses them.
    async fn declare_waiver_conflict(
        &self,
        ctx: &Context<'_>,
        id: ID,
        has_conflict: bool,
        #[graphql(default)] statement: String,
        idempotency_key: Option<String>,
    ) -> Result<WaiverCaseView> {
        let statement_text = text("statement", &statement)?;
        run(
            ctx,
            "declareWaiverConflict",
            &id,
            idempotency_key,
            &(has_conflict, &statement),
            || async {
                Ok(WaiverCommand::DeclareConflict {
                    has_conflict,
                    statement: statement_text,
                })
            },
        )
        .await
    }

    async fn request_waiver_revision(
        &self,
        ctx: &Context<'_>,
        id: ID,
        reasons: Vec<String>,
        idempotency_key: Option<String>,
    ) -> Result<WaiverCaseView> {
        let r = self::reasons("reason", &reasons)?;
        run(
            ctx,
            "requestWaiverRevision",
            &id,
            idempotency_key,
            &reasons,
            || async { Ok(WaiverCommand::RequestRevision { reasons: r }) },
        )
        .await
    }

    async fn recommend_waiver(
        &self,
        ctx: &Context<'_>,
        id: ID,
        summary: String,
        decisions: Vec<ProvisionDecisionInput>,
        idempotency_key: Option<String>,
    ) -> Result<WaiverCaseView> {
        let command = WaiverCommand::Recommend {
            summary: text("summary", &summary)?,
            decisions: inputs::decisions(decisions.clone())?,
        };
        run(
            ctx,
            "recommendWaiver",
            &id,
            idempotency_key,
            &(&summary, &decisions),
            || async { Ok(command) },
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
        idempotency_key: Option<String>,
    ) -> Result<WaiverCaseView> {
        let command = WaiverCommand::Decide {
            decisions: inputs::decisions(decisions.clone())?,
        };
        run(
            ctx,
            "decideWaiver",
            &id,
            idempotency_key,
            &decisions,
            || async { Ok(command) },
        )
        .await
    }

    /// Proposes new content for an active waiver; the term end stays.
    async fn propose_waiver_amendment(
        &self,
        ctx: &Context<'_>,
        id: ID,
        content: WaiverContentInput,
        idempotency_key: Option<String>,
    ) -> Result<WaiverCaseView> {
        let app = app(ctx);
        let who = caller(ctx)?;
        run(
            ctx,
            "proposeWaiverAmendment",
            &id,
            idempotency_key,
            &content,
            || async {
                let case = app
                    .case_to_change::<WaiverMachine>(&who, "propose_amendment", &id)
                    .await?;
                let content: WaiverContent = content.clone().into();
                let district = case.organisation_id.unwrap_or_default();
                let draft = app.waiver_draft(&id, &district, &content).await?;
                Ok(WaiverCommand::ProposeAmendment {
                    draft,
                    rulings: app.rulings(&content).await?,
                })
            },
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
        idempotency_key: Option<String>,
    ) -> Result<WaiverCaseView> {
        let command = WaiverCommand::DecideAmendment {
            approve,
            decisions: inputs::decisions(decisions.clone())?,
            reasons: self::reasons("reason", &reasons)?,
        };
        run(
            ctx,
            "decideWaiverAmendment",
            &id,
            idempotency_key,
            &(approve, &decisions, &reasons),
            || async { Ok(command) },
        )
        .await
    }

    async fn request_waiver_renewal(
        &self,
        ctx: &Context<'_>,
        id: ID,
        reason: String,
        idempotency_key: Option<String>,
    ) -> Result<WaiverCaseView> {
        let command = WaiverCommand::RequestRenewal {
            reason: text("reason", &reason)?,
        };
        run(
            ctx,
            "requestWaiverRenewal",
            &id,
            idempotency_key,
            &reason,
            || async { Ok(command) },
        )
        .await
    }

    async fn decide_waiver_renewal(
        &self,
        ctx: &Context<'_>,
        id: ID,
        approve: bool,
        #[graphql(default)] reasons: Vec<String>,
        idempotency_key: Option<String>,
    ) -> Result<WaiverCaseView> {
        let command = WaiverCommand::DecideRenewal {
            approve,
            reasons: self::reasons("reason", &reasons)?,
        };
        run(
            ctx,
            "decideWaiverRenewal",
            &id,
            idempotency_key,
            &(approve, &reasons),
            || async { Ok(command) },
        )
        .await
    }

    async fn withdraw_waiver(
        &self,
        ctx: &Context<'_>,
        id: ID,
        reason: String,
        idempotency_key: Option<String>,
    ) -> Result<WaiverCaseView> {
        let command = WaiverCommand::Withdraw {
            reason: text("reason", &reason)?,
        };
        run(
            ctx,
            "withdrawWaiver",
            &id,
            idempotency_key,
            &reason,
            || async { Ok(command) },
        )
        .await
    }

    async fn revoke_waiver(
        &self,
        ctx: &Context<'_>,
        id: ID,
        reasons: Vec<String>,
        idempotency_key: Option<String>,
    ) -> Result<WaiverCaseView> {
        let command = WaiverCommand::Revoke {
            reasons: self::reasons("reason", &reasons)?,
        };
        run(
            ctx,
            "revokeWaiver",
            &id,
            idempotency_key,
            &reasons,
            || async { Ok(command) },
        )
        .await
    }

    /// Sends again every email of the request that has not gone out. For
    /// administrators; the same as `redeliverNotifications`.
    #[graphql(deprecation = "use redeliverNotifications")]
    async fn redeliver_waiver_notifications(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> Result<WaiverCaseView> {
        let who = caller(ctx)?;
        let app = app(ctx);
        let case = app.redeliver(&who, &id).await?;
        Ok(WaiverCaseView::load(&app.db, case).await?)
    }
}
