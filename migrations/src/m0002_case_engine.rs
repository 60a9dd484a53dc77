//! The case engine: one header table for every program's cases, documents
//! kept by hash, snapshots, capacity pools with their queues, the command
//! outbox, idempotency keys, and the programs' own read models (waivers
//! move onto the engine; network memberships are new). Waiver rows
//! recorded before it are carried over.
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, Statement};
use sha2::{Digest, Sha256};

#[derive(DeriveMigrationName)]
pub struct Migration;

fn n(name: &'static str) -> Alias {
    Alias::new(name)
}

fn tables() -> Vec<TableCreateStatement> {
    vec![
        Table::create()
            .table(n("cases"))
            .col(string(n("id")).primary_key())
            .col(string(n("program")))
            .col(string_null(n("organisation_id")))
            .col(string(n("state_profile")))
            .col(string(n("title")))
            .col(string(n("state")))
            .col(integer(n("version")))
            .col(string_null(n("document_hash")))
            .col(string_null(n("assigned_reviewer_id")))
            .col(integer(n("last_seq")))
            .col(string(n("opened_by")))
            .col(timestamp_with_time_zone(n("created_at")))
            .col(timestamp_with_time_zone(n("updated_at")))
            .to_owned(),
        Table::create()
            .table(n("case_documents"))
            .col(string(n("case_id")))
            .col(string(n("hash")))
            .col(text(n("body")))
            .col(integer(n("bytes")))
            .col(timestamp_with_time_zone(n("created_at")))
            .primary_key(Index::create().col(n("case_id")).col(n("hash")))
            .to_owned(),
        Table::create()
            .table(n("case_snapshots"))
            .col(string(n("case_id")))
            .col(integer(n("version")))
            .col(string(n("document_hash")))
            .col(string(n("submitted_by")))
            .col(timestamp_with_time_zone(n("submitted_at")))
            .primary_key(Index::create().col(n("case_id")).col(n("version")))
            .to_owned(),
        Table::create()
            .table(n("capacity_pools"))
            .col(string(n("id")).primary_key())
            .col(string(n("label")))
            .col(big_integer_null(n("capacity")))
            .col(big_integer(n("committed")))
            .col(timestamp_with_time_zone(n("updated_at")))
            .to_owned(),
        Table::create()
            .table(n("pool_queue"))
            .col(string(n("pool_id")))
            .col(string(n("case_id")))
            .col(big_integer(n("rank")))
            .col(timestamp_with_time_zone(n("since")))
            .col(timestamp_with_time_zone(n("enqueued_at")))
            .primary_key(Index::create().col(n("pool_id")).col(n("case_id")))
            .to_owned(),
        Table::create()
            .table(n("case_commands"))
            .col(big_pk_auto(n("id")))
            .col(string(n("from_case")))
            .col(integer(n("from_seq")))
            .col(string(n("to_case")))
            .col(string(n("program")))
            .col(text(n("command")))
            .col(string_uniq(n("update_id")))
            .col(string(n("status")))
            .col(integer(n("attempts")))
            .col(string_null(n("last_error")))
            .col(timestamp_with_time_zone(n("created_at")))
            .col(timestamp_with_time_zone_null(n("delivered_at")))
            .to_owned(),
        Table::create()
            .table(n("idempotency_keys"))
            .col(string(n("user_id")))
            .col(string(n("mutation")))
            .col(string(n("key")))
            .col(string(n("request_hash")))
            .col(text_null(n("result")))
            .col(timestamp_with_time_zone(n("created_at")))
            .col(timestamp_with_time_zone_null(n("completed_at")))
            .primary_key(
                Index::create()
                    .col(n("user_id"))
                    .col(n("mutation"))
                    .col(n("key")),
            )
            .to_owned(),
        Table::create()
            .table(n("waiver_requests"))
            .col(string(n("case_id")).primary_key())
            .col(boolean(n("escalated")))
            .col(timestamp_with_time_zone_null(n("term_start")))
            .col(timestamp_with_time_zone_null(n("term_end")))
            .col(text_null(n("recommendation")))
            .col(string_null(n("pending_amendment_hash")))
            .to_owned(),
        Table::create()
            .table(n("network_memberships"))
            .col(string(n("case_id")).primary_key())
            .col(string(n("network")))
            .col(string(n("organisation_id")))
            .col(timestamp_with_time_zone_null(n("submitted_at")))
            .col(integer_null(n("review_score")))
            .col(string_null(n("cohort")))
            .col(timestamp_with_time_zone_null(n("offer_expires_at")))
            .col(timestamp_with_time_zone_null(n("planning_ends_at")))
            .col(timestamp_with_time_zone_null(n("member_since")))
            .col(timestamp_with_time_zone_null(n("recommit_due")))
            .col(integer(n("students_reached")))
            .col(text(n("school_ids")))
            .to_owned(),
    ]
}

