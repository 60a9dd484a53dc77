//! The engine's GraphQL half of the command path and of case lists, which
//! every program's mutations and queries call: a program names its
//! workflow, its GraphQL type and how to build its command, nothing more.
use super::paging::{self, CaseCursor};
use super::{app, caller};
use crate::error::{ApiError, ApiResult};
use async_graphql::connection::{Connection, Edge, EmptyFields};
use async_graphql::{Context, OutputType, Result};
use leeway_entities::case;
use leeway_machines::engine::CaseMachine;
use leeway_workflows::engine::case_workflow::CaseWorkflow;
use leeway_workflows::engine::host::CaseInput;
use sea_orm::{DatabaseConnection, Select};
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::future::Future;

/// A program's GraphQL case type, loaded from its header and the
/// program's read model.
pub trait CaseView: OutputType + Serialize + DeserializeOwned + Sized {
    fn load(
        db: &DatabaseConnection,
        case: case::Model,
    ) -> impl Future<Output = ApiResult<Self>> + Send;

    /// Many at once, with one query for the program's rows.
    fn load_many(
        db: &DatabaseConnection,
        cases: Vec<case::Model>,
    ) -> impl Future<Output = ApiResult<Vec<Self>>> + Send;
}

type Command<W> = <<W as leeway_workflows::engine::host::Hosted>::Machine as CaseMachine>::Command;

/// Sends one command to a case under an optional idempotency key and
/// answers with the case as recorded. `make` builds the command (storing
/// any document) inside the attempt, so a retry builds it the same way.
pub async fn send<W, V, A, F, Fut>(
    ctx: &Context<'_>,
    mutation: &str,
    id: &str,
    key: Option<String>,
    arguments: &A,
    make: F,
) -> Result<V>
where
    W: CaseWorkflow,
    V: CaseView,
    A: Serialize,
    F: FnOnce() -> Fut,
    Fut: Future<Output = Result<Command<W>, ApiError>>,
{
    let who = &caller(ctx)?;
    let app = app(ctx);
    // Boxed, here and in `open`: every program's mutation awaits one of
    // these, and a resolver's frame holds the largest of its mutations'
    // futures; unboxed, a debug build's GraphQL stack outgrew 2 MB.
    let view =
        Box::pin(
            app.idempotent(who, mutation, key, &(id, arguments), |attempt| async move {
                let command = make().await?;
                let case = app
                    .command::<W>(who, id, command, attempt.update_id("command"))
                    .await?;
                V::load(&app.db, case).await
            }),
        )
        .await?;
    Ok(view)
}

/// Opens a case under an optional idempotency key and answers with it as
/// recorded. `build` makes the opening input (storing any document) for
/// the new case's id, which a retry with the same key gets again.
pub async fn open<W, V, A, F, Fut>(
    ctx: &Context<'_>,
    mutation: &str,
    id_prefix: &str,
    key: Option<String>,
    arguments: &A,
    build: F,
) -> Result<V>
where
    W: CaseWorkflow,
    V: CaseView,
    A: Serialize,
    F: FnOnce(String) -> Fut,
    Fut: Future<Output = Result<CaseInput<W::Machine>, ApiError>>,
{
    let who = &caller(ctx)?;
    let app = app(ctx);
    let view = Box::pin(
        app.idempotent(who, mutation, key, arguments, |attempt| async move {
            let input = build(attempt.case_id(id_prefix)).await?;
            let case = app.open_case::<W>(input, attempt.update_id("open")).await?;
            V::load(&app.db, case).await
        }),
    )
    .await?;
    Ok(view)
}

/// One page of cases, newest first, as a Relay connection.
pub async fn page<V: CaseView>(
    db: &DatabaseConnection,
    select: Select<case::Entity>,
    after: Option<CaseCursor>,
    first: Option<usize>,
) -> Result<Connection<CaseCursor, V, EmptyFields, EmptyFields>> {
    let (rows, more) = paging::page(db, select, after.as_ref(), first).await?;
    let cursors: Vec<CaseCursor> = rows.iter().map(CaseCursor::of).collect();
    let views = V::load_many(db, rows).await?;
    let mut connection = Connection::new(after.is_some(), more);
    connection.edges.extend(
        cursors
            .into_iter()
            .zip(views)
            .map(|(cursor, view)| Edge::new(cursor, view)),
    );
    Ok(connection)
}
