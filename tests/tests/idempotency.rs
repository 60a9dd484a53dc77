//! Idempotency keys: a mutation sent again with the same key returns the
//! first result and never applies twice; the same key with other arguments
//! is refused.
#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions
use leeway_tests::{FAST_CLOCKS, TestApp};
use serde_json::{Value, json};

const APPLICANT: &str = "demo-district-applicant";
const REP: &str = "demo-district-rep";
const REVIEWER: &str = "demo-reviewer";
const APPROVER: &str = "demo-approver";

fn content(title: &str) -> Value {
    json!({
        "title": title,
        "items": [{ "citation": "DS 22-7-101", "rationale": "Mastery, not hours.",
            "replacementPractice": "Competency assessments.", "goal": "Graduation +5.",
            "measure": "Cohort graduation rate." }],
        "studentsAffected": 300,
        "localSupport": { "boardVote": { "yes": 4, "no": 1, "membership": 5 } }
    })
}

const OPEN: &str = "mutation($c: WaiverContentInput!, $k: String) { openWaiverDraft(content: $c, idempotencyKey: $k) { id state lastStep } }";
const SUBMIT: &str = "mutation($id: ID!, $k: String) { submitWaiver(id: $id, idempotencyKey: $k) { state lastStep history { command } } }";
const EDIT: &str = "mutation($id: ID!, $c: WaiverContentInput!, $k: String) { editWaiverDraft(id: $id, content: $c, idempotencyKey: $k) { lastStep } }";

