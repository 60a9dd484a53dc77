//! Reading grants: programs and their ledgers (public), the awards
//! districts accepted (public), the program as the SEA holds it, and
//! districts' applications and grants.
use super::case_commands::{self, CaseView};
use super::grant_types::{
    GrantProgramInfo, GrantProgramView, GrantStateView, GrantView, PublicAwardView,
};
use super::paging::{self, CaseCursor};
use super::{app, caller};
use async_graphql::connection::{Connection, EmptyFields, query};
use async_graphql::{Context, ID, Object, Result};
use leeway_entities::{case, grant_case};
use leeway_machines::engine::CaseMachine;
use leeway_machines::engine::transition::StateInfo;
use leeway_machines::grant::machine::{GrantMachine, GrantState};
use leeway_machines::grant::program::GrantProgramMachine;
use sea_orm::sea_query::Query;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

#[derive(Default)]
pub struct GrantQuery;

#[Object]
impl GrantQuery {
    /// The state's grant programs with their terms and appropriation
    /// ledgers, by code. Public.
    async fn grant_programs(&self, ctx: &Context<'_>) -> Result<Vec<GrantProgramInfo>> {
        Ok(GrantProgramInfo::all(&app(ctx).db).await?)
    }

    /// One grant program's terms and ledger. Public.
    async fn grant_program(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The program's code, in any case; NOT_FOUND if there is none.")]
        code: String,
    ) -> Result<GrantProgramInfo> {
        let app = app(ctx);
        let (row, _) = app.grant_program(&code).await?;
        Ok(GrantProgramInfo::from_row(&app.db, &row).await?)
    }

    /// A grant program as the SEA holds it: its case, its ledger and the
    /// ranked slate of its applications. For SEA staff.
    async fn grant_program_case(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The program's code, in any case; NOT_FOUND if there is none.")]
        code: String,
    ) -> Result<GrantProgramView> {
        let who = caller(ctx)?;
        let app = app(ctx);
        let (row, _) = app.grant_program(&code).await?;
        let case = app
            .case_for(
                &who,
                GrantProgramMachine::PROGRAM,
                GrantProgramMachine::NOUN,
                &row.case_id,
                "read_grant_program",
            )
            .await?;
        Ok(GrantProgramView::load(&app.db, case).await?)
    }

    /// Grants districts accepted: district, program, amount and purpose.
    /// Public.
    async fn grant_awards(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only this program's, by its code in any case.")] program: Option<String>,
    ) -> Result<Vec<PublicAwardView>> {
        let app = app(ctx);
        let code = match program {
            Some(p) => Some(app.grant_program(&p).await?.0.code),
            None => None,
        };
        Ok(PublicAwardView::all(&app.db, code.as_deref()).await?)
    }

    /// Grant applications and grants the caller may see, newest first.
    /// District staff see their own district's only.
    #[graphql(complexity = "paging::page_complexity(first, child_complexity)")]
    async fn grants(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only this program's, by its code in any case.")] program: Option<String>,
        #[graphql(desc = "Only grants in this state.")] state: Option<GrantStateView>,
        #[graphql(
            desc = "Only this district's or charter's. District staff may name only their own (another is refused with FORBIDDEN, and audited); SEA staff may name any."
        )]
        organisation_id: Option<String>,
        #[graphql(
            desc = "The `endCursor` of the page before, to read the next page; omit it for the first page."
        )]
        after: Option<String>,
        #[graphql(
            desc = "How many to return, 0 to 100 (20 when omitted); any other number is refused with VALIDATION."
        )]
        first: Option<i32>,
    ) -> Result<Connection<CaseCursor, GrantView, EmptyFields, EmptyFields>> {
        let who = caller(ctx)?;
        let app = app(ctx);
        let organisation = app
            .list_scope(&who, organisation_id, "list_grants", "grant")
            .await?;
        let program = match program {
            Some(code) => Some(app.grant_program(&code).await?.0.code),
            None => None,
        };
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
                    case::Entity::find().filter(case::Column::Program.eq(GrantMachine::PROGRAM));
                if let Some(o) = &organisation {
                    select = select.filter(case::Column::OrganisationId.eq(o.as_str()));
                }
                if let Some(s) = state {
                    select = select.filter(case::Column::State.eq(GrantState::from(s).name()));
                }
                if let Some(p) = &program {
                    select = select.filter(
                        case::Column::Id.in_subquery(
                            Query::select()
                                .column(grant_case::Column::CaseId)
                                .from(grant_case::Entity)
                                .and_where(grant_case::Column::Program.eq(p.as_str()))
                                .to_owned(),
                        ),
                    );
                }
                case_commands::page::<GrantView>(&app.db, select, after, first).await
            },
        )
        .await
    }

    /// One grant application or grant.
    async fn grant(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The grant's case id, e.g. `grant-3f2a1b4c5d`.")] id: ID,
    ) -> Result<GrantView> {
        let who = caller(ctx)?;
        let app = app(ctx);
        let case = app
            .case_for(
                &who,
                GrantMachine::PROGRAM,
                GrantMachine::NOUN,
                &id,
                "read_grant",
            )
            .await?;
        Ok(GrantView::load(&app.db, case).await?)
    }
}
