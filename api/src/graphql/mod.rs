//! The GraphQL schema: GraphQL types live here, apart from the domain types
//! (`leeway-workflows`) and the entities (`leeway-entities`).
mod admin_mutations;
pub mod audit_types;
pub mod case_commands;
pub mod case_loaders;
pub mod case_types;
mod catalog_types;
mod content_types;
mod definition_types;
mod grant_inputs;
pub mod grant_mutations;
mod grant_queries;
pub mod grant_types;
mod inputs;
pub mod money;
mod mutation;
pub mod network_mutations;
mod network_queries;
pub mod network_types;
mod organisation_types;
mod paging;
mod progress_mutations;
mod progress_queries;
pub mod progress_types;
mod query;
mod report_mutations;
mod report_queries;
pub mod report_types;
pub mod role_types;
mod waiver_mutations;
mod waiver_queries;
pub mod waiver_types;

use crate::auth::Principal;
use crate::context::AppContext;
use crate::error::{ApiError, ApiResult};
use async_graphql::parser::types::ExecutableDocument;
use async_graphql::{EmptySubscription, MergedObject, Schema, SchemaBuilder};
use grant_types::GrantView;
use network_types::MembershipView;
use paging::{CaseConnection, CaseEdge};
use waiver_types::WaiverCaseView;

/// Every read, by program.
#[derive(MergedObject, Default)]
pub struct QueryRoot(
    query::CommonQuery,
    waiver_queries::WaiverQuery,
    network_queries::NetworkQuery,
    grant_queries::GrantQuery,
    report_queries::ReportQuery,
    progress_queries::ProgressQuery,
);

/// Every command, by program.
#[derive(MergedObject, Default)]
pub struct MutationRoot(
    mutation::CaseMutation,
    waiver_mutations::WaiverMutation,
    network_mutations::NetworkMutation,
    grant_mutations::GrantMutation,
    report_mutations::ReportMutation,
    progress_mutations::ProgressMutation,
    admin_mutations::AdminMutation,
);

pub type LeewaySchema = Schema<QueryRoot, MutationRoot, EmptySubscription>;

/// How the request authenticated, put in the request data by the HTTP layer.
#[derive(Clone, Debug)]
pub enum Caller {
    Anonymous,
    BadToken,
    /// The token could not be checked (the database is down).
    Unavailable,
    /// A good token, asking to act in a role its person does not hold.
    Refused(ApiError),
    Known(Principal),
}

/// The bounds every query runs under. Complexity counts each field once,
/// a page of a list as `first` times its selection, and a case's own
/// lists (history, notifications…) as ten times theirs.
pub const MAX_DEPTH: usize = 12;
pub const MAX_COMPLEXITY: usize = 5_000;

/// Describes the page types async-graphql builds from generics, which have
/// no doc comment of their own to carry a description.
fn describe_pages(
    builder: SchemaBuilder<QueryRoot, MutationRoot, EmptySubscription>,
) -> SchemaBuilder<QueryRoot, MutationRoot, EmptySubscription> {
    builder
        .override_output_type_description::<CaseConnection<WaiverCaseView>>(
            "A page of waiver requests, newest first. While `pageInfo.hasNextPage` is true, pass `pageInfo.endCursor` as `after` to read the next page.",
        )
        .override_output_type_description::<CaseEdge<WaiverCaseView>>(
            "One waiver request in a page, with the cursor to read on after it.",
        )
        .override_output_type_description::<CaseConnection<MembershipView>>(
            "A page of network applications and memberships, newest first. While `pageInfo.hasNextPage` is true, pass `pageInfo.endCursor` as `after` to read the next page.",
        )
        .override_output_type_description::<CaseEdge<MembershipView>>(
            "One network application or membership in a page, with the cursor to read on after it.",
        )
        .override_output_type_description::<CaseConnection<GrantView>>(
            "A page of grant applications and grants, newest first. While `pageInfo.hasNextPage` is true, pass `pageInfo.endCursor` as `after` to read the next page.",
        )
        .override_output_type_description::<CaseEdge<GrantView>>(
            "One grant application or grant in a page, with the cursor to read on after it.",
        )
}

