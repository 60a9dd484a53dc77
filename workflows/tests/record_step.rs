//! The record step against a real database (SQLite, or PostgreSQL when
//! DATABASE_URL names one), without Temporal: a step lands whole or not at
//! all; a rule across cases that does not hold refuses it with nothing
//! written; data the database rejects refuses it instead of failing for
//! ever; a retry of a recorded step is a no-op.
#![allow(clippy::unwrap_used)]
use chrono::{TimeZone, Utc};
use leeway_entities::{
    audit_entry, capacity_pool, case, case_command, case_snapshot, pool_queue_entry,
};
use leeway_machines::domain::actor::{Actor, Role};
use leeway_machines::engine::CaseHeader;
use leeway_machines::engine::document::{DocumentRef, Snapshot};
use leeway_machines::engine::effect::{Effect, OutgoingCommand};
use leeway_machines::engine::refusal::{Refusal, RefusalCode};
use leeway_migrations::{Migrator, MigratorTrait};
use leeway_workflows::email_templates::EmailTemplates;
use leeway_workflows::engine::record::{RecordOutcome, StepRecord, record};
use sea_orm::{
    ColumnTrait, ConnectionTrait, Database, DatabaseConnection, EntityTrait, PaginatorTrait,
    QueryFilter,
};

fn templates() -> EmailTemplates {
    EmailTemplates::built_in("Test")
}

async fn database(dir: &std::path::Path, name: &str) -> DatabaseConnection {
    let url = match std::env::var("DATABASE_URL")
        .ok()
        .filter(|u| u.starts_with("postgres"))
    {
        Some(server) => {
            let admin = Database::connect(&server).await.unwrap();
            let db = format!("leeway_test_record_{name}_{}", std::process::id());
            admin
                .execute_unprepared(&format!("DROP DATABASE IF EXISTS {db}"))
                .await
                .unwrap();
            admin
                .execute_unprepared(&format!("CREATE DATABASE {db}"))
                .await
                .unwrap();
            let base = server.rsplit_once('/').map(|(b, _)| b).unwrap_or(&server);
            format!("{base}/{db}")
        }
        None => format!("sqlite://{}?mode=rwc", dir.join("leeway.db").display()),
    };
    let db = leeway_entities::db::connect(&url).await.unwrap();
    Migrator::up(&db, None).await.unwrap();
    db
}

const POOL: &str = "network:t:seats";

fn step(case_id: &str, seq: i32, command: &str, effects: Vec<Effect>) -> StepRecord {
    StepRecord {
        program: "network".into(),
        profile_code: "TEST".into(),
        header: CaseHeader {
            id: case_id.into(),
            organisation_id: None,
            title: format!("case {case_id}"),
            assigned_reviewer: None,
            document: None,
            version: 0,
        },
        state: "operating".into(),
        case: serde_json::json!({}),
        seq,
        at: Utc
            .with_ymd_and_hms(2026, 11, 23, 12, 0, seq as u32)
            .unwrap(),
        actor: Actor {
            user_id: "root".into(),
            role: Role::Admin,
            organisation_id: "sea".into(),
        },
        command: command.into(),
        from: "operating".into(),
        to: "operating".into(),
        reasons: vec![],
        snapshot: None,
        notices: vec![],
        reviewer: None,
        clocks: vec![],
        effects,
        trace_parent: None,
    }
}

fn reserve() -> Effect {
    Effect::Reserve {
        pool: POOL.into(),
        amount: 1,
        refusal: Refusal::conflict("No seat is free."),
    }
}

fn offer() -> OutgoingCommand {
    OutgoingCommand {
        program: "network_membership".into(),
        command: serde_json::json!({ "command": "offer_seat" }),
    }
}

async fn committed(db: &DatabaseConnection) -> i64 {
    capacity_pool::Entity::find_by_id(POOL)
        .one(db)
        .await
        .unwrap()
        .unwrap()
        .committed
}

async fn entries(db: &DatabaseConnection, chain: &str) -> u64 {
    audit_entry::Entity::find()
        .filter(audit_entry::Column::Chain.eq(chain))
        .count(db)
        .await
        .unwrap()
}

