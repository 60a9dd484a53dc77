//! `leeway bench`: how long one waiver transition takes through GraphQL,
//! next to a bare Temporal update measured in the same run on the same
//! server. Prints medians and ratios; these machines are shared and noisy,
//! so absolute numbers matter less than the ratio.
use crate::app::RunningApp;
use crate::config::SettingsArgs;
use leeway_workflows::bench_workflow::BareUpdateWorkflow;
use serde_json::{Value, json};
use std::time::{Duration, Instant};
use temporalio_client::{WorkflowExecuteUpdateOptions, WorkflowStartOptions};

pub struct Sample {
    pub name: &'static str,
    pub durations: Vec<Duration>,
}

impl Sample {
    fn sorted(&self) -> Vec<Duration> {
        let mut d = self.durations.clone();
        d.sort();
        d
    }
    pub fn median(&self) -> Duration {
        let d = self.sorted();
        d.get(d.len() / 2).copied().unwrap_or_default()
    }
    pub fn p90(&self) -> Duration {
        let d = self.sorted();
        d.get((d.len() * 9) / 10).copied().unwrap_or_default()
    }
}

fn ms(d: Duration) -> String {
    format!("{:.2}", d.as_secs_f64() * 1000.0)
}

pub fn table(samples: &[Sample]) -> String {
    let base = samples
        .first()
        .map(|s| s.median().as_secs_f64())
        .unwrap_or(1.0)
        .max(1e-9);
    let mut out = format!(
        "{:<56} {:>6} {:>12} {:>12} {:>14}\n",
        "measurement", "runs", "median ms", "p90 ms", "x baseline"
    );
    for s in samples {
        out.push_str(&format!(
            "{:<56} {:>6} {:>12} {:>12} {:>14.2}\n",
            s.name,
            s.durations.len(),
            ms(s.median()),
            ms(s.p90()),
            s.median().as_secs_f64() / base
        ));
    }
    out
}

async fn gql(
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

pub async fn run(iterations: usize, mut args: SettingsArgs) -> anyhow::Result<String> {
    let dir = tempfile::tempdir()?;
    args.data_dir = Some(dir.path().to_path_buf());
    args.listen = Some("127.0.0.1:0".into());
    args.database_url = None;
    let settings = args.resolve(None)?;
    let running = RunningApp::start(settings, true).await?;
    let result = measure(&running, iterations).await;
    running.stop().await;
    result
}

async fn measure(running: &RunningApp, iterations: usize) -> anyhow::Result<String> {
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

    let mut bare_sample = Sample {
        name: "bare Temporal update (baseline)",
        durations: Vec::new(),
    };
    let mut graphql_sample = Sample {
        name: "waiver transition through GraphQL (editWaiverDraft)",
        durations: Vec::new(),
    };
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
    let mut mailing_sample = Sample {
        name: "transition with email through GraphQL (submit/return)",
        durations: Vec::new(),
    };
    gql(
        &http,
        &url,
        "demo-district-applicant",
        edit,
        json!({ "id": case_id, "c": complete_content() }),
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
    Ok(table(&[bare_sample, graphql_sample, mailing_sample]))
}

fn complete_content() -> Value {
    json!({
        "title": "Benchmark request",
        "items": [{ "citation": "DS 22-7-101", "rationale": "r", "replacementPractice": "p", "goal": "g", "measure": "m" }],
        "studentsAffected": 100,
        "localSupport": {
            "boardVote": { "yes": 4, "no": 1, "membership": 5 },
            "staffVote": { "yes": 30, "no": 2, "eligible": 40, "secretBallot": true, "certifiedBy": "panel" }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_reports_median_and_ratio() {
        let base = Sample {
            name: "base",
            durations: [1, 2, 3].map(Duration::from_millis).to_vec(),
        };
        let slow = Sample {
            name: "slow",
            durations: [4, 6, 8].map(Duration::from_millis).to_vec(),
        };
        let t = table(&[base, slow]);
        assert!(
            t.contains("2.00") && t.contains("6.00") && t.contains("3.00"),
            "{t}"
        );
    }
}
