//! P3: a filtered page of a long case list through GraphQL over HTTP,
//! against the same SQL served as JSON by a minimal handler on the same
//! HTTP stack, in the same run, over bulk-loaded cases.
use crate::app::RunningApp;
use crate::bench_table::{Line, Sample};
use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use chrono::{Duration as Days, Utc};
use leeway_entities::{case, waiver_request};
use sea_orm::{
    ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};
use serde_json::{Value, json};
use std::time::Instant;

const DISTRICTS: usize = 200;
const STATES: [&str; 4] = ["draft", "submitted", "in_review", "active"];
const DISTRICT: &str = "list-d7";

/// `n` waiver cases with their read-model rows, written straight to the
/// tables (a list reads nothing else).
pub async fn seed_cases(db: &DatabaseConnection, n: usize) -> anyhow::Result<()> {
    let start = Utc::now() - Days::days(400);
    for chunk in (0..n).collect::<Vec<_>>().chunks(1_000) {
        let cases = chunk.iter().map(|i| case::ActiveModel {
            id: Set(format!("waiver-list{i:07}")),
            program: Set("waiver".into()),
            organisation_id: Set(Some(format!("list-d{}", i % DISTRICTS))),
            state_profile: Set("DEMO".into()),
            title: Set(format!("Listed request {i}")),
            state: Set(STATES[(i / DISTRICTS) % STATES.len()].into()),
            version: Set(1),
            document_hash: Set(None),
            assigned_reviewer_id: Set(None),
            last_seq: Set(0),
            opened_by: Set("bench".into()),
            created_at: Set(start + Days::seconds(*i as i64 * 60)),
            updated_at: Set(start + Days::seconds(*i as i64 * 60)),
        });
        case::Entity::insert_many(cases).exec(db).await?;
        let requests = chunk.iter().map(|i| waiver_request::ActiveModel {
            case_id: Set(format!("waiver-list{i:07}")),
            escalated: Set(false),
            term_start: Set(None),
            term_end: Set(None),
            recommendation: Set(None),
            pending_amendment_hash: Set(None),
            applicant_kind: Set(None),
        });
        waiver_request::Entity::insert_many(requests)
            .exec(db)
            .await?;
    }
    Ok(())
}

/// The minimal handler: the list's SQL, as JSON.
async fn minimal(State(db): State<DatabaseConnection>) -> Json<Value> {
    let rows = case::Entity::find()
        .filter(case::Column::Program.eq("waiver"))
        .filter(case::Column::State.eq("submitted"))
        .filter(case::Column::OrganisationId.eq(DISTRICT))
        .order_by_desc(case::Column::CreatedAt)
        .order_by_desc(case::Column::Id)
        .limit(21)
        .all(&db)
        .await
        .unwrap_or_default();
    let ids: Vec<String> = rows.iter().map(|c| c.id.clone()).collect();
    let requests = waiver_request::Entity::find()
        .filter(waiver_request::Column::CaseId.is_in(ids))
        .all(&db)
        .await
        .unwrap_or_default();
    let items: Vec<Value> = rows
        .iter()
        .take(20)
        .map(|c| {
            let r = requests.iter().find(|r| r.case_id == c.id);
            json!({ "id": c.id, "title": c.title, "state": c.state, "districtId": c.organisation_id,
                    "termEnd": r.and_then(|r| r.term_end) })
        })
        .collect();
    Json(json!({ "cases": items, "more": rows.len() > 20 }))
}

pub async fn measure(
    running: &RunningApp,
    cases: usize,
    iterations: usize,
) -> anyhow::Result<Vec<Line>> {
    let db = running.app.db.clone();
    seed_cases(&db, cases).await?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let minimal_url = format!("http://{}/list", listener.local_addr()?);
    let server = tokio::spawn(async move {
        let app = Router::new().route("/list", get(minimal)).with_state(db);
        let _ = axum::serve(listener, app).await;
    });
    let http = reqwest::Client::new();
    let url = format!("http://{}/graphql", running.addr);
    let query = json!({
        "query": "query($d: String) { waiverCases(state: SUBMITTED, districtId: $d, first: 20) { edges { node { id title state districtId termEnd } } pageInfo { hasNextPage } } }",
        "variables": { "d": DISTRICT }
    });
    let mut base = Sample::new("minimal handler, same SQL as JSON (baseline)");
    let mut measured = Sample::new(format!(
        "filtered page of 20 of {cases} cases through GraphQL"
    ));
    let mut count = 0;
    for i in 0..iterations + 5 {
        let t = Instant::now();
        let body: Value = http.get(&minimal_url).send().await?.json().await?;
        if i >= 5 {
            base.durations.push(t.elapsed());
        }
        let t = Instant::now();
        let page: Value = http
            .post(&url)
            .bearer_auth("demo-reviewer")
            .json(&query)
            .send()
            .await?
            .json()
            .await?;
        if i >= 5 {
            measured.durations.push(t.elapsed());
        }
        if let Some(e) = page.get("errors") {
            anyhow::bail!("the list failed: {e}");
        }
        count = page["data"]["waiverCases"]["edges"]
            .as_array()
            .map_or(0, Vec::len);
        anyhow::ensure!(
            count == body["cases"].as_array().map_or(0, Vec::len),
            "both answer the same page"
        );
    }
    server.abort();
    anyhow::ensure!(count > 0, "the page has cases");
    base.name = format!("P3 {}", base.name);
    measured.name = format!("P3 {}", measured.name);
    Ok(vec![
        Line::latency(&base, None, ""),
        Line::latency(&measured, Some(&base), "<= 1.5x"),
    ])
}
