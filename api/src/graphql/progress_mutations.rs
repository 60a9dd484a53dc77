//! Waiver progress reports: administrators open a year's reports (the
//! schedule does at each year's end), districts submit them, reviewers
//! accept them or record concerns, approvers conclude re-reviews; each on
//! the engine's one command path.
use super::case_commands;
use super::inputs::reasons;
use super::progress_types::{GoalOutcomeView, ProgressReportView};
use super::{app, caller};
use crate::error::ApiError;
use async_graphql::{Context, ID, Object, Result};
use leeway_machines::domain::actor::Role;
use leeway_machines::report::progress::ProgressCommand;
use leeway_workflows::programs::ProgressWorkflow;
use leeway_workflows::programs::progress::{ProgressTarget, open_for_year};

#[derive(Default)]
pub struct ProgressMutation;

async fn send(
    ctx: &Context<'_>,
    mutation: &str,
    id: &ID,
    key: Option<String>,
    arguments: &impl serde::Serialize,
    command: ProgressCommand,
) -> Result<ProgressReportView> {
    case_commands::send::<ProgressWorkflow, ProgressReportView, _, _, _>(
        ctx,
        mutation,
        id,
        key,
        arguments,
        || async { Ok(command) },
    )
    .await
}

/// A revocation can only reach a waiver still in its term: one that has
/// expired (or ended otherwise) is refused here, so that no re-review
/// records a revocation its waiver would not take.
async fn waiver_in_term(ctx: &Context<'_>, id: &ID) -> Result<(), ApiError> {
    use leeway_machines::engine::transition::StateInfo;
    use leeway_machines::waiver::machine::WaiverState;
    use sea_orm::EntityTrait;
    let app = app(ctx);
    let Some(report) = leeway_entities::progress_report::Entity::find_by_id(id.as_str())
        .one(&app.db)
        .await?
    else {
        return Ok(()); // the command path names a missing case
    };
    let waiver = leeway_entities::case::Entity::find_by_id(report.waiver_id.as_str())
        .one(&app.db)
        .await?;
    let state = waiver.as_ref().and_then(|w| WaiverState::parse(&w.state));
    match state {
        Some(
            WaiverState::Active | WaiverState::AmendmentProposed | WaiverState::RenewalRequested,
        ) => Ok(()),
        Some(s) => Err(ApiError::InvalidTransition(format!(
            "The waiver {} is {}, so it cannot be revoked; conclude the re-review with revoke: false and say why.",
            report.waiver_id,
            s.label()
        ))),
        None => Err(ApiError::InvalidTransition(format!(
            "The waiver {} is not on record, so it cannot be revoked.",
            report.waiver_id
        ))),
    }
}