pub fn build(app: Option<AppContext>) -> LeewaySchema {
    let builder = describe_pages(Schema::build(
        QueryRoot::default(),
        MutationRoot::default(),
        EmptySubscription,
    ))
    .limit_depth(MAX_DEPTH)
    .limit_complexity(MAX_COMPLEXITY)
    .limit_recursive_depth(32)
    .limit_directives(20);
    match app {
        Some(app) => builder.data(app).finish(),
        None => builder.finish(),
    }
}

/// The schema that answers introspection-only requests. Code generators
/// send the standard introspection query, which nests `ofType` deeper
/// than any data query may go; it reads only the schema, so it gets a
/// deeper bound of its own, and nothing else runs under it.
pub fn build_introspection() -> LeewaySchema {
    describe_pages(Schema::build(
        QueryRoot::default(),
        MutationRoot::default(),
        EmptySubscription,
    ))
    .limit_depth(24)
    .limit_complexity(20_000)
    .limit_recursive_depth(64)
    .limit_directives(20)
    .introspection_only()
    .finish()
}

/// Whether every operation of the request selects only `__schema`,
/// `__type` or `__typename` at its top level.
pub fn is_introspection_only(document: Option<&ExecutableDocument>) -> bool {
    use async_graphql::parser::types::Selection;
    let Some(document) = document else {
        return false;
    };
    let mut operations = document.operations.iter().peekable();
    operations.peek().is_some()
        && operations.all(|(_, op)| {
            op.node
                .selection_set
                .node
                .items
                .iter()
                .all(|item| match &item.node {
                    Selection::Field(f) => f.node.name.node.starts_with("__"),
                    _ => false,
                })
        })
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
        Some(Caller::Refused(e)) => Err(e.clone()),
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

    fn parsed(query: &str) -> Option<ExecutableDocument> {
        async_graphql::parser::parse_query(query).ok()
    }

    /// graphql-js's `getIntrospectionQuery()`, as codegen tools send it.
    const STANDARD_INTROSPECTION: &str = include_str!("testdata/introspection.graphql");

    #[tokio::test]
    async fn the_standard_introspection_query_has_its_own_bound() {
        let request = async_graphql::Request::new(STANDARD_INTROSPECTION);
        assert!(is_introspection_only(
            parsed(STANDARD_INTROSPECTION).as_ref()
        ));
        let refused = build(None).execute(STANDARD_INTROSPECTION).await;
        assert!(
            !refused.errors.is_empty(),
            "the data bound alone refuses it, which is why it has its own"
        );
        let answered = build_introspection().execute(request).await;
        assert!(answered.errors.is_empty(), "{:?}", answered.errors);
        let json = answered.data.into_json().unwrap();
        assert!(json["__schema"]["types"].as_array().unwrap().len() > 20);

        // A data field beside introspection goes through the data bounds,
        // and the introspection schema answers no data at all.
        let mixed = "{ __schema { queryType { name } } workflowDefinitions { name } }";
        assert!(!is_introspection_only(parsed(mixed).as_ref()));
        let r = build_introspection().execute(mixed).await;
        let data = r.data.into_json().unwrap();
        assert!(
            data.get("workflowDefinitions").is_none_or(|v| v.is_null()),
            "no data through the introspection schema: {data}"
        );
        assert!(!is_introspection_only(parsed("{ me { userId } }").as_ref()));
        assert!(!is_introspection_only(parsed("not graphql").as_ref()));
    }

    #[tokio::test]
    async fn list_sizes_count_in_the_complexity_limit() {
        // The probe's query: many aliases of a full page with nested lists.
        let alias = "waiverCases(first: 100) { edges { node { id history { command reasons } notifications { subject } items { citation } snapshots { version } } } }";
        let many: String = (0..100).map(|i| format!("a{i}: {alias} ")).collect();
        let r = build(None).execute(format!("{{ {many} }}").as_str()).await;
        assert!(
            r.errors[0].message.contains("too complex"),
            "{:?}",
            r.errors
        );
        // Even one alias of it weighs a hundred cases' lists.
        let r = build(None).execute(format!("{{ {alias} }}").as_str()).await;
        assert!(
            r.errors[0].message.contains("too complex"),
            "{:?}",
            r.errors
        );
        // A modest page is fine (it fails later, for want of a token).
        let r = build(None)
            .execute(
                "{ waiverCases(first: 20) { edges { node { id title history { command } } } } }",
            )
            .await;
        assert!(
            !r.errors[0].message.contains("too complex"),
            "{:?}",
            r.errors
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
