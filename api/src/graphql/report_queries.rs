//! Reading the annual report: every year's report as SEA staff work on it,
//! and the published reports, which are public.
use super::case_commands::CaseView;
use super::report_types::{AnnualReportView, PublishedReportView};
use super::{app, caller};
use crate::report_service::reads_drafts;
use async_graphql::{Context, Object, Result};
use leeway_entities::{annual_report, case};
use leeway_machines::engine::CaseMachine;
use leeway_machines::report::machine::AnnualReportMachine;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

#[derive(Default)]
pub struct ReportQuery;

#[Object]
impl ReportQuery {
    /// Every year's annual report, newest year first, with its drafts. For
    /// SEA staff, fiscal officers and auditors; legislators and the public read
    /// `publishedReports`.
    async fn annual_reports(&self, ctx: &Context<'_>) -> Result<Vec<AnnualReportView>> {
        let who = caller(ctx)?;
        let app = app(ctx);
        if !reads_drafts(&who) {
            return Err(app
                .refuse(
                    &who,
                    None,
                    "read_annual_reports",
                    "Only SEA staff, fiscal officers and auditors read reports before they are published; published reports are in `publishedReports`.",
                )
                .await
                .into());
        }
        let years = annual_report::Entity::find()
            .order_by_desc(annual_report::Column::Year)
            .all(&app.db)
            .await?;
        let ids: Vec<String> = years.into_iter().map(|r| r.case_id).collect();
        let mut cases = case::Entity::find()
            .filter(case::Column::Program.eq(AnnualReportMachine::PROGRAM))
            .filter(case::Column::Id.is_in(ids.iter().cloned()))
            .all(&app.db)
            .await?;
        cases.sort_by_key(|c| ids.iter().position(|id| *id == c.id));
        Ok(AnnualReportView::load_many(&app.db, cases).await?)
    }

    /// The annual report for the year ending in `year`, with its drafts.
    /// For SEA staff, fiscal officers and auditors.
    async fn annual_report(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "The year the reporting year ends in (2026 for 2025-26); NOT_FOUND if no report was started for it."
        )]
        year: i32,
    ) -> Result<AnnualReportView> {
        let who = caller(ctx)?;
        let app = app(ctx);
        let row = app.annual_report(year).await?;
        let c = app
            .case_for(
                &who,
                AnnualReportMachine::PROGRAM,
                AnnualReportMachine::NOUN,
                &row.case_id,
                "read_annual_report",
            )
            .await?;
        Ok(AnnualReportView::load(&app.db, c).await?)
    }

    /// Every certified annual report, newest year first, with its files
    /// and their SHA-256. Public: no token needed.
    async fn published_reports(&self, ctx: &Context<'_>) -> Result<Vec<PublishedReportView>> {
        Ok(PublishedReportView::all(&app(ctx).db).await?)
    }
}