/// Indexes for the list filters, the wait list and the clocks.
fn indexes() -> Vec<IndexCreateStatement> {
    let index = |name: &str, table: &'static str, cols: &[&'static str]| {
        let mut i = Index::create();
        i.name(name).table(n(table));
        for c in cols {
            i.col(n(c));
        }
        i.to_owned()
    };
    vec![
        index("ix_cases_program_state", "cases", &["program", "state"]),
        index(
            "ix_cases_program_created",
            "cases",
            &["program", "created_at", "id"],
        ),
        index(
            "ix_cases_organisation",
            "cases",
            &["organisation_id", "program"],
        ),
        index("ix_waiver_items_citation", "waiver_items", &["citation"]),
        index("ix_case_deadlines_due", "case_deadlines", &["due_at"]),
        index("ix_notifications_status", "notifications", &["status"]),
        index(
            "ix_pool_queue_order",
            "pool_queue",
            &["pool_id", "rank", "since"],
        ),
        index(
            "ix_case_commands_step",
            "case_commands",
            &["from_case", "from_seq"],
        ),
        index(
            "ix_network_memberships_network",
            "network_memberships",
            &["network"],
        ),
        index(
            "ix_idempotency_keys_created",
            "idempotency_keys",
            &["created_at"],
        ),
    ]
}

