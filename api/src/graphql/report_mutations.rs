//! One mutation per annual-report command, on the engine's one command
//! path. Certifying names the files of the draft as stored, so what the
//! approver certifies is exactly what is sent and published.
use super::case_commands;
use super::inputs::reasons;
use super::report_types::AnnualReportView;
use super::{app, caller};
use crate::error::ApiError;
use crate::report_service::plausible_year;
use async_graphql::{Context, Object, Result};
use leeway_machines::domain::actor::Role;
use leeway_machines::report::machine::{AnnualReportCase, ReportCommand};
use leeway_workflows::programs::AnnualReportWorkflow;

#[derive(Default)]
pub struct ReportMutation;

async fn case_of(ctx: &Context<'_>, year: i32) -> Result<AnnualReportCase, ApiError> {
    let row = app(ctx).annual_report(year).await?;
    serde_json::from_str(&row.detail).map_err(|e| ApiError::internal("read the report", e))
}

#[Object]
impl ReportMutation {
    /// Administrators start the annual report for a reporting year whose
    /// compilation date has come (the schedule starts each year's on its
    /// own; this is for a past year, or to start early on the day). It
    /// opens with draft 1 compiled from the records. Starting a year that
    /// is already started returns its report.
    async fn start_annual_report(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The year the reporting year ends in (2026 for 2025-26).")] year: i32,
        #[graphql(
            desc = "A key of your choosing, 1 to 200 visible ASCII characters (a UUID, say): a retry with the same key returns the first result and never applies the command twice; the same key with other arguments is refused with CONFLICT."
        )]
        idempotency_key: Option<String>,
    ) -> Result<AnnualReportView> {
        let who = &caller(ctx)?;
        let app = app(ctx);
        app.require_role(
            who,
            &[Role::Admin],
            "start_annual_report",
            "Only administrators start an annual report by hand; the schedule starts each year's.",
        )
        .await?;
        let year = plausible_year(year)?;
        app.report_rules()?;
        let view = app
            .idempotent(
                who,
                "startAnnualReport",
                idempotency_key,
                &year,
                |attempt| async move {
                    let case = app
                        .open_annual_report(&who.actor, year, attempt.update_id("open"))
                        .await?;
                    <AnnualReportView as case_commands::CaseView>::load(&app.db, case).await
                },
            )
            .await?;
        Ok(view)
    }

    /// SEA staff compile the report's figures again from the records, as a
    /// new draft with the current narrative.
    async fn recompile_annual_report(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The year the reporting year ends in.")] year: i32,
        #[graphql(
            desc = "A key of your choosing, 1 to 200 visible ASCII characters (a UUID, say): a retry with the same key returns the first result and never applies the command twice; the same key with other arguments is refused with CONFLICT."
        )]
        idempotency_key: Option<String>,
    ) -> Result<AnnualReportView> {
        let id = AnnualReportCase::case_id(year);
        case_commands::send::<AnnualReportWorkflow, AnnualReportView, _, _, _>(
            ctx,
            "recompileAnnualReport",
            &id,
            idempotency_key,
            &year,
            || async { Ok(ReportCommand::Recompile) },
        )
        .await
    }

    /// SEA staff write the narrative and the recommendations to the
    /// legislature; the report is printed again as a new draft with the
    /// same figures.
    async fn revise_annual_report(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The year the reporting year ends in.")] year: i32,
        #[graphql(
            desc = "Paragraphs printed under \"From the department\", up to 50 of up to 4,000 characters; blank ones are dropped."
        )]
        paragraphs: Vec<String>,
        #[graphql(
            desc = "Recommendations to the legislature, printed with the policy audit; up to 50."
        )]
        recommendations: Vec<String>,
        #[graphql(
            desc = "A key of your choosing, 1 to 200 visible ASCII characters (a UUID, say): a retry with the same key returns the first result and never applies the command twice; the same key with other arguments is refused with CONFLICT."
        )]
        idempotency_key: Option<String>,
    ) -> Result<AnnualReportView> {
        let id = AnnualReportCase::case_id(year);
        let paragraphs = reasons("paragraphs", &paragraphs)?;
        let recommendations = reasons("recommendations", &recommendations)?;
        case_commands::send::<AnnualReportWorkflow, AnnualReportView, _, _, _>(
            ctx,
            "reviseAnnualReport",
            &id,
            idempotency_key,
            &(year, &paragraphs, &recommendations),
            || async {
                Ok(ReportCommand::Revise {
                    paragraphs: paragraphs.clone(),
                    recommendations: recommendations.clone(),
                })
            },
        )
        .await
    }

    /// An SEA approver certifies the latest draft: it is emailed to every
    /// legislator and the profile's committee addresses with its PDF, CSV
    /// and JSON attached, published, and the files' SHA-256 recorded in
    /// the audit trail. CONFLICT if `version` is not the latest draft.
    async fn certify_annual_report(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The year the reporting year ends in.")] year: i32,
        #[graphql(desc = "The draft being certified: the latest one, as read.")] version: i32,
        #[graphql(
            desc = "A key of your choosing, 1 to 200 visible ASCII characters (a UUID, say): a retry with the same key returns the first result and never applies the command twice; the same key with other arguments is refused with CONFLICT."
        )]
        idempotency_key: Option<String>,
    ) -> Result<AnnualReportView> {
        let id = AnnualReportCase::case_id(year);
        let version = u32::try_from(version)
            .map_err(|_| ApiError::Validation(format!("{version} is not a draft number")))?;
        case_commands::send::<AnnualReportWorkflow, AnnualReportView, _, _, _>(
            ctx,
            "certifyAnnualReport",
            &id,
            idempotency_key,
            &(year, version),
            || async {
                let case = case_of(ctx, year).await?;
                let artefacts = app(ctx).draft_files(&case, version).await?;
                Ok(ReportCommand::Certify { version, artefacts })
            },
        )
        .await
    }
}