fn count(history: &Value, command: &str) -> usize {
    history
        .as_array()
        .unwrap()
        .iter()
        .filter(|h| h["command"] == command)
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_retried_mutation_with_the_same_key_applies_once() {
    let app = TestApp::start(FAST_CLOCKS).await;
    let vars = json!({ "c": content("Keyed request"), "k": "open-1" });
    let first = app.ok(APPLICANT, OPEN, vars.clone()).await;
    let again = app.ok(APPLICANT, OPEN, vars).await;
    assert_eq!(first, again, "the retry gets the first result");
    let id = first["openWaiverDraft"]["id"].as_str().unwrap().to_string();
    let listed = app
        .ok(
            REVIEWER,
            "{ waiverCases(first: 50) { edges { node { id title } } } }",
            json!({}),
        )
        .await;
    let keyed = listed["waiverCases"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["node"]["title"] == "Keyed request")
        .count();
    assert_eq!(keyed, 1, "one case, not two");

    // The same key for a different request is refused.
    let (code, message) = app
        .refused(
            Some(APPLICANT),
            OPEN,
            json!({ "c": content("Another"), "k": "open-1" }),
        )
        .await;
    assert_eq!(code, "CONFLICT", "{message}");
    // Keys belong to one user: the same key from someone else is theirs.
    let other = app
        .ok(
            "demo-other-district-rep",
            OPEN,
            json!({ "c": content("Hillcrest's"), "k": "open-1" }),
        )
        .await;
    assert_ne!(
        other["openWaiverDraft"]["id"],
        first["openWaiverDraft"]["id"]
    );

    // Two identical edits at the same moment, one key: one step.
    let edit = json!({ "id": id, "c": content("Keyed request, edited"), "k": "edit-1" });
    let (a, b) = tokio::join!(
        app.gql(Some(APPLICANT), EDIT, edit.clone()),
        app.gql(Some(APPLICANT), EDIT, edit.clone())
    );
    for r in [&a, &b] {
        assert!(r.get("errors").is_none(), "{r:#}");
    }
    assert_eq!(a["data"], b["data"]);

    let vars = json!({ "id": id, "k": "submit-1" });
    let submitted = app.ok(REP, SUBMIT, vars.clone()).await;
    let retried = app.ok(REP, SUBMIT, vars).await;
    assert_eq!(submitted, retried);
    let history = app
        .ok(
            REVIEWER,
            "query($id: ID!) { waiverCase(id: $id) { history { command } } }",
            json!({ "id": id }),
        )
        .await;
    let history = &history["waiverCase"]["history"];
    assert_eq!(count(history, "submit"), 1);
    assert_eq!(count(history, "edit_draft"), 1);
    // Without a key, a second submit is simply refused: it is submitted.
    let (code, _) = app.refused(Some(REP), SUBMIT, json!({ "id": id })).await;
    assert_eq!(code, "INVALID_TRANSITION");

    // A refused attempt frees its key for a corrected request.
    let (code, _) = app
        .refused(
            Some(APPLICANT),
            EDIT,
            json!({ "id": id, "c": content("Too late"), "k": "edit-2" }),
        )
        .await;
    assert_eq!(code, "INVALID_TRANSITION");
    let (code, message) = app
        .refused(Some(APPLICANT), OPEN, json!({ "c": content("x"), "k": "" }))
        .await;
    assert_eq!(code, "VALIDATION", "{message}");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_retried_selection_takes_one_seat() {
    let app = TestApp::start(FAST_CLOCKS).await;
    let opened = app
        .ok(
            REP,
            "mutation($a: NetworkApplicationInput!) { openNetworkApplication(network: \"INCUBATOR\", application: $a, idempotencyKey: \"apply\") { id } }",
            json!({ "a": { "letter": "We commit.", "commitments": ["convenings"], "studentsReached": 40 } }),
        )
        .await;
    let id = opened["openNetworkApplication"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    for (token, op) in [
        (REP, "submitNetworkApplication"),
        (REVIEWER, "acceptNetworkApplicationAsComplete"),
    ] {
        app.ok(
            token,
            &format!("mutation($id: ID!) {{ {op}(id: $id) {{ state }} }}"),
            json!({ "id": id }),
        )
        .await;
    }
    let select = "mutation($id: ID!) { selectNetworkApplicant(id: $id, idempotencyKey: \"pick\") { state lastStep } }";
    let first = app.ok(APPROVER, select, json!({ "id": id })).await;
    let again = app.ok(APPROVER, select, json!({ "id": id })).await;
    assert_eq!(first, again);
    let seats = app
        .ok(
            REVIEWER,
            "{ networkProgram(code: \"INCUBATOR\") { seatsHeld } }",
            json!({}),
        )
        .await;
    assert_eq!(seats["networkProgram"]["seatsHeld"], 1);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keys_past_their_week_are_forgotten_and_refuse_nothing() {
    use leeway_entities::idempotency_key;
    use sea_orm::sea_query::Expr;
    use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
    let app = TestApp::start(FAST_CLOCKS).await;
    let db = &app.running.app.db;
    let first = app
        .ok(
            APPLICANT,
            OPEN,
            json!({ "c": content("Old"), "k": "old-key" }),
        )
        .await;
    app.ok(
        APPLICANT,
        OPEN,
        json!({ "c": content("New"), "k": "new-key" }),
    )
    .await;
    // The first key is eight days old; the second is not.
    idempotency_key::Entity::update_many()
        .col_expr(
            idempotency_key::Column::CreatedAt,
            Expr::value(chrono::Utc::now() - chrono::Duration::days(8)),
        )
        .filter(idempotency_key::Column::Key.eq("old-key"))
        .exec(db)
        .await
        .unwrap();
    let forgotten = leeway_api::idempotency::forget_expired(db).await.unwrap();
    assert_eq!(forgotten, 1);
    assert_eq!(idempotency_key::Entity::find().count(db).await.unwrap(), 1);
    // Forgotten, the key no longer refuses other arguments.
    let again = app
        .gql(
            Some(APPLICANT),
            OPEN,
            json!({ "c": content("Other"), "k": "old-key" }),
        )
        .await;
    assert!(again.get("errors").is_none(), "{again:#}");
    assert!(first["openWaiverDraft"]["id"].is_string());
    app.stop().await;
}