#[tokio::test]
async fn rules_across_cases_hold_or_refuse_with_nothing_written() {
    let dir = tempfile::tempdir().unwrap();
    let db = database(dir.path(), "rules").await;
    let open = step(
        "net",
        1,
        "open",
        vec![Effect::OpenPool {
            pool: POOL.into(),
            label: "seats".into(),
            capacity: Some(1),
        }],
    );
    assert!(matches!(
        record(&db, &templates(), &open).await.unwrap(),
        RecordOutcome::Recorded { fresh: true, .. }
    ));
    // A retried record step finds its step and does nothing again.
    assert!(matches!(
        record(&db, &templates(), &open).await.unwrap(),
        RecordOutcome::Recorded { fresh: false, .. }
    ));
    assert_eq!(entries(&db, "net").await, 1);

    let first = step("a", 1, "select", vec![reserve()]);
    assert!(matches!(
        record(&db, &templates(), &first).await.unwrap(),
        RecordOutcome::Recorded { .. }
    ));
    assert_eq!(committed(&db).await, 1);
    // The cap holds: the second selection is refused, and nothing of its
    // step is written: no audit entry, no case, no seat.
    let second = step("b", 1, "select", vec![reserve()]);
    match record(&db, &templates(), &second).await.unwrap() {
        RecordOutcome::Refused { refusal } => {
            assert_eq!(refusal.code, RefusalCode::Conflict);
            assert_eq!(refusal.message, "No seat is free.");
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
    assert_eq!(entries(&db, "b").await, 0);
    assert!(
        case::Entity::find_by_id("b")
            .one(&db)
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(committed(&db).await, 1);

    // "b" waits; when "a" leaves, its seat passes to "b" by a command whose
    // update id comes from "a"'s step.
    let wait = step(
        "b",
        1,
        "wait_list",
        vec![Effect::Enqueue {
            pool: POOL.into(),
            rank: 0,
            since: Utc::now(),
        }],
    );
    record(&db, &templates(), &wait).await.unwrap();
    let leave = step(
        "a",
        2,
        "exit",
        vec![Effect::PassOn {
            pool: POOL.into(),
            amount: 1,
            offer: offer(),
        }],
    );
    assert!(matches!(
        record(&db, &templates(), &leave).await.unwrap(),
        RecordOutcome::Recorded {
            to_deliver: true,
            ..
        }
    ));
    let sent = case_command::Entity::find().all(&db).await.unwrap();
    assert_eq!(sent.len(), 1);
    assert_eq!(
        (sent[0].to_case.as_str(), sent[0].update_id.as_str()),
        ("b", "a#2.0")
    );
    assert_eq!(
        committed(&db).await,
        1,
        "the seat went to the offer, not back to the pool"
    );
    assert_eq!(
        pool_queue_entry::Entity::find().count(&db).await.unwrap(),
        0
    );
    // Leaving the queue when an offer is already on its way is refused.
    let withdraw = step(
        "b",
        2,
        "withdraw",
        vec![Effect::LeaveQueue {
            pool: POOL.into(),
            refusal: Refusal::conflict("An offer is on its way."),
        }],
    );
    assert!(matches!(
        record(&db, &templates(), &withdraw).await.unwrap(),
        RecordOutcome::Refused { .. }
    ));
    // With nobody waiting, a seat passed on is released.
    let decline = step(
        "b",
        2,
        "decline_offer",
        vec![Effect::PassOn {
            pool: POOL.into(),
            amount: 1,
            offer: offer(),
        }],
    );
    record(&db, &templates(), &decline).await.unwrap();
    assert_eq!(committed(&db).await, 0);
}

#[tokio::test]
async fn a_seat_over_a_lowered_cap_goes_back_instead_of_on() {
    let dir = tempfile::tempdir().unwrap();
    let db = database(dir.path(), "lowered").await;
    let open = step(
        "net",
        1,
        "open",
        vec![Effect::OpenPool {
            pool: POOL.into(),
            label: "seats".into(),
            capacity: Some(2),
        }],
    );
    record(&db, &templates(), &open).await.unwrap();
    record(&db, &templates(), &step("a", 1, "select", vec![reserve()]))
        .await
        .unwrap();
    record(&db, &templates(), &step("b", 1, "select", vec![reserve()]))
        .await
        .unwrap();
    let wait = Effect::Enqueue {
        pool: POOL.into(),
        rank: 0,
        since: Utc::now(),
    };
    record(&db, &templates(), &step("c", 1, "wait_list", vec![wait]))
        .await
        .unwrap();
    let lower = Effect::SetCapacity {
        pool: POOL.into(),
        capacity: Some(1),
    };
    record(
        &db,
        &templates(),
        &step("net", 2, "change_cap", vec![lower]),
    )
    .await
    .unwrap();
    let pass = || Effect::PassOn {
        pool: POOL.into(),
        amount: 1,
        offer: offer(),
    };
    // Two seats held under a cap of one: the first to leave gives its seat
    // back; the second passes it to the case waiting.
    record(&db, &templates(), &step("a", 2, "exit", vec![pass()]))
        .await
        .unwrap();
    assert_eq!(committed(&db).await, 1);
    assert_eq!(case_command::Entity::find().count(&db).await.unwrap(), 0);
    record(&db, &templates(), &step("b", 2, "exit", vec![pass()]))
        .await
        .unwrap();
    assert_eq!(committed(&db).await, 1);
    let sent = case_command::Entity::find().all(&db).await.unwrap();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].to_case, "c");
}

#[tokio::test]
async fn a_step_the_database_rejects_is_refused_not_retried() {
    let dir = tempfile::tempdir().unwrap();
    let db = database(dir.path(), "rejects").await;
    let doc = DocumentRef {
        hash: "d".repeat(64),
        bytes: 2,
    };
    db.execute_unprepared(&format!(
        "INSERT INTO case_documents (case_id, hash, body, bytes, created_at) VALUES ('w', '{}', '{{}}', 2, '2026-11-23 12:00:00+00:00')",
        doc.hash
    ))
    .await
    .unwrap();
    let mut submit = step("w", 1, "submit", vec![]);
    submit.snapshot = Some(Snapshot {
        version: 1,
        document: doc.clone(),
    });
    record(&db, &templates(), &submit).await.unwrap();
    // A second step that claims the same snapshot version breaks a unique
    // key: it can never be recorded, so it is refused, with nothing written.
    let mut again = step("w", 2, "submit", vec![]);
    again.snapshot = submit.snapshot.clone();
    match record(&db, &templates(), &again).await.unwrap() {
        RecordOutcome::Refused { refusal } => assert_eq!(refusal.code, RefusalCode::Validation),
        other => panic!("expected a refusal, got {other:?}"),
    }
    assert_eq!(entries(&db, "w").await, 1);
    assert_eq!(case_snapshot::Entity::find().count(&db).await.unwrap(), 1);
    let header = case::Entity::find_by_id("w")
        .one(&db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(header.last_seq, 1);
    // A step naming a document that was never stored is refused too.
    let mut missing = step("w", 2, "edit", vec![]);
    missing.header.document = Some(DocumentRef {
        hash: "e".repeat(64),
        bytes: 1,
    });
    assert!(matches!(
        record(&db, &templates(), &missing).await.unwrap(),
        RecordOutcome::Refused { .. }
    ));
    assert_eq!(entries(&db, "w").await, 1);
}
