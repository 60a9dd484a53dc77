//! P2, a deadline day: many districts, each with its own token, open, edit
//! and submit at once. Compared with bare Temporal workflows started and
//! given two updates at the same concurrency, in the same run.
use crate::app::RunningApp;
use crate::auth::hash_token;
use crate::bench::complete_content;
use crate::bench_table::{Line, Sample};
use chrono::Utc;
use leeway_entities::{api_token, case, organisation, user};
use leeway_machines::domain::actor::Role;
use leeway_workflows::bench_workflow::BareUpdateWorkflow;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter, Set};
use serde_json::{Value, json};
use std::time::{Duration, Instant};
use temporalio_client::{WorkflowExecuteUpdateOptions, WorkflowStartOptions};

pub struct Surge {
    pub clients: usize,
    pub submissions: usize,
}

/// `n` districts with an authorized representative each; their tokens.
pub async fn seed_districts(
    db: &DatabaseConnection,
    prefix: &str,
    n: usize,
) -> anyhow::Result<Vec<(String, String)>> {
    let now = Utc::now();
    let mut out = Vec::with_capacity(n);
    for chunk in (0..n).collect::<Vec<_>>().chunks(200) {
        let orgs = chunk.iter().map(|i| organisation::ActiveModel {
            id: Set(format!("{prefix}-d{i}")),
            name: Set(format!("Bench District {i}")),
            kind: Set("district".into()),
            parent_id: Set(None),
            enrollment: Set(Some(1_000)),
            subgroups: Set("{}".into()),
            equity_flags: Set("[]".into()),
            created_at: Set(now),
        });
        organisation::Entity::insert_many(orgs).exec(db).await?;
        let users = chunk.iter().map(|i| user::ActiveModel {
            id: Set(format!("{prefix}-rep-{i}")),
            name: Set(format!("Representative {i}")),
            email: Set(format!("rep{i}@{prefix}-d{i}.bench.example")),
            role: Set(Role::DistrictAuthorizedRep.as_str().into()),
            organisation_id: Set(format!("{prefix}-d{i}")),
            created_at: Set(now),
            deactivated_at: Set(None),
        });
        user::Entity::insert_many(users).exec(db).await?;
        let tokens = chunk.iter().map(|i| api_token::ActiveModel {
            id: Set(format!("tok-{prefix}-{i}")),
            user_id: Set(format!("{prefix}-rep-{i}")),
            token_hash: Set(hash_token(&format!("{prefix}-token-{i}"))),
            label: Set("bench".into()),
            created_at: Set(now),
            revoked_at: Set(None),
        });
        api_token::Entity::insert_many(tokens).exec(db).await?;
        out.extend(
            chunk
                .iter()
                .map(|i| (format!("{prefix}-d{i}"), format!("{prefix}-token-{i}"))),
        );
    }
    Ok(out)
}

/// A GraphQL call whose errors become the sample's error text.
async fn gql(
    http: &reqwest::Client,
    url: &str,
    token: &str,
    query: &str,
    variables: Value,
) -> Result<Value, String> {
    crate::bench::gql(http, url, token, query, variables)
        .await
        .map_err(|e| e.to_string())
}

