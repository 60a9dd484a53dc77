//! The GraphQL schema: GraphQL types live here, apart from the domain types
//! (`leeway-workflows`) and the entities (`leeway-entities`).
pub mod audit_types;
pub mod case_commands;
pub mod case_types;
mod catalog_types;
mod definition_types;
mod inputs;
mod mutation;
pub mod network_mutations;
mod network_queries;
pub mod network_types;
mod organisation_types;
mod paging;
mod query;
mod waiver_mutations;
mod waiver_queries;
pub mod waiver_types;

use crate::auth::Principal;
use crate::context::AppContext;
use crate::error::{ApiError, ApiResult};
use async_graphql::{EmptySubscription, MergedObject, Schema};

/// Every read, by program.
#[derive(MergedObject, Default)]
pub struct QueryRoot(
    query::CommonQuery,
    waiver_queries::WaiverQuery,
    network_queries::NetworkQuery,
);

/// Every command, by program.
#[derive(MergedObject, Default)]
pub struct MutationRoot(
    mutation::CaseMutation,
    waiver_mutations::WaiverMutation,
    network_mutations::NetworkMutation,
);

pub type LeewaySchema = Schema<QueryRoot, MutationRoot, EmptySubscription>;

/// How the request authenticated, put in the request data by the HTTP layer.
#[derive(Clone, Debug)]
pub enum Caller {
    Anonymous,
    BadToken,
    /// The token could not be checked (the database is down).
    Unavailable,
    Known(Principal),
}

pub fn build(app: Option<AppContext>) -> LeewaySchema {
    let builder = Schema::build(
        QueryRoot::default(),
        MutationRoot::default(),
        EmptySubscription,
    )
    .limit_depth(12)
    .limit_complexity(2_000)
    .limit_recursive_depth(32)
    .limit_directives(20);
    match app {
        Some(app) => builder.data(app).finish(),
        None => builder.finish(),
    }
}

/// The SDL checked in as `api/schema.graphql`.
pub fn sdl() -> String {
    build(None).sdl()
}

pub(crate) fn app<'a>(ctx: &async_graphql::Context<'a>) -> &'a AppContext {
    ctx.data_unchecked::<AppContext>()
}

pub(crate) fn caller(ctx: &async_graphql::Context<'_>) -> ApiResult<Principal> {
    match ctx.data_opt::<Caller>() {
        Some(Caller::Known(p)) => Ok(p.clone()),
        Some(Caller::Unavailable) => Err(ApiError::Unavailable(
            "Leeway cannot check your token just now. Please try again shortly.".into(),
        )),
        _ => Err(ApiError::Unauthenticated),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn over_deep_queries_are_refused_before_running() {
        let schema = build(None);
        let deep = format!(
            "{{ __schema {{ types {{ fields {{ type {} name {} }} }} }} }}",
            "{ ofType ".repeat(12),
            "}".repeat(12)
        );
        let response = schema.execute(deep.as_str()).await;
        assert!(
            !response.errors.is_empty(),
            "a query nested past the limit is refused"
        );
        assert!(
            response.errors[0].message.contains("nested too deep"),
            "{:?}",
            response.errors
        );
    }

    #[tokio::test]
    async fn public_reads_need_no_token_and_cases_do() {
        let schema = build(None);
        let r = schema
            .execute("{ workflowDefinitions { name transitions { command from to roles } } }")
            .await;
        assert!(r.errors.is_empty(), "{:?}", r.errors);
        let json = r.data.into_json().unwrap();
        let transitions = json["workflowDefinitions"][0]["transitions"]
            .as_array()
            .unwrap()
            .len();
        assert_eq!(
            transitions,
            leeway_machines::waiver::machine::TRANSITIONS.len()
        );
        let r = schema.execute("{ me { userId } }").await;
        let code = r.errors[0]
            .extensions
            .as_ref()
            .and_then(|e| e.get("code"))
            .cloned();
        assert_eq!(code, Some(async_graphql::Value::from("UNAUTHENTICATED")));
    }
}
