//! An administrator edits single records of the state's data through
//! GraphQL: checked as the imports check a file, audited on the `imports`
//! chain, refused to anyone else. On SQLite, or PostgreSQL when
//! DATABASE_URL names it.
#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions
use leeway_api::import_file::IMPORTS_CHAIN;
use leeway_entities::{
    audit_entry, organisation, organisation_enrollment, user, user_affiliation, user_role,
};
use leeway_tests::TestApp;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::json;

const ADMIN: &str = "demo-admin";
const REVIEWER: &str = "demo-reviewer";

const UPSERT_ORG: &str =
    "mutation($i: OrganisationInput!) { upsertOrganisation(input: $i) { summary } }";
const UPSERT_PERSON: &str = "mutation($i: PersonInput!) { upsertPerson(input: $i) { summary } }";
const DEACTIVATE: &str = "mutation($id: ID!) { deactivatePerson(id: $id) { summary } }";
const UPSERT_PROVISION: &str =
    "mutation($i: ProvisionInput!) { upsertProvision(input: $i) { summary } }";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_administrator_edits_one_record_at_a_time_checked_and_audited() {
    let app = TestApp::start("DEMO").await;
    let db = app.running.app.db.clone();
    let school = json!({ "i": {
        "id": "riverbend-east", "name": "Riverbend East Elementary", "kind": "SCHOOL",
        "parentId": "riverbend", "equityFlags": ["rural"],
        "enrollment": [{ "schoolYear": 2025, "total": 310, "studentsInPoverty": 140,
                         "subgroups": [{ "name": "english_learners", "count": 22 }] }]
    }});
    let done = app.ok(ADMIN, UPSERT_ORG, school.clone()).await;
    assert!(
        done["upsertOrganisation"]["summary"]
            .as_str()
            .unwrap()
            .starts_with("1 organisation(s) to add"),
        "{done}"
    );
    let east = organisation::Entity::find_by_id("riverbend-east")
        .one(&db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((east.kind.as_str(), east.enrollment), ("school", Some(310)));
    assert_eq!(
        organisation_enrollment::Entity::find()
            .filter(organisation_enrollment::Column::OrganisationId.eq("riverbend-east"))
            .count(&db)
            .await
            .unwrap(),
        1
    );
    // The same record again changes nothing.
    let again = app.ok(ADMIN, UPSERT_ORG, school).await;
    assert!(
        again["upsertOrganisation"]["summary"]
            .as_str()
            .unwrap()
            .contains("1 unchanged"),
        "{again}"
    );

    // A school with no district is refused with the import's reason, and
    // nothing is written.
    let (code, message) = app
        .refused(
            Some(ADMIN),
            UPSERT_ORG,
            json!({ "i": { "id": "lost", "name": "Lost School", "kind": "SCHOOL" } }),
        )
        .await;
    assert_eq!(code, "VALIDATION");
    assert!(message.contains("needs its parent district"), "{message}");
    assert!(
        organisation::Entity::find_by_id("lost")
            .one(&db)
            .await
            .unwrap()
            .is_none()
    );

    // A person with two roles and a tie to a district.
    let person = json!({ "i": {
        "id": "quinn", "name": "Quinn Reyes", "email": "Quinn.Reyes@sea.demo.example",
        "organisationId": "sea", "roles": ["SEA_REVIEWER", "FISCAL_OFFICER"],
        "affiliations": [{ "organisationId": "riverbend", "kind": "FORMER_EMPLOYER" }]
    }});
    app.ok(ADMIN, UPSERT_PERSON, person).await;
    let quinn = user::Entity::find_by_id("quinn")
        .one(&db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (quinn.email.as_str(), quinn.role.as_str()),
        ("quinn.reyes@sea.demo.example", "sea_reviewer")
    );
    assert_eq!(
        user_role::Entity::find()
            .filter(user_role::Column::UserId.eq("quinn"))
            .one(&db)
            .await
            .unwrap()
            .unwrap()
            .role,
        "fiscal_officer"
    );
    assert_eq!(
        user_affiliation::Entity::find()
            .filter(user_affiliation::Column::UserId.eq("quinn"))
            .count(&db)
            .await
            .unwrap(),
        1
    );
    let (code, _) = app
        .refused(
            Some(ADMIN),
            UPSERT_PERSON,
            json!({ "i": { "id": "x", "name": "X", "email": "rita@sea.demo.example",
                           "organisationId": "atlantis", "roles": [] } }),
        )
        .await;
    assert_eq!(code, "VALIDATION");

    // Deactivating someone stops their token; no one deactivates themselves.
    leeway_api::auth::issue_token(&db, "quinn", "test", Some("quinn-token".into()))
        .await
        .unwrap();
    assert!(
        app.gql(Some("quinn-token"), "{ me { name } }", json!({}))
            .await["errors"]
            .is_null()
    );
    app.ok(ADMIN, DEACTIVATE, json!({ "id": "quinn" })).await;
    let (code, _) = app
        .refused(Some("quinn-token"), "{ me { name } }", json!({}))
        .await;
    assert_eq!(code, "UNAUTHENTICATED");
    let (code, _) = app
        .refused(Some(ADMIN), DEACTIVATE, json!({ "id": "root" }))
        .await;
    assert_eq!(code, "VALIDATION");

    app.ok(
        ADMIN,
        UPSERT_PROVISION,
        json!({ "i": { "citation": "DS 22-9-100", "title": "Student records privacy",
                       "category": "civil_rights", "nonWaivableReason": "Required by FERPA.",
                       "effectiveFrom": "2024-07-01" } }),
    )
    .await;
    let provisions = app
        .ok(ADMIN, "{ provisions { citation waivable } }", json!({}))
        .await;
    assert!(
        provisions["provisions"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["citation"] == "DS 22-9-100" && p["waivable"] == false),
        "{provisions}"
    );

    // Nobody else may edit the state's records, and the refusal is audited.
    let (code, _) = app
        .refused(
            Some(REVIEWER),
            UPSERT_ORG,
            json!({ "i": { "id": "d9", "name": "D9", "kind": "DISTRICT" } }),
        )
        .await;
    assert_eq!(code, "FORBIDDEN");

    let edits = audit_entry::Entity::find()
        .filter(audit_entry::Column::Chain.eq(IMPORTS_CHAIN))
        .all(&db)
        .await
        .unwrap();
    assert_eq!(
        edits.len(),
        5,
        "two organisation edits, a person, a deactivation, a provision"
    );
    assert!(edits.iter().all(|e| e.actor_user_id == "root"));
    assert!(
        edits
            .iter()
            .any(|e| e.reasons.contains("graphql:deactivatePerson"))
    );
    app.stop().await;
}