#[Object]
impl ProgressMutation {
    /// Administrators open the progress report of every waiver in force in
    /// a reporting year (the schedule does this when each year ends);
    /// answers their case ids, those opened before among them. Given the
    /// year in progress, it opens that year's reports early: they are the
    /// year's reports, and the year-end schedule finds them open.
    async fn open_progress_reports(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "The year the reporting year ends in (2026 for 2025-26); the year in progress may be given for an interim report."
        )]
        year: i32,
    ) -> Result<Vec<String>> {
        let who = &caller(ctx)?;
        let app = app(ctx);
        app.require_role(
            who,
            &[Role::Admin],
            "open_progress_reports",
            "Only administrators open progress reports by hand; the schedule opens each year's.",
        )
        .await?;
        let year = crate::report_service::plausible_year(year)?;
        let rules = app.report_rules()?;
        let Some(progress) = &rules.progress else {
            return Err(ApiError::NotFound(format!(
                "The state profile {} asks for no progress reports ([report.progress]).",
                app.profile.code
            ))
            .into());
        };
        let reporting = rules.year(year);
        if reporting.starts > chrono::Utc::now() {
            return Err(ApiError::Validation(format!(
                "The reporting year {} has not begun.",
                reporting.label()
            ))
            .into());
        }
        let target = ProgressTarget {
            client: &app.temporal,
            task_queue: &app.task_queue,
            profile_code: &app.profile.code,
            rules: progress,
        };
        Ok(
            open_for_year(&app.db, &target, &reporting, &who.actor, true)
                .await
                .map_err(|e| ApiError::internal("open the progress reports", e))?,
        )
    }

    /// The district's authorized representative submits the progress
    /// report: for every goal, the measure's baseline and current value for
    /// all students and by subgroup. During a re-review, a revised report.
    async fn submit_progress_report(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The progress report's case id, e.g. `progress-2026-waiver-…`.")] id: ID,
        #[graphql(desc = "One outcome per goal.")] outcomes: Vec<GoalOutcomeView>,
        #[graphql(
            desc = "A key of your choosing, 1 to 200 visible ASCII characters (a UUID, say): a retry with the same key returns the first result and never applies the command twice; the same key with other arguments is refused with CONFLICT."
        )]
        idempotency_key: Option<String>,
    ) -> Result<ProgressReportView> {
        let command = ProgressCommand::Submit {
            outcomes: outcomes.iter().cloned().map(Into::into).collect(),
        };
        send(
            ctx,
            "submitProgressReport",
            &id,
            idempotency_key,
            &outcomes,
            command,
        )
        .await
    }

    /// A reviewer accepts the progress report.
    async fn accept_progress_report(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The progress report's case id.")] id: ID,
        #[graphql(
            desc = "A key of your choosing, 1 to 200 visible ASCII characters (a UUID, say): a retry with the same key returns the first result and never applies the command twice; the same key with other arguments is refused with CONFLICT."
        )]
        idempotency_key: Option<String>,
    ) -> Result<ProgressReportView> {
        send(
            ctx,
            "acceptProgressReport",
            &id,
            idempotency_key,
            &(),
            ProgressCommand::Accept,
        )
        .await
    }

    /// A reviewer records concerns: the waiver is re-reviewed within the
    /// profile's window, and the re-review may end in revocation.
    async fn record_progress_concerns(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The progress report's case id.")] id: ID,
        #[graphql(desc = "The concerns, at least one.")] reasons: Vec<String>,
        #[graphql(
            desc = "A key of your choosing, 1 to 200 visible ASCII characters (a UUID, say): a retry with the same key returns the first result and never applies the command twice; the same key with other arguments is refused with CONFLICT."
        )]
        idempotency_key: Option<String>,
    ) -> Result<ProgressReportView> {
        let command = ProgressCommand::RecordConcerns {
            reasons: self::reasons("reasons", &reasons)?,
        };
        send(
            ctx,
            "recordProgressConcerns",
            &id,
            idempotency_key,
            &reasons,
            command,
        )
        .await
    }

    /// An approver concludes the re-review: the waiver continues, or it is
    /// revoked (the revocation is sent to the waiver in the same step).
    async fn conclude_progress_re_review(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The progress report's case id.")] id: ID,
        #[graphql(desc = "True to revoke the waiver.")] revoke: bool,
        #[graphql(desc = "Why, at least one reason.")] reasons: Vec<String>,
        #[graphql(
            desc = "A key of your choosing, 1 to 200 visible ASCII characters (a UUID, say): a retry with the same key returns the first result and never applies the command twice; the same key with other arguments is refused with CONFLICT."
        )]
        idempotency_key: Option<String>,
    ) -> Result<ProgressReportView> {
        let command = ProgressCommand::ConcludeReReview {
            revoke,
            reasons: self::reasons("reasons", &reasons)?,
        };
        if revoke {
            waiver_in_term(ctx, &id).await?;
        }
        send(
            ctx,
            "concludeProgressReReview",
            &id,
            idempotency_key,
            &(revoke, &reasons),
            command,
        )
        .await
    }
}