/// One district's submission: open, edit, submit; how long each took.
async fn submit_one(
    http: &reqwest::Client,
    url: &str,
    token: &str,
    n: usize,
) -> Result<[Duration; 3], String> {
    let t = Instant::now();
    let opened = gql(
        http,
        url,
        token,
        "mutation($c: WaiverContentInput!, $k: String) { openWaiverDraft(content: $c, idempotencyKey: $k) { id } }",
        json!({ "c": complete_content(&format!("Surge {n}")), "k": format!("open-{n}") }),
    )
    .await?;
    let id = opened["data"]["openWaiverDraft"]["id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let open = t.elapsed();
    let t = Instant::now();
    gql(
        http,
        url,
        token,
        "mutation($id: ID!, $c: WaiverContentInput!) { editWaiverDraft(id: $id, content: $c) { state } }",
        json!({ "id": id, "c": complete_content(&format!("Surge {n}, edited")) }),
    )
    .await?;
    let edit = t.elapsed();
    let t = Instant::now();
    gql(
        http,
        url,
        token,
        "mutation($id: ID!) { submitWaiver(id: $id) { state } }",
        json!({ "id": id }),
    )
    .await?;
    Ok([open, edit, t.elapsed()])
}

struct Outcome {
    sample: Sample,
    /// Open, edit and submit apart (measured runs only).
    steps: Vec<Sample>,
    wall: Duration,
    errors: Vec<String>,
}

pub async fn measure(running: &RunningApp, s: &Surge) -> anyhow::Result<Vec<Line>> {
    let db = &running.app.db;
    let districts = seed_districts(db, "surge", s.clients).await?;
    let per_client = s.submissions.div_ceil(s.clients);
    let url = format!("http://{}/graphql", running.addr);

    // Baseline: bare workflows, started and given two updates.
    let started = Instant::now();
    let mut tasks = Vec::new();
    for c in 0..s.clients {
        let client = running.app.temporal.clone();
        let queue = running.app.task_queue.clone();
        tasks.push(tokio::spawn(async move {
            let (mut times, mut errors) = (Vec::new(), Vec::new());
            for i in 0..per_client {
                let t = Instant::now();
                let run = async {
                    let handle = client
                        .start_workflow(
                            BareUpdateWorkflow::run,
                            (),
                            WorkflowStartOptions::new(
                                queue.clone(),
                                format!("surge-bare-{c}-{i}-{}", std::process::id()),
                            )
                            .build(),
                        )
                        .await
                        .map_err(|e| e.to_string())?;
                    handle
                        .execute_update(
                            BareUpdateWorkflow::bump,
                            1,
                            WorkflowExecuteUpdateOptions::default(),
                        )
                        .await
                        .map_err(|e| e.to_string())?;
                    handle
                        .execute_update(
                            BareUpdateWorkflow::finish,
                            (),
                            WorkflowExecuteUpdateOptions::default(),
                        )
                        .await
                        .map_err(|e| e.to_string())?;
                    Ok::<(), String>(())
                };
                match run.await {
                    Ok(()) => times.push((t.elapsed(), [Duration::ZERO; 3])),
                    Err(e) => errors.push(e),
                }
            }
            (times, errors)
        }));
    }
    let baseline = collect("bare workflow start + 2 updates (baseline)", tasks, started).await?;

    // Measured: open, edit, submit through GraphQL, each client its own district.
    let started = Instant::now();
    let mut tasks = Vec::new();
    for (c, (_, token)) in districts.iter().cloned().enumerate() {
        let url = url.clone();
        tasks.push(tokio::spawn(async move {
            let http = reqwest::Client::new();
            let (mut times, mut errors) = (Vec::new(), Vec::new());
            for i in 0..per_client {
                let t = Instant::now();
                match submit_one(&http, &url, &token, c * per_client + i).await {
                    Ok(steps) => times.push((t.elapsed(), steps)),
                    Err(e) => errors.push(e),
                }
            }
            (times, errors)
        }));
    }
    let surge = collect(
        "submission (open + edit + submit) through GraphQL",
        tasks,
        started,
    )
    .await?;

    // Nothing lost, nothing twice.
    let expected = per_client * s.clients;
    let submitted = case::Entity::find()
        .filter(case::Column::OrganisationId.like("surge-d%"))
        .filter(case::Column::State.eq("submitted"))
        .count(db)
        .await? as usize;
    let all = case::Entity::find()
        .filter(case::Column::OrganisationId.like("surge-d%"))
        .count(db)
        .await? as usize;
    let rate = |o: &Outcome| o.sample.durations.len() as f64 / o.wall.as_secs_f64().max(1e-9);
    let mut lines = vec![
        Line {
            name: format!("P2 {} (ops/s; {} clients)", baseline.sample.name, s.clients),
            runs: baseline.sample.durations.len(),
            value: format!("{:.1}/s", rate(&baseline)),
            p90: String::new(),
            p99: String::new(),
            ratio: None,
            target: format!("errors {}", baseline.errors.len()),
        },
        Line {
            name: format!("P2 {} (ops/s)", surge.sample.name),
            runs: surge.sample.durations.len(),
            value: format!("{:.1}/s", rate(&surge)),
            p90: String::new(),
            p99: String::new(),
            ratio: Some(rate(&surge) / rate(&baseline).max(1e-9)),
            target: ">= 0.8x throughput".into(),
        },
        Line::latency(&surge.sample, Some(&baseline.sample), "p50, p99 reported"),
        Line {
            name: "P2 errors / lost / duplicated".into(),
            runs: expected,
            value: format!("{}", surge.errors.len()),
            p90: format!("{}", expected.saturating_sub(submitted)),
            p99: format!("{}", all.saturating_sub(expected)),
            ratio: None,
            target: "0 / 0 / 0 (columns: errors, lost, extra)".into(),
        },
    ];
    lines[2].name = format!("P2 {} (latency)", surge.sample.name);
    for step in &surge.steps {
        lines.push(Line::latency(step, None, "answers within 55 s"));
    }
    if let Some(e) = surge.errors.first() {
        eprintln!("first surge error: {e}");
    }
    Ok(lines)
}

type Timings = (Vec<(Duration, [Duration; 3])>, Vec<String>);

async fn collect(
    name: &str,
    tasks: Vec<tokio::task::JoinHandle<Timings>>,
    started: Instant,
) -> anyhow::Result<Outcome> {
    let mut sample = Sample::new(name);
    let mut steps = ["open", "edit", "submit"].map(|s| Sample::new(format!("P2 {s} alone")));
    let mut errors = Vec::new();
    for t in tasks {
        let (times, errs) = t.await?;
        for (total, parts) in times {
            sample.durations.push(total);
            for (step, d) in steps.iter_mut().zip(parts) {
                step.durations.push(d);
            }
        }
        errors.extend(errs);
    }
    Ok(Outcome {
        sample,
        steps: steps.into(),
        wall: started.elapsed(),
        errors,
    })
}
