//! Reading waiver requests.
use super::case_commands::{self, CaseView};
use super::paging::{self, CaseCursor};
use super::waiver_types::{WaiverCaseView, WaiverStateView};
use super::{app, caller};
use async_graphql::connection::{Connection, EmptyFields, query};
use async_graphql::{Context, ID, Object, Result};
use leeway_entities::{case, waiver_item, waiver_request};
use leeway_machines::engine::CaseMachine;
use leeway_machines::engine::transition::StateInfo;
use leeway_machines::waiver::machine::{WaiverMachine, WaiverState};
use sea_orm::sea_query::Query;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

#[derive(Default)]
pub struct WaiverQuery;

#[Object]
impl WaiverQuery {
    /// Waiver requests the caller may see, newest first. District staff see
    /// their own district's only.
    #[allow(clippy::too_many_arguments)]
    #[graphql(complexity = "paging::page_complexity(first, child_complexity)")]
    async fn waiver_cases(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only requests in this state.")] state: Option<WaiverStateView>,
        #[graphql(
            desc = "Only this district's requests. District staff may name only their own (another is refused with FORBIDDEN, and audited); SEA staff may name any."
        )]
        district_id: Option<String>,
        #[graphql(
            desc = "Only requests whose decision clock ran out (true), or only those whose did not (false)."
        )]
        escalated: Option<bool>,
        #[graphql(
            desc = "Only requests with a line item citing this provision, exactly as cited, e.g. `702 KAR 7:125`."
        )]
        citation: Option<String>,
        #[graphql(
            desc = "The `endCursor` of the page before, to read the next page; omit it for the first page."
        )]
        after: Option<String>,
        #[graphql(
            desc = "How many to return, 0 to 100 (20 when omitted); any other number is refused with VALIDATION."
        )]
        first: Option<i32>,
    ) -> Result<Connection<CaseCursor, WaiverCaseView, EmptyFields, EmptyFields>> {
        let who = caller(ctx)?;
        let app = app(ctx);
        let district_filter = app
            .list_scope(&who, district_id, "list_waivers", "waiver request")
            .await?;
        paging::check_first(first)?;
        query(
            after,
            None,
            first,
            None,
            |after: Option<CaseCursor>,
             _before: Option<CaseCursor>,
             first: Option<usize>,
             _last: Option<usize>| async move {
                let mut select =
                    case::Entity::find().filter(case::Column::Program.eq(WaiverMachine::PROGRAM));
                if let Some(d) = &district_filter {
                    select = select.filter(case::Column::OrganisationId.eq(d.as_str()));
                }
                if let Some(s) = state {
                    select = select.filter(case::Column::State.eq(WaiverState::from(s).name()));
                }
                if let Some(e) = escalated {
                    select = select.filter(
                        case::Column::Id.in_subquery(
                            Query::select()
                                .column(waiver_request::Column::CaseId)
                                .from(waiver_request::Entity)
                                .and_where(waiver_request::Column::Escalated.eq(e))
                                .to_owned(),
                        ),
                    );
                }
                if let Some(c) = &citation {
                    select = select.filter(
                        case::Column::Id.in_subquery(
                            Query::select()
                                .column(waiver_item::Column::CaseId)
                                .from(waiver_item::Entity)
                                .and_where(waiver_item::Column::Citation.eq(c.as_str()))
                                .to_owned(),
                        ),
                    );
                }
                case_commands::page::<WaiverCaseView>(&app.db, select, after, first).await
            },
        )
        .await
    }

    /// One waiver request with its items, history, notifications and clocks.
    async fn waiver_case(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The request's case id, e.g. `waiver-3f2a1b4c5d`.")] id: ID,
    ) -> Result<WaiverCaseView> {
        let who = caller(ctx)?;
        let app = app(ctx);
        let case = app
            .case_for(
                &who,
                WaiverMachine::PROGRAM,
                WaiverMachine::NOUN,
                &id,
                "read_waiver",
            )
            .await?;
        Ok(WaiverCaseView::load(&app.db, case).await?)
    }
}
