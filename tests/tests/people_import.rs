//! `leeway import people`: a state's people, all or nothing, audited;
//! those a later file leaves out are deactivated only when asked, and then
//! can no longer sign in. On SQLite, or PostgreSQL when DATABASE_URL
//! names it.
#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions
use leeway_api::auth;
use leeway_api::import_file::{IMPORTS_CHAIN, ImportError};
use leeway_api::import_progress::Progress;
use leeway_api::people_import;
use leeway_entities::{audit_entry, user, user_affiliation};
use leeway_tests::{add_organisation, fresh_database};
use leeway_workflows::audit;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter};

const HEADER: &str = "id,name,email,organisation_id,roles,affiliations\n";

async fn fresh() -> (tempfile::TempDir, DatabaseConnection) {
    let (dir, db) = fresh_database().await;
    add_organisation(&db, "kde", "sea").await;
    add_organisation(&db, "fayette", "district").await;
    (dir, db)
}

async fn import(
    db: &DatabaseConnection,
    rows: &str,
    deactivate: bool,
) -> people_import::PeoplePlan {
    let file = format!("{HEADER}{rows}");
    let plan = people_import::plan(db, file.as_bytes(), deactivate)
        .await
        .unwrap();
    people_import::apply(db, &plan, "people.csv", "ops", &Progress::hidden())
        .await
        .unwrap();
    plan
}

