//! Each kind of tampering the outside probe tried on the database, against
//! `audit verify`: a snapshot the chain records deleted; the records the
//! API serves edited (a state, a term's end, an item's decision, a form's
//! text); a whole case deleted, chain and all; and the register of chain
//! heads cut too, which the sealed tree head catches.
#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions
use leeway_entities::{case, case_document, waiver_item, waiver_request};
use leeway_tests::{TestApp, demo_waiver_content};
use leeway_workflows::audit::{self, VerifyReport};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, Database, DatabaseConnection, EntityTrait,
    QueryFilter, Set,
};
use serde_json::json;

const APPLICANT: &str = "demo-district-applicant";
const REP: &str = "demo-district-rep";

async fn open(app: &TestApp, title: &str) -> String {
    app.ok(
        APPLICANT,
        "mutation($c: WaiverContentInput!) { openWaiverDraft(content: $c) { id } }",
        json!({ "c": demo_waiver_content(title) }),
    )
    .await["openWaiverDraft"]["id"]
        .as_str()
        .unwrap()
        .to_string()
}

async fn submitted(app: &TestApp, title: &str) -> String {
    let id = open(app, title).await;
    app.ok(
        REP,
        "mutation($id: ID!) { submitWaiver(id: $id) { state } }",
        json!({ "id": id }),
    )
    .await;
    id
}

fn problems_of<'a>(report: &'a VerifyReport, chain: &str) -> Vec<&'a str> {
    report
        .problems
        .iter()
        .filter(|p| p.chain == chain)
        .map(|p| p.problem.as_str())
        .collect()
}

async fn delete_where(db: &DatabaseConnection, table: &str, column: &str, id: &str) {
    db.execute_unprepared(&format!("DELETE FROM {table} WHERE {column} = '{id}'"))
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_kind_of_tampering_is_caught() {
    let app = TestApp::start("DEMO").await;
    let snapshot_deleted = submitted(&app, "Snapshot deleted").await;
    let state_edited = open(&app, "State edited").await;
    let term_edited = open(&app, "Term edited").await;
    let decision_edited = open(&app, "Decision edited").await;
    let content_edited = open(&app, "Content edited").await;
    let case_deleted = submitted(&app, "Case deleted").await;
    let register_cut = submitted(&app, "Register cut too").await;
    let untouched = submitted(&app, "Untouched").await;

    let db = Database::connect(&app.database_url).await.unwrap();
    let sealed = leeway_workflows::audit_seal::seal(&db)
        .await
        .unwrap()
        .expect("a tree head over everything so far");
    assert!(sealed.tree_size >= 8);
    let before = audit::verify(&db).await.unwrap();
    assert!(before.is_intact(), "{:#?}", before.problems);
    assert!(
        before.tree_heads >= 1,
        "the service seals as it starts, and we sealed again"
    );

    // A snapshot the chain records.
    delete_where(&db, "case_snapshots", "case_id", &snapshot_deleted).await;
    // What the API serves: the state, a term's end, an item's decision.
    let mut c: case::ActiveModel = case::Entity::find_by_id(state_edited.as_str())
        .one(&db)
        .await
        .unwrap()
        .unwrap()
        .into();
    c.state = Set("active".into());
    c.update(&db).await.unwrap();
    let mut w: waiver_request::ActiveModel =
        waiver_request::Entity::find_by_id(term_edited.as_str())
            .one(&db)
            .await
            .unwrap()
            .unwrap()
            .into();
    let far = chrono::DateTime::parse_from_rfc3339("2099-06-30T00:00:00Z").unwrap();
    w.term_end = Set(Some(far.into()));
    w.update(&db).await.unwrap();
    waiver_item::Entity::update_many()
        .col_expr(
            waiver_item::Column::Decision,
            sea_orm::sea_query::Expr::value("approved"),
        )
        .filter(waiver_item::Column::CaseId.eq(decision_edited.as_str()))
        .exec(&db)
        .await
        .unwrap();
    // The form's text.
    let doc = case_document::Entity::find()
        .filter(case_document::Column::CaseId.eq(content_edited.as_str()))
        .one(&db)
        .await
        .unwrap()
        .unwrap();
    let mut d: case_document::ActiveModel = doc.clone().into();
    d.body = Set(doc.body.replace("mastery", "seat time"));
    d.update(&db).await.unwrap();
    // A whole case: its entries, head, header, snapshots, forms, read model.
    let whole_case = [
        ("audit_entries", "chain"),
        ("audit_heads", "chain"),
        ("cases", "id"),
        ("case_snapshots", "case_id"),
        ("case_documents", "case_id"),
        ("waiver_requests", "case_id"),
        ("waiver_items", "case_id"),
        ("notifications", "case_id"),
        ("case_deadlines", "case_id"),
    ];
    for (table, column) in whole_case {
        delete_where(&db, table, column, &case_deleted).await;
        delete_where(&db, table, column, &register_cut).await;
    }
    // ...and for one of them its rows in the register of heads as well.
    delete_where(&db, "audit_head_log", "chain", &register_cut).await;

    let after = audit::verify(&db).await.unwrap();
    assert!(!after.is_intact());
    let expect = |chain: &str, says: &str| {
        let found = problems_of(&after, chain);
        assert!(
            found.iter().any(|p| p.contains(says)),
            "{chain}: expected “{says}” in {found:?}\nall: {:#?}",
            after.problems
        );
    };
    expect(&snapshot_deleted, "snapshot entry");
    expect(&state_edited, "records");
    expect(&term_edited, "records");
    expect(&decision_edited, "records");
    expect(&content_edited, "no longer matches its hash");
    expect(&case_deleted, "whole chain is gone");
    let tree_problem = after.problems.iter().any(|p| {
        p.chain.starts_with("tree-head:")
            && p.problem
                .contains("register of chain heads no longer matches")
    });
    assert!(
        tree_problem,
        "the cut register is caught by the tree head: {:#?}",
        after.problems
    );
    assert!(problems_of(&after, &untouched).is_empty());
    app.stop().await;
}
