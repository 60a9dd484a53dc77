//! The hand-written migrations and the entities describe the same tables:
//! an empty database migrated to the end has, for every entity, exactly
//! the columns (name, type, nullability, key) that the entity would
//! create. Runs on SQLite, and on PostgreSQL when DATABASE_URL names one.
#![allow(clippy::unwrap_used)]
use leeway_entities::*;
use leeway_migrations::{Migrator, MigratorTrait};
use sea_orm_migration::sea_orm::{
    ConnectionTrait, Database, DatabaseConnection, DbBackend, EntityTrait, Schema, Statement,
};
use std::collections::BTreeSet;

/// Every entity, with its table.
async fn create_all_from_entities(db: &DatabaseConnection) {
    let schema = Schema::new(db.get_database_backend());
    macro_rules! create {
        ($($e:path),* $(,)?) => {
            $( db.execute(&schema.create_table_from_entity($e)).await.unwrap(); )*
        };
    }
    create!(
        accountability_result::Entity,
        api_token::Entity,
        audit_entry::Entity,
        audit_head::Entity,
        audit_head_log::Entity,
        audit_tree_head::Entity,
        capacity_pool::Entity,
        case::Entity,
        case_command::Entity,
        case_deadline::Entity,
        case_document::Entity,
        case_snapshot::Entity,
        idempotency_key::Entity,
        network_membership::Entity,
        notification::Entity,
        organisation::Entity,
        organisation_enrollment::Entity,
        pool_queue_entry::Entity,
        provision::Entity,
        user::Entity,
        user_affiliation::Entity,
        user_role::Entity,
        waiver_item::Entity,
        waiver_request::Entity,
    );
}

fn entity_tables() -> Vec<&'static str> {
    use sea_orm_migration::sea_orm::EntityName;
    vec![
        accountability_result::Entity.table_name(),
        api_token::Entity.table_name(),
        audit_entry::Entity.table_name(),
        audit_head::Entity.table_name(),
        audit_head_log::Entity.table_name(),
        audit_tree_head::Entity.table_name(),
        capacity_pool::Entity.table_name(),
        case::Entity.table_name(),
        case_command::Entity.table_name(),
        case_deadline::Entity.table_name(),
        case_document::Entity.table_name(),
        case_snapshot::Entity.table_name(),
        idempotency_key::Entity.table_name(),
        network_membership::Entity.table_name(),
        notification::Entity.table_name(),
        organisation::Entity.table_name(),
        organisation_enrollment::Entity.table_name(),
        pool_queue_entry::Entity.table_name(),
        provision::Entity.table_name(),
        user::Entity.table_name(),
        user_affiliation::Entity.table_name(),
        user_role::Entity.table_name(),
        waiver_item::Entity.table_name(),
        waiver_request::Entity.table_name(),
    ]
}

/// (column, type, not null, part of the primary key) for one table.
async fn columns(db: &DatabaseConnection, table: &str) -> BTreeSet<(String, String, bool, bool)> {
    let backend = db.get_database_backend();
    match backend {
        DbBackend::Sqlite => db
            .query_all_raw(Statement::from_string(
                backend,
                format!("PRAGMA table_info({table})"),
            ))
            .await
            .unwrap()
            .into_iter()
            .map(|r| {
                (
                    r.try_get::<String>("", "name").unwrap(),
                    r.try_get::<String>("", "type").unwrap().to_lowercase(),
                    r.try_get::<i32>("", "notnull").unwrap() == 1,
                    r.try_get::<i32>("", "pk").unwrap() > 0,
                )
            })
            .collect(),
        _ => {
            let sql = format!(
                "SELECT c.column_name, c.data_type, c.is_nullable, \
                 EXISTS (SELECT 1 FROM information_schema.key_column_usage k \
                   JOIN information_schema.table_constraints t ON t.constraint_name = k.constraint_name \
                   WHERE t.constraint_type = 'PRIMARY KEY' AND k.table_name = c.table_name \
                   AND k.column_name = c.column_name) AS pk \
                 FROM information_schema.columns c WHERE c.table_name = '{table}' AND c.table_schema = 'public'"
            );
            db.query_all_raw(Statement::from_string(backend, sql))
                .await
                .unwrap()
                .into_iter()
                .map(|r| {
                    (
                        r.try_get::<String>("", "column_name").unwrap(),
                        r.try_get::<String>("", "data_type").unwrap(),
                        r.try_get::<String>("", "is_nullable").unwrap() == "NO",
                        r.try_get::<bool>("", "pk").unwrap(),
                    )
                })
                .collect()
        }
    }
}

