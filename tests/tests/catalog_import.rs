//! `leeway import catalog`: a state's own provisions, all or nothing,
//! idempotent, audited with the file's hash; on SQLite, or PostgreSQL when
//! DATABASE_URL names it.
#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions
use leeway_api::catalog_import;
use leeway_api::import_file::{IMPORTS_CHAIN, ImportError};
use leeway_api::import_progress::Progress;
use leeway_entities::{audit_entry, provision};
use leeway_tests::fresh_database;
use leeway_workflows::audit;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter};
use sha2::{Digest, Sha256};

const KY: &str = include_str!("../../docs/examples/ky-catalog.csv");

async fn imports(db: &DatabaseConnection) -> Vec<audit_entry::Model> {
    audit_entry::Entity::find()
        .filter(audit_entry::Column::Chain.eq(IMPORTS_CHAIN))
        .all(db)
        .await
        .unwrap()
}

#[tokio::test]
async fn a_states_catalog_is_imported_once_and_audited_with_its_hash() {
    let (_dir, db) = fresh_database().await;
    let plan = catalog_import::plan(&db, KY.as_bytes()).await.unwrap();
    assert_eq!((plan.added.len(), plan.changed.len()), (15, 0));
    // Planning (a dry run) writes nothing.
    assert_eq!(provision::Entity::find().count(&db).await.unwrap(), 0);
    catalog_import::apply(&db, &plan, "ky-catalog.csv", "ops", &Progress::hidden())
        .await
        .unwrap();

    let checks = provision::Entity::find_by_id("KRS 160.380")
        .one(&db)
        .await
        .unwrap()
        .unwrap();
    assert!(!checks.waivable);
    assert!(
        checks
            .non_waivable_reason
            .unwrap()
            .contains("criminal background checks")
    );
    let seat_time = provision::Entity::find_by_id("702 KAR 7:125")
        .one(&db)
        .await
        .unwrap()
        .unwrap();
    assert!(seat_time.waivable && seat_time.non_waivable_reason.is_none());

    let entries = imports(&db).await;
    assert_eq!(entries.len(), 1);
    let sha = hex::encode(Sha256::digest(KY.as_bytes()));
    assert!(entries[0].reasons.contains(&sha), "{}", entries[0].reasons);
    assert_eq!(entries[0].actor_user_id, "ops");

    // The same file again changes nothing.
    let again = catalog_import::plan(&db, KY.as_bytes()).await.unwrap();
    assert_eq!(
        (again.added.len(), again.changed.len(), again.unchanged),
        (0, 0, 15)
    );

    // A changed title is an update, not a second row.
    let edited = KY.replace(
        "Minimum high school graduation requirements",
        "Minimum requirements for high school graduation",
    );
    let plan = catalog_import::plan(&db, edited.as_bytes()).await.unwrap();
    assert_eq!((plan.added.len(), plan.changed.len()), (0, 1));
    catalog_import::apply(&db, &plan, "ky-catalog.csv", "ops", &Progress::hidden())
        .await
        .unwrap();
    let row = provision::Entity::find_by_id("704 KAR 3:305")
        .one(&db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.title, "Minimum requirements for high school graduation");
    assert_eq!(provision::Entity::find().count(&db).await.unwrap(), 15);
    assert_eq!(imports(&db).await.len(), 2);
    assert!(audit::verify(&db).await.unwrap().is_intact());
}

#[tokio::test]
async fn a_file_with_bad_lines_names_each_and_imports_nothing() {
    let (_dir, db) = fresh_database().await;
    let bad = "citation,title,category,waivable,non_waivable_reason,effective_from,effective_to
KRS 160.345,School councils,governance,yes,,2025-08-13,
KRS 158.070,Instructional year,instructional_time,no,,2025-08-13,
KRS 160.345,School councils again,governance,yes,,2025-08-13,
KRS 158.6453,State assessment,assessment,no,federal,13/08/2025,
KRS 61.870,Open \u{7}records,open_records,no,KRS Chapter 61,2025-08-13,
KRS 156.265,Audits,finance,perhaps,,2025-08-13,
KRS 158.030,Compulsory age,attendance,no,attendance,2025-08-13,2020-01-01
";
    let Err(ImportError::BadRows(errors)) = catalog_import::plan(&db, bad.as_bytes()).await else {
        panic!("a bad file was accepted");
    };
    let lines: Vec<u64> = errors.iter().map(|e| e.line).collect();
    assert_eq!(lines, vec![3, 4, 5, 6, 7, 8], "{errors:?}");
    assert!(errors[0].reason.contains("must say why"), "{errors:?}");
    assert!(
        errors[1].reason.contains("earlier in the file"),
        "{errors:?}"
    );
    assert!(errors[2].reason.contains("not a date"), "{errors:?}");
    assert!(errors[3].reason.contains("control character"), "{errors:?}");
    assert!(errors[4].reason.contains("yes or no"), "{errors:?}");
    assert!(errors[5].reason.contains("ends before"), "{errors:?}");
    assert_eq!(provision::Entity::find().count(&db).await.unwrap(), 0);
    assert!(imports(&db).await.is_empty());

    let wrong_header = "citation,name\nKRS 1,x\n";
    let Err(ImportError::BadRows(errors)) =
        catalog_import::plan(&db, wrong_header.as_bytes()).await
    else {
        panic!("a file with the wrong header was accepted");
    };
    assert_eq!(errors[0].line, 1);
    assert!(errors[0].reason.contains("the header must be"));
}
