//! The report's figures as the database compiles them, against the same
//! figures counted item by item in Rust from a synthetic state (60
//! districts over six school years): on SQLite, or PostgreSQL when
//! DATABASE_URL names one.
#![allow(clippy::unwrap_used)]
use chrono::{TimeZone, Utc};
use leeway_migrations::{Migrator, MigratorTrait};
use leeway_workflows::report_figures::{Period, most_waived, waivers_by_provision};
use leeway_workflows::report_synthetic::{expected, generate, load};
use sea_orm::{ConnectionTrait, Database, DatabaseConnection};

async fn database(dir: &std::path::Path, name: &str) -> DatabaseConnection {
    let url = match std::env::var("DATABASE_URL")
        .ok()
        .filter(|u| u.starts_with("postgres"))
    {
        Some(server) => {
            let admin = Database::connect(&server).await.unwrap();
            let db = format!("leeway_test_{name}_{}", std::process::id());
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
        None => format!("sqlite://{}?mode=rwc", dir.join("report.db").display()),
    };
    let db = leeway_entities::db::connect(&url).await.unwrap();
    Migrator::up(&db, None).await.unwrap();
    db
}

#[tokio::test]
async fn waivers_by_provision_match_an_item_by_item_count() {
    let dir = tempfile::tempdir().unwrap();
    let db = database(dir.path(), "provisions").await;
    let waivers = generate(60, 6, 2019, 7);
    load(&db, &waivers).await.unwrap();
    let mut seen = [0i64; 6];
    for ends_in in 2020..=2026 {
        let year = Period {
            starts: Utc.with_ymd_and_hms(ends_in - 1, 7, 1, 0, 0, 0).unwrap(),
            ends: Utc.with_ymd_and_hms(ends_in, 7, 1, 0, 0, 0).unwrap(),
        };
        let compiled = waivers_by_provision(&db, year).await.unwrap();
        let counted = expected(&waivers, year);
        assert_eq!(compiled, counted, "the year ending in {ends_in}");
        for f in &compiled {
            for (i, n) in [
                f.requested,
                f.approved,
                f.denied,
                f.active,
                f.expired,
                f.revoked,
            ]
            .into_iter()
            .enumerate()
            {
                seen[i] += n;
            }
        }
        let top = most_waived(&compiled, 5);
        assert!(top.len() <= 5);
        assert!(top.windows(2).all(|w| w[0].active >= w[1].active));
    }
    // Every kind of figure occurs, so each comparison above meant something.
    assert!(
        seen.iter().all(|n| *n > 0),
        "some figure never occurred: {seen:?}"
    );
}

#[tokio::test]
async fn districts_and_students_reached_match_a_district_by_district_count() {
    use leeway_workflows::report_figures::{designations, reach};
    use leeway_workflows::report_synthetic::{
        districts, expected_districts, expected_students, load_districts,
    };
    let dir = tempfile::tempdir().unwrap();
    let db = database(dir.path(), "reach").await;
    let waivers = generate(80, 6, 2019, 11);
    let state = districts(80, 11);
    load_districts(&db, &state).await.unwrap();
    load(&db, &waivers).await.unwrap();
    let state_enrollment: i64 = state.iter().map(|d| d.enrollment).sum();
    let mut new_seen = 0;
    for ends_in in 2020..=2026 {
        let year = Period {
            starts: Utc.with_ymd_and_hms(ends_in - 1, 7, 1, 0, 0, 0).unwrap(),
            ends: Utc.with_ymd_and_hms(ends_in, 7, 1, 0, 0, 0).unwrap(),
        };
        let d = designations(&db, year).await.unwrap();
        let (total, new) = expected_districts(&waivers, year);
        assert_eq!(
            (d.districts_total, d.districts_new),
            (total, new),
            "the year ending in {ends_in}"
        );
        assert_eq!((d.zones_total, d.school_waivers_total), (0, 0));
        new_seen += new;
        let r = reach(&db, year, ends_in).await.unwrap();
        let (students, groups) = expected_students(&waivers, &state, year);
        assert_eq!(r.students, students, "the year ending in {ends_in}");
        assert_eq!(r.subgroups, groups, "the year ending in {ends_in}");
        assert_eq!(r.state_enrollment, state_enrollment);
    }
    assert!(new_seen > 0, "no district was ever new");
}
