//! Starting a real state as the README's "Start a real state" section
//! does: Kentucky's example files from `docs/examples` loaded into a
//! database that never held demo data, then a waiver with real KRS and KAR
//! citations run under the KY profile. Also the organisation and
//! accountability imports on their own: CSV and JSON Lines agree, a second
//! import changes nothing, and a bad file is refused line by line. On
//! SQLite, or PostgreSQL when DATABASE_URL names it.
#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions
use leeway_api::import_file::{IMPORTS_CHAIN, ImportError};
use leeway_api::import_progress::Progress;
use leeway_api::{accountability_import, catalog_import, organisation_import, people_import};
use leeway_entities::{
    accountability_result, audit_entry, organisation, organisation_enrollment, provision,
};
use leeway_tests::{TestApp, demo_waiver_content, fresh_database};
use leeway_workflows::audit;
use sea_orm::{
    ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
};
use serde_json::json;
use std::path::{Path, PathBuf};

fn example(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../docs/examples")
        .join(name)
}

fn read(name: &str) -> Vec<u8> {
    std::fs::read(example(name)).unwrap()
}

async fn import_organisations(db: &DatabaseConnection, name: &str) -> (usize, usize, usize) {
    let plan = organisation_import::plan(db, &example(name), &read(name))
        .await
        .unwrap();
    organisation_import::apply(db, &plan, name, "ops", &Progress::hidden())
        .await
        .unwrap();
    (plan.added.len(), plan.changed.len(), plan.unchanged)
}

/// Every example file, in the order the README loads them.
async fn load_kentucky(db: &DatabaseConnection) {
    let catalog = catalog_import::plan(db, &read("ky-catalog.csv"))
        .await
        .unwrap();
    catalog_import::apply(db, &catalog, "ky-catalog.csv", "ops", &Progress::hidden())
        .await
        .unwrap();
    import_organisations(db, "ky-organisations.csv").await;
    let people = people_import::plan(db, &read("ky-people.csv"), false)
        .await
        .unwrap();
    people_import::apply(db, &people, "ky-people.csv", "ops", &Progress::hidden())
        .await
        .unwrap();
    let results = accountability_import::plan(db, &read("ky-accountability.csv"))
        .await
        .unwrap();
    accountability_import::apply(
        db,
        &results,
        "ky-accountability.csv",
        "ops",
        &Progress::hidden(),
    )
    .await
    .unwrap();
}

