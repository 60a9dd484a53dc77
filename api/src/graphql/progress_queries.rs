//! Reading progress reports: a year's, for SEA staff and the district.
use super::case_commands::CaseView;
use super::progress_types::ProgressReportView;
use super::{app, caller};
use async_graphql::{Context, Object, Result};
use leeway_entities::{case, progress_report};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

#[derive(Default)]
pub struct ProgressQuery;

#[Object]
impl ProgressQuery {
    /// The progress reports on a reporting year: a district's staff see
    /// their own district's, SEA staff every district's (or one's).
    async fn progress_reports(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The year the reporting year ends in.")] year: i32,
        #[graphql(desc = "Only this district's (SEA staff); district staff always see their own.")]
        organisation_id: Option<String>,
    ) -> Result<Vec<ProgressReportView>> {
        let who = caller(ctx)?;
        let app = app(ctx);
        let scope = app
            .list_scope(
                &who,
                organisation_id,
                "list_progress_reports",
                "progress report",
            )
            .await?;
        let mut rows =
            progress_report::Entity::find().filter(progress_report::Column::Year.eq(year));
        if let Some(org) = scope {
            rows = rows.filter(progress_report::Column::DistrictId.eq(org));
        }
        let ids: Vec<String> = rows
            .order_by_asc(progress_report::Column::CaseId)
            .all(&app.db)
            .await?
            .into_iter()
            .map(|r| r.case_id)
            .collect();
        let mut cases = case::Entity::find()
            .filter(case::Column::Id.is_in(ids.iter().cloned()))
            .all(&app.db)
            .await?;
        cases.sort_by(|a, b| a.id.cmp(&b.id));
        Ok(ProgressReportView::load_many(&app.db, cases).await?)
    }
}
