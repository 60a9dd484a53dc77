//! Reading learning networks: the public facts and member lists, the
//! SEA's view of a network's case, and districts' applications.
use super::case_commands::{self, CaseView};
use super::network_types::{MembershipStateView, MembershipView, NetworkProgramView, NetworkView};
use super::paging::{self, CaseCursor};
use super::{app, caller};
use async_graphql::connection::{Connection, EmptyFields, query};
use async_graphql::{Context, ID, Object, Result};
use leeway_entities::{case, network_membership};
use leeway_machines::engine::CaseMachine;
use leeway_machines::engine::transition::StateInfo;
use leeway_machines::network::membership::{MembershipMachine, MembershipState};
use leeway_machines::network::program::NetworkMachine;
use sea_orm::sea_query::Query;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

#[derive(Default)]
pub struct NetworkQuery;

#[Object]
impl NetworkQuery {
    /// The state's learning networks, their seats and their members. Public.
    async fn networks(&self, ctx: &Context<'_>) -> Vec<NetworkProgramView> {
        app(ctx)
            .profile
            .networks
            .iter()
            .map(NetworkProgramView::from)
            .collect()
    }

    /// One network's public facts, seats and members. Public.
    async fn network_program(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "The network's code, e.g. `IMEN`, in any case; NOT_FOUND if the state has no such network."
        )]
        code: String,
    ) -> Result<NetworkProgramView> {
        Ok(NetworkProgramView::from(app(ctx).network_rules(&code)?))
    }

    /// A network as the SEA holds it: its case, with the history of its
    /// cap, and its wait list. For SEA staff.
    async fn network(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "The network's code, e.g. `IMEN`, in any case; NOT_FOUND if the state has no such network."
        )]
        code: String,
    ) -> Result<NetworkView> {
        let who = caller(ctx)?;
        let app = app(ctx);
        let rules = app.network_rules(&code)?;
        let case = app
            .case_for(
                &who,
                NetworkMachine::PROGRAM,
                NetworkMachine::NOUN,
                &rules.case_id(),
                "read_network",
            )
            .await?;
        Ok(NetworkView::new(case, &rules.code))
    }

    /// Applications and memberships the caller may see, newest first.
    /// District staff see their own district's only.
    #[graphql(complexity = "paging::page_complexity(first, child_complexity)")]
    async fn network_memberships(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "Only applications to this network, by its code; NOT_FOUND if the state has no such network."
        )]
        network: Option<String>,
        #[graphql(desc = "Only applications and memberships in this state.")] state: Option<
            MembershipStateView,
        >,
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
    ) -> Result<Connection<CaseCursor, MembershipView, EmptyFields, EmptyFields>> {
        let who = caller(ctx)?;
        let app = app(ctx);
        let organisation = app
            .list_scope(
                &who,
                organisation_id,
                "list_memberships",
                "network application",
            )
            .await?;
        // The code in any case names the network; the stored code is the
        // profile's own spelling.
        let network = match network {
            Some(code) => Some(app.network_rules(&code)?.code.clone()),
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
                let mut select = case::Entity::find()
                    .filter(case::Column::Program.eq(MembershipMachine::PROGRAM));
                if let Some(o) = &organisation {
                    select = select.filter(case::Column::OrganisationId.eq(o.as_str()));
                }
                if let Some(s) = state {
                    select = select.filter(case::Column::State.eq(MembershipState::from(s).name()));
                }
                if let Some(n) = &network {
                    select = select.filter(
                        case::Column::Id.in_subquery(
                            Query::select()
                                .column(network_membership::Column::CaseId)
                                .from(network_membership::Entity)
                                .and_where(network_membership::Column::Network.eq(n.as_str()))
                                .to_owned(),
                        ),
                    );
                }
                case_commands::page::<MembershipView>(&app.db, select, after, first).await
            },
        )
        .await
    }

    /// One application or membership.
    async fn network_membership(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The application's case id, e.g. `membership-3f2a1b4c5d`.")] id: ID,
    ) -> Result<MembershipView> {
        let who = caller(ctx)?;
        let app = app(ctx);
        let case = app
            .case_for(
                &who,
                MembershipMachine::PROGRAM,
                MembershipMachine::NOUN,
                &id,
                "read_membership",
            )
            .await?;
        Ok(MembershipView::load(&app.db, case).await?)
    }
}