/// Two fresh, empty databases of the kind the tests run on.
async fn two_databases(
    dir: &std::path::Path,
    test: &str,
) -> (DatabaseConnection, DatabaseConnection) {
    match std::env::var("DATABASE_URL")
        .ok()
        .filter(|u| u.starts_with("postgres"))
    {
        Some(server) => {
            let admin = Database::connect(&server).await.unwrap();
            let mut out = Vec::new();
            for which in ["migrated", "entities"] {
                let name = format!("leeway_test_{test}_{which}_{}", std::process::id());
                admin
                    .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name}"))
                    .await
                    .unwrap();
                admin
                    .execute_unprepared(&format!("CREATE DATABASE {name}"))
                    .await
                    .unwrap();
                let base = server.rsplit_once('/').map(|(b, _)| b).unwrap_or(&server);
                out.push(Database::connect(format!("{base}/{name}")).await.unwrap());
            }
            let entities = out.pop().unwrap();
            (out.pop().unwrap(), entities)
        }
        None => {
            let url = |n: &str| format!("sqlite://{}?mode=rwc", dir.join(n).display());
            (
                Database::connect(url("migrated.db")).await.unwrap(),
                Database::connect(url("entities.db")).await.unwrap(),
            )
        }
    }
}

#[tokio::test]
async fn migrations_match_the_entities() {
    let dir = tempfile::tempdir().unwrap();
    let (migrated, from_entities) = two_databases(dir.path(), "schema").await;
    Migrator::up(&migrated, None).await.unwrap();
    create_all_from_entities(&from_entities).await;
    for table in entity_tables() {
        let want = columns(&from_entities, table).await;
        let have = columns(&migrated, table).await;
        assert!(!want.is_empty(), "{table} has columns");
        assert_eq!(
            have, want,
            "table {table}: migrated (left) vs entity (right)"
        );
    }
    // The tables migration 2 replaced are gone.
    for gone in ["waiver_cases", "waiver_snapshots"] {
        assert!(
            columns(&migrated, gone).await.is_empty(),
            "{gone} is dropped"
        );
    }
}

#[tokio::test]
async fn waiver_rows_recorded_before_the_engine_are_carried_over() {
    let dir = tempfile::tempdir().unwrap();
    let (db, _) = two_databases(dir.path(), "carry").await;
    Migrator::up(&db, Some(1)).await.unwrap();
    let backend = db.get_database_backend();
    let at = "2026-03-10 12:00:00+00:00";
    let content = r#"{"title":"Old request","items":[]}"#;
    for sql in [
        format!(
            "INSERT INTO waiver_cases (id, district_id, state_profile, title, state, version, content, escalated, \
             assigned_reviewer_id, term_start, term_end, recommendation, pending_amendment, last_seq, created_by, created_at, updated_at) \
             VALUES ('waiver-old', 'riverbend', 'DEMO', 'Old request', 'submitted', 1, '{content}', false, NULL, NULL, NULL, NULL, NULL, 2, 'dana', '{at}', '{at}')"
        ),
        format!(
            "INSERT INTO waiver_snapshots (case_id, version, content, content_hash, submitted_by, submitted_at) \
             VALUES ('waiver-old', 1, '{content}', 'ignored', 'raj', '{at}')"
        ),
    ] {
        db.execute_raw(Statement::from_string(backend, sql))
            .await
            .unwrap();
    }
    Migrator::up(&db, None).await.unwrap();
    let header = case::Entity::find_by_id("waiver-old")
        .one(&db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (
            header.program.as_str(),
            header.state.as_str(),
            header.organisation_id.as_deref(),
            header.last_seq
        ),
        ("waiver", "submitted", Some("riverbend"), 2)
    );
    let hash = header.document_hash.unwrap();
    let document = case_document::Entity::find_by_id(("waiver-old".to_string(), hash.clone()))
        .one(&db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(document.body, content);
    let snapshot = case_snapshot::Entity::find_by_id(("waiver-old".to_string(), 1))
        .one(&db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        snapshot.document_hash, hash,
        "the same text, by the same hash"
    );
    assert!(
        waiver_request::Entity::find_by_id("waiver-old")
            .one(&db)
            .await
            .unwrap()
            .is_some()
    );
}