#[tokio::test]
async fn organisations_load_from_csv_or_json_lines_alike_with_every_year() {
    let (_dir, db) = fresh_database().await;
    let dry = organisation_import::plan(
        &db,
        &example("ky-organisations.csv"),
        &read("ky-organisations.csv"),
    )
    .await
    .unwrap();
    assert_eq!(dry.added.len(), 8);
    assert_eq!(organisation::Entity::find().count(&db).await.unwrap(), 0);

    assert_eq!(
        import_organisations(&db, "ky-organisations.csv").await,
        (8, 0, 0)
    );
    // The nested form of the same records changes nothing, nor does the
    // CSV file again.
    assert_eq!(
        import_organisations(&db, "ky-organisations.jsonl").await,
        (0, 0, 8)
    );
    assert_eq!(
        import_organisations(&db, "ky-organisations.csv").await,
        (0, 0, 8)
    );

    let owsley = organisation::Entity::find_by_id("KY-475")
        .one(&db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(owsley.kind, "district");
    assert_eq!(owsley.enrollment, Some(631), "the latest year's total");
    assert_eq!(owsley.equity_flags, r#"["rural","under_resourced"]"#);
    let years = organisation_enrollment::Entity::find()
        .filter(organisation_enrollment::Column::OrganisationId.eq("KY-131"))
        .all(&db)
        .await
        .unwrap();
    assert_eq!(years.len(), 2);
    let y2024 = years.iter().find(|y| y.school_year == 2024).unwrap();
    assert_eq!((y2024.total, y2024.students_in_poverty), (1902, Some(1145)));
    assert!(y2024.subgroups.contains(r#""english_learners":64"#));
    let bate = organisation::Entity::find_by_id("KY-131-010")
        .one(&db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(bate.parent_id.as_deref(), Some("KY-131"));

    // A changed year is a change, and the other year stays.
    let changed =
        "id,name,kind,parent_id,equity_flags,school_year,enrollment,students_in_poverty,subgroups
KY-131,Danville Independent Schools,district,,,2025,1950,1170,english_learners=80
";
    let plan = organisation_import::plan(&db, Path::new("x.csv"), changed.as_bytes())
        .await
        .unwrap();
    assert_eq!(plan.changed.len(), 1);
    organisation_import::apply(&db, &plan, "x.csv", "ops", &Progress::hidden())
        .await
        .unwrap();
    let danville = organisation::Entity::find_by_id("KY-131")
        .one(&db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(danville.enrollment, Some(1950));
    assert_eq!(
        organisation_enrollment::Entity::find()
            .filter(organisation_enrollment::Column::OrganisationId.eq("KY-131"))
            .count(&db)
            .await
            .unwrap(),
        2
    );

    let entries = audit_entry::Entity::find()
        .filter(audit_entry::Column::Chain.eq(IMPORTS_CHAIN))
        .order_by_asc(audit_entry::Column::Seq)
        .all(&db)
        .await
        .unwrap();
    assert_eq!(entries.len(), 4);
    let sha = leeway_api::import_file::sha256(&read("ky-organisations.jsonl"));
    assert!(entries[1].reasons.contains(&sha), "{}", entries[1].reasons);
    assert!(audit::verify(&db).await.unwrap().is_intact());
}

#[tokio::test]
async fn a_bad_organisation_file_names_each_line_and_writes_nothing() {
    let (_dir, db) = fresh_database().await;
    let csv =
        "id,name,kind,parent_id,equity_flags,school_year,enrollment,students_in_poverty,subgroups
D1,District One,district,,,2025,100,20,english_learners=10
S1,School One,school,,,2025,50,10,
S2,School Two,school,NOWHERE,,2025,50,10,
S3,School Three,school,S1,,2025,50,10,
D1,District Uno,district,,,2024,100,20,
D2,District Two,county,,,,,,
D3,District Three,district,,,2025,100,120,
D4,District Four,district,,,2025,100,20,English Learners=3
D5,District Five,district,,,1875,100,20,
D6,District Six,district,,Rural,,,,
D7,District Seven,district,D1,,,,,
";
    let Err(ImportError::BadRows(errors)) =
        organisation_import::plan(&db, Path::new("bad.csv"), csv.as_bytes()).await
    else {
        panic!("a bad file was accepted");
    };
    let lines: Vec<u64> = errors.iter().map(|e| e.line).collect();
    assert_eq!(lines, (3..=12).collect::<Vec<u64>>(), "{errors:#?}");
    let says = |i: usize, what: &str| {
        assert!(errors[i].reason.contains(what), "{:#?}", errors[i]);
    };
    says(0, "needs its parent district");
    says(1, "no organisation `NOWHERE`");
    says(2, "is a school, not a district");
    says(3, "differ from D1's row on line 2");
    says(4, "`county` is not one of");
    says(5, "more than the enrollment");
    says(6, "lower-case");
    says(7, "`1875`");
    says(8, "`Rural`");
    says(9, "has no parent organisation");

    let jsonl = r#"{"id":"D1","name":"District One","kind":"district"}
{"id":"D1","name":"District One","kind":"district"}

{"id":"D2","name":"District Two","kind":"district","colour":"blue"}
{"id":"D3","name":"District Three","kind":"district","enrollment":[{"school_year":2025,"total":10},{"school_year":2025,"total":11}]}
not json
"#;
    let Err(ImportError::BadRows(errors)) =
        organisation_import::plan(&db, Path::new("bad.jsonl"), jsonl.as_bytes()).await
    else {
        panic!("a bad file was accepted");
    };
    let lines: Vec<u64> = errors.iter().map(|e| e.line).collect();
    assert_eq!(lines, vec![2, 4, 5, 6], "{errors:#?}");
    assert!(errors[0].reason.contains("earlier in the file"));
    assert!(errors[1].reason.contains("colour"), "{:?}", errors[1]);
    assert!(errors[2].reason.contains("2025 is given twice"));
    assert_eq!(organisation::Entity::find().count(&db).await.unwrap(), 0);
    assert_eq!(
        audit_entry::Entity::find().count(&db).await.unwrap(),
        0,
        "a refused file is not recorded as imported"
    );
}

#[tokio::test]
async fn accountability_results_load_by_school_year_and_subject() {
    let (_dir, db) = fresh_database().await;
    import_organisations(&db, "ky-organisations.csv").await;
    let plan = accountability_import::plan(&db, &read("ky-accountability.csv"))
        .await
        .unwrap();
    assert_eq!(plan.added.len(), 12);
    accountability_import::apply(&db, &plan, "a.csv", "ops", &Progress::hidden())
        .await
        .unwrap();
    let again = accountability_import::plan(&db, &read("ky-accountability.csv"))
        .await
        .unwrap();
    assert_eq!(
        (again.added.len(), again.changed.len(), again.unchanged),
        (0, 0, 12)
    );
    let reading = accountability_result::Entity::find_by_id((
        "KY-131-010".to_string(),
        2025,
        "reading".to_string(),
    ))
    .one(&db)
    .await
    .unwrap()
    .unwrap();
    assert_eq!(reading.mean_scale_score, Some(219.1));
    assert_eq!(reading.median_growth, Some(53.0));
    let overall = accountability_result::Entity::find_by_id((
        "KY-131-010".to_string(),
        2025,
        "overall".to_string(),
    ))
    .one(&db)
    .await
    .unwrap()
    .unwrap();
    assert_eq!(overall.performance_rating.as_deref(), Some("Green"));

    let bad =
        "organisation_id,school_year,subject,performance_rating,mean_scale_score,median_growth
KY-131-010,2025,reading,,219.1,53
KY-999,2025,reading,,200,50
KY-131-010,2025,reading,,219.1,53
KY-131-010,2025,science,,,
KY-131-010,2025,writing,,high,
";
    let Err(ImportError::BadRows(errors)) = accountability_import::plan(&db, bad.as_bytes()).await
    else {
        panic!("a bad file was accepted");
    };
    let lines: Vec<u64> = errors.iter().map(|e| e.line).collect();
    assert_eq!(lines, vec![3, 4, 5, 6], "{errors:#?}");
    assert!(errors[0].reason.contains("`KY-999`"));
    assert!(errors[1].reason.contains("earlier in the file"));
    assert!(errors[2].reason.contains("no rating"));
    assert!(errors[3].reason.contains("`high` is not a number"));
}

const OPEN: &str =
    "mutation($c: WaiverContentInput!) { openWaiverDraft(content: $c) { id state } }";
const SUBMIT: &str = "mutation($id: ID!) { submitWaiver(id: $id) { state } }";

/// A Kentucky district of innovation's request, citing `citations`.
fn danville_request(citations: &[&str]) -> serde_json::Value {
    let mut c = demo_waiver_content("Danville: learning on mastery, not seat time");
    c["applicantKind"] = json!("DISTRICT");
    c["schoolIds"] = json!([]);
    c["studentsAffected"] = json!(1921);
    let template = c["items"][0].clone();
    c["items"] = citations
        .iter()
        .map(|citation| {
            let mut item = template.clone();
            item["citation"] = json!(citation);
            item
        })
        .collect();
    c["localSupport"]["staffVote"]["certifiedBy"] =
        json!("the school-based decision making council");
    c
}

/// A draft of Danville's request citing `citations`; its case id.
async fn draft(app: &TestApp, token: &str, citations: &[&str]) -> String {
    app.ok(token, OPEN, json!({ "c": danville_request(citations) }))
        .await["openWaiverDraft"]["id"]
        .as_str()
        .unwrap()
        .to_string()
}

#[tokio::test]
async fn a_kentucky_district_submits_a_waiver_of_real_provisions_from_the_example_files() {
    let app = TestApp::start_without_demo("KY").await;
    let db = &app.running.app.db;
    assert_eq!(
        provision::Entity::find().count(db).await.unwrap(),
        0,
        "no demo catalog on a real state's first day"
    );
    load_kentucky(db).await;
    let rep = "lw_danville_rep_token";
    leeway_api::auth::issue_token(db, "danville-rep", "test", Some(rep.into()))
        .await
        .unwrap();

    let me = app
        .ok(
            rep,
            "{ me { name roles organisation { name } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        me["me"]["organisation"]["name"],
        "Danville Independent Schools"
    );

    let id = draft(&app, rep, &["702 KAR 7:125", "KRS 160.345"]).await;
    let submitted = app.ok(rep, SUBMIT, json!({ "id": id })).await;
    assert_eq!(submitted["submitWaiver"]["state"], "SUBMITTED");

    // A provision KRS 156.161(1) keeps out of reach is refused, naming why.
    let id = draft(&app, rep, &["702 KAR 7:125", "KRS 158.6453"]).await;
    let (code, message) = app.refused(Some(rep), SUBMIT, json!({ "id": id })).await;
    assert_eq!(code, "VALIDATION");
    assert!(
        message.contains("KRS 158.6453") && message.contains("KRS 156.161(1)(f)"),
        "{message}"
    );

    // The demo's citations mean nothing in Kentucky.
    let id = draft(&app, rep, &["DS 22-7-101"]).await;
    let (code, message) = app.refused(Some(rep), SUBMIT, json!({ "id": id })).await;
    assert_eq!(code, "VALIDATION");
    assert!(
        message.contains("not in the provision catalog"),
        "{message}"
    );

    // A school of another district cannot be named.
    let mut elsewhere = danville_request(&["702 KAR 7:125"]);
    elsewhere["applicantKind"] = json!("SCHOOL");
    elsewhere["schoolIds"] = json!(["KY-475-020"]);
    let (code, _) = app
        .refused(Some(rep), OPEN, json!({ "c": elsewhere }))
        .await;
    assert_eq!(code, "VALIDATION");
    app.stop().await;
}

#[tokio::test]
async fn past_waivers_import_as_closed_cases_once_and_a_bad_line_writes_nothing() {
    use leeway_api::waiver_history_import::{self, Provenance};
    let (_dir, db) = fresh_database().await;
    load_kentucky(&db).await;
    let from = Provenance {
        file: "ky-waiver-history.jsonl",
        by: "ops",
        profile_code: "KY",
    };
    let plan = waiver_history_import::plan(&db, &read("ky-waiver-history.jsonl"))
        .await
        .unwrap();
    assert_eq!(plan.added.len(), 3);
    waiver_history_import::apply(&db, &plan, &from, &Progress::hidden())
        .await
        .unwrap();
    let cases = leeway_entities::case::Entity::find()
        .all(&db)
        .await
        .unwrap();
    let mut states: Vec<&str> = cases.iter().map(|c| c.state.as_str()).collect();
    states.sort_unstable();
    assert_eq!(states, ["denied", "expired", "expired"]);
    let reach = leeway_entities::waiver_reach::Entity::find()
        .all(&db)
        .await
        .unwrap();
    assert_eq!(reach.len(), 4, "a district, two zone schools, a district");
    // Importing the file again adds nothing.
    let again = waiver_history_import::plan(&db, &read("ky-waiver-history.jsonl"))
        .await
        .unwrap();
    assert_eq!((again.added.len(), again.unchanged), (0, 3));
    // Every imported chain verifies.
    let verified = leeway_workflows::audit::verify(&db).await.unwrap();
    assert!(verified.problems.is_empty(), "{:?}", verified.problems);

    // A waiver in force, a school of another district and an unknown
    // provision: each line named, nothing written.
    let bad = concat!(
        r#"{"district_id":"KY-131","title":"In force","submitted_on":"2025-03-01","decided_on":"2025-05-01","term_start":"2025-07-01","term_end":"2030-07-01","items":[{"citation":"702 KAR 7:125","decision":"approved"}]}"#,
        "\n",
        r#"{"district_id":"KY-131","kind":"school","school_ids":["KY-181-010"],"title":"Not ours","submitted_on":"2021-03-01","decided_on":"2021-05-01","items":[{"citation":"702 KAR 7:125","decision":"denied"}]}"#,
        "\n",
        r#"{"district_id":"KY-131","title":"Unknown law","submitted_on":"2021-03-01","decided_on":"2021-05-01","items":[{"citation":"KRS 999.999","decision":"denied"}]}"#,
    );
    let err = waiver_history_import::plan(&db, bad.as_bytes())
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("line 1: it is still in force"), "{err}");
    assert!(
        err.contains("line 2: `KY-181-010` is not a school of KY-131"),
        "{err}"
    );
    assert!(
        err.contains("line 3: the provision `KRS 999.999` is not in the catalog"),
        "{err}"
    );
    let after = leeway_entities::case::Entity::find()
        .all(&db)
        .await
        .unwrap();
    assert_eq!(after.len(), 3);
}
