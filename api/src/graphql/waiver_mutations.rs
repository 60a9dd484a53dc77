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
        #[graphql(
            desc = "The request as written so far; it may be incomplete until it is submitted."
        )]
        content: WaiverContentInput,
        #[graphql(
            desc = "A key of your choosing, 1 to 200 visible ASCII characters (a UUID, say): a retry with the same key returns the first result and never applies the command twice; the same key with other arguments is refused with CONFLICT."
        )]
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
        #[graphql(desc = "The request's case id, e.g. `waiver-3f2a1b4c5d`.")] id: ID,
        #[graphql(desc = "The request in full; it replaces the text before.")]
        content: WaiverContentInput,
        #[graphql(
            desc = "A key of your choosing, 1 to 200 visible ASCII characters (a UUID, say): a retry with the same key returns the first result and never applies the command twice; the same key with other arguments is refused with CONFLICT."
        )]
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
        #[graphql(desc = "The request's case id, e.g. `waiver-3f2a1b4c5d`.")] id: ID,
        #[graphql(
            desc = "A key of your choosing, 1 to 200 visible ASCII characters (a UUID, say): a retry with the same key returns the first result and never applies the command twice; the same key with other arguments is refused with CONFLICT."
        )]
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

    /// An SEA reviewer accepts a submitted request as complete (`SUBMITTED` to
    /// `ACCEPTED`); the approvers are asked to assign a reviewer.
    async fn accept_waiver_as_complete(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The request's case id, e.g. `waiver-3f2a1b4c5d`.")] id: ID,
        #[graphql(
            desc = "A key of your choosing, 1 to 200 visible ASCII characters (a UUID, say): a retry with the same key returns the first result and never applies the command twice; the same key with other arguments is refused with CONFLICT."
        )]
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

    /// An SEA reviewer returns a submitted request to the district as
    /// incomplete, with reasons (`SUBMITTED` to `RETURNED`). The decision
    /// clock stops, and starts afresh when the request is submitted again.
    async fn return_waiver_incomplete(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The request's case id, e.g. `waiver-3f2a1b4c5d`.")] id: ID,
        #[graphql(
            desc = "What is missing, one per entry (at most 50, each up to 4,000 characters; blank entries are dropped); at least one. The district's email lists them."
        )]
        reasons: Vec<String>,
        #[graphql(
            desc = "A key of your choosing, 1 to 200 visible ASCII characters (a UUID, say): a retry with the same key returns the first result and never applies the command twice; the same key with other arguments is refused with CONFLICT."
        )]
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

    /// An SEA approver assigns a reviewer to a complete request (`ACCEPTED` to
    /// `REVIEWER_ASSIGNED`). Refused with VALIDATION unless the person is an
    /// active SEA reviewer not recused from this request.
    async fn assign_waiver_reviewer(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The request's case id, e.g. `waiver-3f2a1b4c5d`.")] id: ID,
        #[graphql(desc = "The user id of the SEA reviewer to assign.")] reviewer_id: String,
        #[graphql(
            desc = "A key of your choosing, 1 to 200 visible ASCII characters (a UUID, say): a retry with the same key returns the first result and never applies the command twice; the same key with other arguments is refused with CONFLICT."
        )]
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
        #[graphql(desc = "The request's case id, e.g. `waiver-3f2a1b4c5d`.")] id: ID,
        #[graphql(
            desc = "True if the reviewer has a conflict of interest: they are recused and the request returns to `ACCEPTED` for another reviewer. False to begin the review (`IN_REVIEW`)."
        )]
        has_conflict: bool,
        #[graphql(
            default,
            desc = "The conflict, described (required when `hasConflict` is true), or an optional note; up to 4,000 characters. Never shown to district staff."
        )]
        statement: String,
        #[graphql(
            desc = "A key of your choosing, 1 to 200 visible ASCII characters (a UUID, say): a retry with the same key returns the first result and never applies the command twice; the same key with other arguments is refused with CONFLICT."
        )]
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

    /// The assigned reviewer sends the request back to the district for
    /// revision, with reasons (`IN_REVIEW` to `REVISION_REQUESTED`). The
    /// decision clock stops, and starts afresh when it is submitted again.
    async fn request_waiver_revision(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The request's case id, e.g. `waiver-3f2a1b4c5d`.")] id: ID,
        #[graphql(
            desc = "What to revise, one per entry (at most 50, each up to 4,000 characters; blank entries are dropped); at least one. The district's email lists them."
        )]
        reasons: Vec<String>,
        #[graphql(
            desc = "A key of your choosing, 1 to 200 visible ASCII characters (a UUID, say): a retry with the same key returns the first result and never applies the command twice; the same key with other arguments is refused with CONFLICT."
        )]
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

    /// The assigned reviewer recommends an outcome for every provision, with a
    /// summary (`IN_REVIEW` to `RECOMMENDED`). The recommendation is withheld
    /// from district staff until the approver decides.
    async fn recommend_waiver(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The request's case id, e.g. `waiver-3f2a1b4c5d`.")] id: ID,
        #[graphql(
            desc = "The recommendation in brief, up to 4,000 characters; required. The approvers' email quotes it."
        )]
        summary: String,
        #[graphql(
            desc = "The recommended outcome for every provision of the request, each exactly once."
        )]
        decisions: Vec<ProvisionDecisionInput>,
        #[graphql(
            desc = "A key of your choosing, 1 to 200 visible ASCII characters (a UUID, say): a retry with the same key returns the first result and never applies the command twice; the same key with other arguments is refused with CONFLICT."
        )]
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
        #[graphql(desc = "The request's case id, e.g. `waiver-3f2a1b4c5d`.")] id: ID,
        #[graphql(
            desc = "An outcome for every provision of the request, each exactly once. If any is approved the waiver is `ACTIVE` and its term starts; if all are denied the request is `DENIED`. Accepted only after the reviewer's recommendation, or once the request is escalated (else INVALID_TRANSITION)."
        )]
        decisions: Vec<ProvisionDecisionInput>,
        #[graphql(
            desc = "A key of your choosing, 1 to 200 visible ASCII characters (a UUID, say): a retry with the same key returns the first result and never applies the command twice; the same key with other arguments is refused with CONFLICT."
        )]
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
        #[graphql(desc = "The request's case id, e.g. `waiver-3f2a1b4c5d`.")] id: ID,
        #[graphql(
            desc = "The amended request in full. It must be ready to submit and cite only waivable provisions (else VALIDATION); it is frozen as a new version."
        )]
        content: WaiverContentInput,
        #[graphql(
            desc = "A key of your choosing, 1 to 200 visible ASCII characters (a UUID, say): a retry with the same key returns the first result and never applies the command twice; the same key with other arguments is refused with CONFLICT."
        )]
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
        #[graphql(desc = "The request's case id, e.g. `waiver-3f2a1b4c5d`.")] id: ID,
        #[graphql(
            desc = "True to approve the amendment, with `decisions`; false to deny it, with `reasons`."
        )]
        approve: bool,
        #[graphql(
            default,
            desc = "When approving: an outcome for every provision of the amended request, each exactly once, at least one approved."
        )]
        decisions: Vec<ProvisionDecisionInput>,
        #[graphql(
            default,
            desc = "When denying: why, one per entry (at most 50, each up to 4,000 characters; blank entries are dropped); at least one."
        )]
        reasons: Vec<String>,
        #[graphql(
            desc = "A key of your choosing, 1 to 200 visible ASCII characters (a UUID, say): a retry with the same key returns the first result and never applies the command twice; the same key with other arguments is refused with CONFLICT."
        )]
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

    /// The district's authorized representative asks to renew an active waiver,
    /// saying why (`ACTIVE` to `RENEWAL_REQUESTED`).
    async fn request_waiver_renewal(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The request's case id, e.g. `waiver-3f2a1b4c5d`.")] id: ID,
        #[graphql(desc = "Why the waiver should be renewed, up to 4,000 characters; required.")]
        reason: String,
        #[graphql(
            desc = "A key of your choosing, 1 to 200 visible ASCII characters (a UUID, say): a retry with the same key returns the first result and never applies the command twice; the same key with other arguments is refused with CONFLICT."
        )]
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

    /// An SEA approver decides a renewal: approving starts a new term where the
    /// current one ends, by the state's term rule; denying needs reasons and
    /// leaves the term as it was. Either way the waiver is `ACTIVE` again.
    async fn decide_waiver_renewal(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The request's case id, e.g. `waiver-3f2a1b4c5d`.")] id: ID,
        #[graphql(
            desc = "True to renew for a new term; false to deny the renewal, with `reasons`."
        )]
        approve: bool,
        #[graphql(
            default,
            desc = "Why, one per entry (at most 50, each up to 4,000 characters; blank entries are dropped); required when denying."
        )]
        reasons: Vec<String>,
        #[graphql(
            desc = "A key of your choosing, 1 to 200 visible ASCII characters (a UUID, say): a retry with the same key returns the first result and never applies the command twice; the same key with other arguments is refused with CONFLICT."
        )]
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

    /// District staff withdraw the request at any point before it is decided,
    /// saying why (`WITHDRAWN`, final).
    async fn withdraw_waiver(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The request's case id, e.g. `waiver-3f2a1b4c5d`.")] id: ID,
        #[graphql(
            desc = "Why the district withdraws the request, up to 4,000 characters; required."
        )]
        reason: String,
        #[graphql(
            desc = "A key of your choosing, 1 to 200 visible ASCII characters (a UUID, say): a retry with the same key returns the first result and never applies the command twice; the same key with other arguments is refused with CONFLICT."
        )]
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

    /// An SEA approver revokes a waiver during its term, with reasons
    /// (`REVOKED`, final); a pending amendment is dropped.
    async fn revoke_waiver(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The request's case id, e.g. `waiver-3f2a1b4c5d`.")] id: ID,
        #[graphql(
            desc = "Why the waiver is revoked, one per entry (at most 50, each up to 4,000 characters; blank entries are dropped); at least one. The district's email lists them."
        )]
        reasons: Vec<String>,
        #[graphql(
            desc = "A key of your choosing, 1 to 200 visible ASCII characters (a UUID, say): a retry with the same key returns the first result and never applies the command twice; the same key with other arguments is refused with CONFLICT."
        )]
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
        #[graphql(desc = "The request's case id, e.g. `waiver-3f2a1b4c5d`.")] id: ID,
    ) -> Result<WaiverCaseView> {
        let who = caller(ctx)?;
        let app = app(ctx);
        let case = app.redeliver(&who, &id).await?;
        Ok(WaiverCaseView::load(&app.db, case).await?)
    }
}
