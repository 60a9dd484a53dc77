//! `leeway bench`: how long one waiver transition takes through GraphQL,
//! next to a bare Temporal update measured in the same run on the same
//! server. Prints medians and ratios; these machines are shared and noisy,
//! so absolute numbers matter less than the ratio.
use crate::app::RunningApp;
use crate::bench_surge::Surge;
use crate::bench_table::{Line, Sample, render};
use crate::config::SettingsArgs;
use leeway_workflows::bench_workflow::BareUpdateWorkflow;
use serde_json::{Value, json};
use std::time::Instant;
use temporalio_client::{WorkflowExecuteUpdateOptions, WorkflowStartOptions};

pub(crate) async fn gql(
    http: &reqwest::Client,
    url: &str,
    token: &str,
    query: &str,
    variables: Value,
) -> anyhow::Result<Value> {
    let body: Value = http
        .post(url)
        .bearer_auth(token)
        .json(&json!({ "query": query, "variables": variables }))
        .send()
        .await?
        .json()
        .await?;
    if let Some(errors) = body.get("errors") {
        anyhow::bail!("GraphQL error: {errors}");
    }
    Ok(body)
}

/// What to run, and how big.
pub struct BenchPlan {
    pub iterations: usize,
    pub surge: Surge,
    pub list_cases: usize,
}

/// Runs every measurement on a throwaway stack (SQLite in a temporary
/// directory, or the empty PostgreSQL database `DATABASE_URL` names) and
/// prints one table.
pub async fn run(plan: BenchPlan, mut args: SettingsArgs) -> anyhow::Result<String> {
    let dir = tempfile::tempdir()?;
    args.data_dir = Some(dir.path().to_path_buf());
    args.listen = Some("127.0.0.1:0".into());
    let settings = args.resolve(None)?;
    let backend = if settings.database_url.starts_with("postgres") {
        "PostgreSQL"
    } else {
        "SQLite"
    };
    let running = RunningApp::start(settings, true).await?;
    let result = measure_all(&running, &plan).await;
    running.stop().await;
    Ok(format!("Leeway bench on {backend}\n{}", render(&result?)))
}

async fn measure_all(running: &RunningApp, plan: &BenchPlan) -> anyhow::Result<Vec<Line>> {
    let mut lines = measure(running, plan.iterations).await?;
    eprintln!("P1 done; the surge...");
    lines.extend(crate::bench_surge::measure(running, &plan.surge).await?);
    eprintln!("P2 done; verifying the audit trail...");
    lines.extend(crate::bench_verify::measure(&running.app.db, 5).await?);
    eprintln!("P5 done; loading {} cases...", plan.list_cases);
    lines.extend(crate::bench_list::measure(running, plan.list_cases, plan.iterations).await?);
    Ok(lines)
}

async fn measure(running: &RunningApp, iterations: usize) -> anyhow::Result<Vec<Line>> {
    let url = format!("http://{}/graphql", running.addr);
    let http = reqwest::Client::new();
    let client = &running.app.temporal;

    let bare = client
        .start_workflow(
            BareUpdateWorkflow::run,
            (),
            WorkflowStartOptions::new(
                running.app.task_queue.clone(),
                format!("bench-bare-{}", std::process::id()),
            )
            .build(),
        )
        .await?;
    let opened = gql(
        &http,
        &url,
        "demo-district-applicant",
        "mutation($c: WaiverContentInput!) { openWaiverDraft(content: $c) { id } }",
        json!({ "c": { "title": "Benchmark draft 0" } }),
    )
    .await?;
    let case_id = opened["data"]["openWaiverDraft"]["id"]
        .as_str()
        .unwrap_or_default()
        .to_string();

    // Warm both paths so connection set-up is not measured.
    for _ in 0..5 {
        bare.execute_update(
            BareUpdateWorkflow::bump,
            1,
            WorkflowExecuteUpdateOptions::default(),
        )
        .await?;
    }
    let edit = "mutation($id: ID!, $c: WaiverContentInput!) { editWaiverDraft(id: $id, content: $c) { state } }";
    for i in 0..5 {
        gql(
            &http,
            &url,
            "demo-district-applicant",
            edit,
            json!({ "id": case_id, "c": { "title": format!("Warm-up {i}") } }),
        )
        .await?;
    }

    let mut bare_sample = Sample::new("P1 bare Temporal update (baseline)");
    let mut graphql_sample = Sample::new("P1 waiver transition through GraphQL (editWaiverDraft)");
    // Interleaved so that noise on the machine hits both alike.
    for i in 0..iterations {
        let t = Instant::now();
        bare.execute_update(
            BareUpdateWorkflow::bump,
            1,
            WorkflowExecuteUpdateOptions::default(),
        )
        .await?;
        bare_sample.durations.push(t.elapsed());
        let t = Instant::now();
        gql(
            &http,
            &url,
            "demo-district-applicant",
            edit,
            json!({ "id": case_id, "c": { "title": format!("Benchmark draft {i}") } }),
        )
        .await?;
        graphql_sample.durations.push(t.elapsed());
    }
    // Transitions that email people: submit (district, reviewers) and
    // return as incomplete (district), alternately, on a complete request.
    let mut mailing_sample =
        Sample::new("P1 transition with email through GraphQL (submit/return)");
    gql(
        &http,
        &url,
        "demo-district-applicant",
        edit,
        json!({ "id": case_id, "c": complete_content("Benchmark request") }),
    )
    .await?;
    let submit = "mutation($id: ID!) { submitWaiver(id: $id) { state } }";
    let give_back = "mutation($id: ID!) { returnWaiverIncomplete(id: $id, reasons: [\"Benchmark\"]) { state } }";
    for i in 0..iterations {
        let (token, document) = if i % 2 == 0 {
            ("demo-district-rep", submit)
        } else {
            ("demo-reviewer", give_back)
        };
        let t = Instant::now();
        gql(&http, &url, token, document, json!({ "id": case_id })).await?;
        mailing_sample.durations.push(t.elapsed());
    }
    bare.execute_update(
        BareUpdateWorkflow::finish,
        (),
        WorkflowExecuteUpdateOptions::default(),
    )
    .await?;
    Ok(vec![
        Line::latency(&bare_sample, None, ""),
        Line::latency(&graphql_sample, Some(&bare_sample), "<= 1.5x"),
        Line::p90_ratio(&graphql_sample, &bare_sample, "<= 2x at p90"),
        Line::latency(&mailing_sample, Some(&bare_sample), "<= 2x"),
    ])
}

/// A request complete enough to submit.
pub(crate) fn complete_content(title: &str) -> Value {
    json!({
        "title": title,
        "items": [{ "citation": "DS 22-7-101", "rationale": "r", "replacementPractice": "p", "goal": "g", "measure": "m" }],
        "studentsAffected": 100,
        "localSupport": {
            "boardVote": { "yes": 4, "no": 1, "membership": 5 },
            "staffVote": { "yes": 30, "no": 2, "eligible": 40, "secretBallot": true, "certifiedBy": "panel" }
        }
    })
}