fn sha256(text: &str) -> String {
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Carries waiver cases recorded before the engine into its tables: the
/// header, the request's current text as a document, its snapshots.
async fn carry_over_waivers(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    let db = manager.get_connection();
    let backend = manager.get_database_backend();
    let query = |sql: &str| Statement::from_string(backend, sql.to_string());
    let rows = db
        .query_all_raw(query(
            "SELECT id, district_id, state_profile, title, state, version, content, escalated, \
             assigned_reviewer_id, term_start, term_end, recommendation, pending_amendment, \
             last_seq, created_by, created_at, updated_at FROM waiver_cases",
        ))
        .await?;
    let insert_document = |case_id: String, body: String, at: chrono::DateTime<chrono::Utc>| {
        let hash = sha256(&body);
        let stmt = Query::insert()
            .into_table(n("case_documents"))
            .columns([
                n("case_id"),
                n("hash"),
                n("body"),
                n("bytes"),
                n("created_at"),
            ])
            .values_panic([
                case_id.into(),
                hash.clone().into(),
                body.clone().into(),
                (body.len() as i32).into(),
                at.into(),
            ])
            .on_conflict(
                OnConflict::columns([n("case_id"), n("hash")])
                    .do_nothing()
                    .to_owned(),
            )
            .to_owned();
        (hash, stmt)
    };
    for row in rows {
        let id: String = row.try_get("", "id")?;
        let content: String = row.try_get("", "content")?;
        let created_at: chrono::DateTime<chrono::Utc> = row.try_get("", "created_at")?;
        let (hash, stmt) = insert_document(id.clone(), content, created_at);
        db.execute(&stmt).await?;
        let pending: Option<String> = row.try_get("", "pending_amendment")?;
        let pending_hash = match pending {
            Some(body) => {
                let (h, stmt) = insert_document(id.clone(), body, created_at);
                db.execute(&stmt).await?;
                Some(h)
            }
            None => None,
        };
        let header = Query::insert()
            .into_table(n("cases"))
            .columns(
                [
                    "id",
                    "program",
                    "organisation_id",
                    "state_profile",
                    "title",
                    "state",
                    "version",
                    "document_hash",
                    "assigned_reviewer_id",
                    "last_seq",
                    "opened_by",
                    "created_at",
                    "updated_at",
                ]
                .map(n),
            )
            .values_panic([
                id.clone().into(),
                "waiver".into(),
                row.try_get::<String>("", "district_id")?.into(),
                row.try_get::<String>("", "state_profile")?.into(),
                row.try_get::<String>("", "title")?.into(),
                row.try_get::<String>("", "state")?.into(),
                row.try_get::<i32>("", "version")?.into(),
                hash.into(),
                row.try_get::<Option<String>>("", "assigned_reviewer_id")?
                    .into(),
                row.try_get::<i32>("", "last_seq")?.into(),
                row.try_get::<String>("", "created_by")?.into(),
                created_at.into(),
                row.try_get::<chrono::DateTime<chrono::Utc>>("", "updated_at")?
                    .into(),
            ])
            .to_owned();
        db.execute(&header).await?;
        let detail = Query::insert()
            .into_table(n("waiver_requests"))
            .columns(
                [
                    "case_id",
                    "escalated",
                    "term_start",
                    "term_end",
                    "recommendation",
                    "pending_amendment_hash",
                ]
                .map(n),
            )
            .values_panic([
                id.into(),
                row.try_get::<bool>("", "escalated")?.into(),
                row.try_get::<Option<chrono::DateTime<chrono::Utc>>>("", "term_start")?
                    .into(),
                row.try_get::<Option<chrono::DateTime<chrono::Utc>>>("", "term_end")?
                    .into(),
                row.try_get::<Option<String>>("", "recommendation")?.into(),
                pending_hash.into(),
            ])
            .to_owned();
        db.execute(&detail).await?;
    }
    let snapshots = db
        .query_all_raw(query(
            "SELECT case_id, version, content, submitted_by, submitted_at FROM waiver_snapshots",
        ))
        .await?;
    for row in snapshots {
        let case_id: String = row.try_get("", "case_id")?;
        let at: chrono::DateTime<chrono::Utc> = row.try_get("", "submitted_at")?;
        let (hash, stmt) =
            insert_document(case_id.clone(), row.try_get::<String>("", "content")?, at);
        db.execute(&stmt).await?;
        let snap = Query::insert()
            .into_table(n("case_snapshots"))
            .columns(
                [
                    "case_id",
                    "version",
                    "document_hash",
                    "submitted_by",
                    "submitted_at",
                ]
                .map(n),
            )
            .values_panic([
                case_id.into(),
                row.try_get::<i32>("", "version")?.into(),
                hash.into(),
                row.try_get::<String>("", "submitted_by")?.into(),
                at.into(),
            ])
            .to_owned();
        db.execute(&snap).await?;
    }
    Ok(())
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in tables() {
            manager.create_table(table).await?;
        }
        carry_over_waivers(manager).await?;
        for table in ["waiver_snapshots", "waiver_cases"] {
            manager
                .drop_table(Table::drop().table(n(table)).to_owned())
                .await?;
        }
        for index in indexes() {
            manager.create_index(index).await?;
        }
        Ok(())
    }

    async fn down(&self, _manager: &SchemaManager) -> Result<(), DbErr> {
        Err(DbErr::Migration(
            "the case engine migration cannot be undone: restore a backup instead".into(),
        ))
    }
}