#[tokio::test]
async fn people_are_upserted_and_deactivated_only_when_asked() {
    let (_dir, db) = fresh().await;
    let everyone = "ana,Ana Ruiz,Ana.Ruiz@kde.example,kde,sea_reviewer,
ben,Ben Cole,ben@fayette.example,fayette,district_authorized_rep,
cam,Cam Diaz,cam@kde.example,kde,sea_approver,
";
    let plan = import(&db, everyone, false).await;
    assert_eq!(plan.added.len(), 3);
    let ana = user::Entity::find_by_id("ana")
        .one(&db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(ana.email, "ana.ruiz@kde.example");
    // A state can now give its own people tokens.
    let token = auth::issue_token(&db, "ben", "script", None).await.unwrap();
    assert_eq!(
        auth::authenticate(&db, None, &token, None)
            .await
            .unwrap()
            .actor
            .user_id,
        "ben"
    );

    // The same file again changes nothing.
    let again = import(&db, everyone, false).await;
    assert_eq!(
        (again.added.len(), again.changed.len(), again.unchanged),
        (0, 0, 3)
    );

    // Ben is not in the next file: reported, still active.
    let without_ben = "ana,Ana Ruiz,ana.ruiz@kde.example,kde,sea_reviewer,
cam,Cam Diaz,cam@kde.example,kde,admin,
";
    let plan = import(&db, without_ben, false).await;
    assert_eq!(plan.missing, vec!["ben".to_string()]);
    assert_eq!(plan.changed.len(), 1, "Cam's role changed");
    assert!(auth::authenticate(&db, None, &token, None).await.is_ok());

    // Asked to, the import deactivates him: his token stops working and
    // no new one is issued, but he stays on record.
    let plan = import(&db, without_ben, true).await;
    assert_eq!(plan.missing, vec!["ben".to_string()]);
    let refused = auth::authenticate(&db, None, &token, None)
        .await
        .err()
        .unwrap();
    assert_eq!(refused.code(), "UNAUTHENTICATED");
    assert!(auth::issue_token(&db, "ben", "again", None).await.is_err());
    let ben = user::Entity::find_by_id("ben")
        .one(&db)
        .await
        .unwrap()
        .unwrap();
    assert!(ben.deactivated_at.is_some());

    // Listed again, he is active again.
    let plan = import(&db, everyone, false).await;
    assert!(plan.changed.iter().any(|p| p.id == "ben"));
    assert!(auth::authenticate(&db, None, &token, None).await.is_ok());

    let imports = audit_entry::Entity::find()
        .filter(audit_entry::Column::Chain.eq(IMPORTS_CHAIN))
        .count(&db)
        .await
        .unwrap();
    assert_eq!(imports, 5);
    assert!(audit::verify(&db).await.unwrap().is_intact());
}

#[tokio::test]
async fn a_people_file_with_bad_lines_names_each_and_imports_nothing() {
    let (_dir, db) = fresh().await;
    import(
        &db,
        "ana,Ana Ruiz,ana@kde.example,kde,sea_reviewer,\n",
        false,
    )
    .await;
    let bad = format!(
        "{HEADER}dee,Dee,dee@kde.example,kde,sea_reviewer,
eve,Eve,eve@nowhere.example,atlantis,sea_reviewer,
fay,Fay,fay@kde.example,kde,superuser,
dee,Dee Again,dee2@kde.example,kde,auditor,
gus,Gus,not-an-email,kde,auditor,
hal,Hal,ana@kde.example,kde,auditor,
ivy,Ivy,ivy@kde.example,kde,system,
"
    );
    let Err(ImportError::BadRows(errors)) = people_import::plan(&db, bad.as_bytes(), true).await
    else {
        panic!("a bad file was accepted");
    };
    let lines: Vec<u64> = errors.iter().map(|e| e.line).collect();
    assert_eq!(lines, vec![3, 4, 5, 6, 7, 8], "{errors:?}");
    assert!(
        errors[0].reason.contains("no organisation `atlantis`"),
        "{errors:?}"
    );
    assert!(errors[1].reason.contains("is not one of"), "{errors:?}");
    assert!(
        errors[2].reason.contains("earlier in the file"),
        "{errors:?}"
    );
    assert!(
        errors[3].reason.contains("not an email address"),
        "{errors:?}"
    );
    assert!(errors[4].reason.contains("belongs to `ana`"), "{errors:?}");
    assert!(errors[5].reason.contains("is not one of"), "{errors:?}");
    assert_eq!(user::Entity::find().count(&db).await.unwrap(), 1);
    let ana = user::Entity::find_by_id("ana")
        .one(&db)
        .await
        .unwrap()
        .unwrap();
    assert!(
        ana.deactivated_at.is_none(),
        "a refused file deactivated someone"
    );
}

#[tokio::test]
async fn a_person_holds_several_roles_acts_in_one_and_their_ties_are_kept() {
    let (_dir, db) = fresh().await;
    add_organisation(&db, "scott", "district").await;
    import(
        &db,
        "ana,Ana Ruiz,ana@kde.example,kde,sea_reviewer; fiscal_officer,former_employer:fayette; board_seat:scott\n",
        false,
    )
    .await;
    let token = auth::issue_token(&db, "ana", "script", None).await.unwrap();
    let by_default = auth::authenticate(&db, None, &token, None).await.unwrap();
    assert_eq!(by_default.actor.role.as_str(), "sea_reviewer");
    let roles: Vec<&str> = by_default.roles.iter().map(|r| r.as_str()).collect();
    assert_eq!(roles, vec!["sea_reviewer", "fiscal_officer"]);
    let as_fiscal = auth::authenticate(&db, None, &token, Some("fiscal_officer"))
        .await
        .unwrap();
    assert_eq!(as_fiscal.actor.role.as_str(), "fiscal_officer");
    let refused = auth::authenticate(&db, None, &token, Some("sea_approver"))
        .await
        .err()
        .unwrap();
    assert_eq!(refused.code(), "FORBIDDEN");
    assert!(refused.message().contains("sea_reviewer, fiscal_officer"));

    let ties = |db: DatabaseConnection| async move {
        let mut t: Vec<(String, String)> = user_affiliation::Entity::find()
            .all(&db)
            .await
            .unwrap()
            .into_iter()
            .map(|a| (a.organisation_id, a.kind))
            .collect();
        t.sort();
        t
    };
    assert_eq!(
        ties(db.clone()).await,
        vec![
            ("fayette".into(), "former_employer".into()),
            ("scott".into(), "board_seat".into())
        ]
    );
    // Dropping a role and a tie is a change, and both are gone after it.
    let plan = import(
        &db,
        "ana,Ana Ruiz,ana@kde.example,kde,sea_reviewer,board_seat:scott\n",
        false,
    )
    .await;
    assert_eq!(plan.changed.len(), 1);
    assert_eq!(
        ties(db.clone()).await,
        vec![("scott".into(), "board_seat".into())]
    );
    let refused = auth::authenticate(&db, None, &token, Some("fiscal_officer"))
        .await
        .err()
        .unwrap();
    assert_eq!(refused.code(), "FORBIDDEN");

    let bad = format!(
        "{HEADER}bo,Bo,bo@kde.example,kde,sea_reviewer,cousin:fayette
cy,Cy,cy@kde.example,kde,sea_reviewer,former_employer:atlantis
di,Di,di@kde.example,kde,,
ed,Ed,ed@kde.example,kde,auditor; auditor,
"
    );
    let Err(ImportError::BadRows(errors)) = people_import::plan(&db, bad.as_bytes(), false).await
    else {
        panic!("a bad file was accepted");
    };
    let lines: Vec<u64> = errors.iter().map(|e| e.line).collect();
    assert_eq!(lines, vec![2, 3, 4, 5], "{errors:?}");
    assert!(errors[0].reason.contains("`cousin`"), "{errors:?}");
    assert!(errors[1].reason.contains("`atlantis`"), "{errors:?}");
    assert!(errors[2].reason.contains("roles are empty"), "{errors:?}");
    assert!(errors[3].reason.contains("twice"), "{errors:?}");
}
