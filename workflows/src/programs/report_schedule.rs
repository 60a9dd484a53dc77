//! The Temporal Schedules of the annual report. On the profile's
//! compilation day (or, in a test profile, every few seconds) one starts a
//! small workflow whose one activity opens the report of the latest year
//! whose compilation has begun. When a reporting year ends, the other
//! opens the progress report of every waiver in force in it. Opening is
//! idempotent, so a schedule that fires twice, or after an administrator
//! opened the year by hand, finds the cases already open.
use crate::engine::activities::CaseActivities;
use crate::engine::case_workflow::CaseWorkflow;
use crate::engine::host::CaseInput;
use crate::programs::AnnualReportWorkflow;
use chrono::Utc;
use leeway_machines::domain::actor::Actor;
use leeway_machines::domain::month_day::MonthDay;
use leeway_machines::report::machine::AnnualReportCase;
use leeway_machines::report::rules::ReportRules;
use serde::{Deserialize, Serialize};
use std::time::Duration;
use temporalio_client::schedules::{
    CreateScheduleOptions, ScheduleAction, ScheduleCalendarSpec, ScheduleError,
    ScheduleOverlapPolicy, ScheduleSpec,
};
use temporalio_client::{Client, tonic};
use temporalio_common::RetryPolicy;
use temporalio_macros::{workflow, workflow_methods};
use temporalio_sdk::activities::ActivityError;
use temporalio_sdk::{ActivityOptions, WorkflowContext, WorkflowResult};

/// What the schedule hands each run: the profile's report rules as they
/// were when the schedule was last set (at the service's start).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ScheduledReport {
    pub profile_code: String,
    pub agency: String,
    pub rules: ReportRules,
    pub task_queue: String,
}

/// A scheduled run's one activity: retried until it lands, each attempt
/// bounded by `seconds`.
fn retried(seconds: u64) -> ActivityOptions {
    ActivityOptions::with_start_to_close_timeout(Duration::from_secs(seconds))
        .retry_policy(
            RetryPolicy::builder()
                .maximum_interval(Duration::from_secs(60))
                .build(),
        )
        .build()
}

#[workflow]
#[derive(Default)]
pub struct ReportScheduleWorkflow;

#[workflow_methods]
impl ReportScheduleWorkflow {
    /// Opens the latest year's report; answers with its case id.
    #[run(name = "AnnualReportSchedule")]
    pub async fn run(
        ctx: &mut WorkflowContext<Self>,
        input: ScheduledReport,
    ) -> WorkflowResult<String> {
        Ok(ctx
            .execute_activity(CaseActivities::open_scheduled_report, input, retried(120))
            .await?)
    }
}

#[workflow]
#[derive(Default)]
pub struct ProgressScheduleWorkflow;

#[workflow_methods]
impl ProgressScheduleWorkflow {
    /// Opens the progress reports of the year that ended; answers how many.
    #[run(name = "WaiverProgressSchedule")]
    pub async fn run(
        ctx: &mut WorkflowContext<Self>,
        input: ScheduledReport,
    ) -> WorkflowResult<u32> {
        Ok(ctx
            .execute_activity(CaseActivities::open_progress_reports, input, retried(600))
            .await?)
    }
}

/// The progress activity's work: the year that ended, then its cases.
pub async fn open_progress(
    db: &sea_orm::DatabaseConnection,
    client: &Client,
    input: ScheduledReport,
) -> Result<u32, ActivityError> {
    let Some(progress) = &input.rules.progress else {
        return Ok(0);
    };
    let year = input.rules.year(input.rules.latest_ended(Utc::now()));
    let target = super::progress::ProgressTarget {
        client,
        task_queue: &input.task_queue,
        profile_code: &input.profile_code,
        rules: progress,
    };
    let opened = super::progress::open_for_year(db, &target, &year, &Actor::system(), false)
        .await
        .map_err(|e| anyhow::anyhow!("opening the progress reports of {}: {e}", year.label()))?;
    Ok(opened.len() as u32)
}

/// The activity's work: the year from the worker's clock, then the case.
pub async fn open_latest(client: &Client, input: ScheduledReport) -> Result<String, ActivityError> {
    let now = Utc::now();
    let year = input.rules.latest_compiled(now);
    let case = AnnualReportCase::new(&input.rules, &input.agency, year, "system", now);
    let id = case.id.clone();
    AnnualReportWorkflow::start(
        client,
        &input.task_queue,
        CaseInput::open(case, input.rules, input.profile_code, Actor::system()),
    )
    .await
    .map_err(|e| anyhow::anyhow!("opening the report for {year}: {e}"))?;
    Ok(id)
}

/// The report schedule's id for a profile.
pub fn schedule_id(profile_code: &str) -> String {
    format!("annual-report-{}", profile_code.to_ascii_lowercase())
}

/// The progress schedule's id for a profile.
pub fn progress_schedule_id(profile_code: &str) -> String {
    format!("waiver-progress-{}", profile_code.to_ascii_lowercase())
}

fn spec(rules: &ReportRules, day: MonthDay, comment: &str) -> ScheduleSpec {
    match rules.schedule_every {
        Some(every) => ScheduleSpec::from_interval(Duration::from_secs(every.seconds().max(1))),
        None => ScheduleSpec::from_calendar(
            ScheduleCalendarSpec::builder()
                .month(day.month.to_string())
                .day_of_month(day.day.to_string())
                .hour("6")
                .comment(comment)
                .build(),
        ),
    }
}

/// Creates a schedule, or brings an existing one up to the profile's
/// rules (they may have changed since it was made).
async fn ensure_one(
    client: &Client,
    id: String,
    spec: ScheduleSpec,
    action: ScheduleAction,
    note: String,
) -> Result<(), ScheduleError> {
    let options = CreateScheduleOptions::builder()
        .action(action.clone())
        .spec(spec.clone())
        .overlap_policy(ScheduleOverlapPolicy::Skip)
        .note(note)
        .build();
    match client.create_schedule(id.as_str(), options).await {
        Ok(_) => Ok(()),
        Err(ScheduleError::Rpc(status)) if status.code() == tonic::Code::AlreadyExists => {
            client
                .get_schedule_handle(id.as_str())
                .update(
                    move |u| {
                        u.set_spec(spec).set_action(action);
                    },
                    Default::default(),
                )
                .await
        }
        Err(e) => Err(e),
    }
}

/// The profile's report schedule, and its progress schedule when the
/// profile asks for progress reports.
pub async fn ensure(client: &Client, input: ScheduledReport) -> Result<(), ScheduleError> {
    let rules = &input.rules;
    ensure_one(
        client,
        schedule_id(&input.profile_code),
        spec(
            rules,
            rules.compile_on,
            "the profile's compilation day, 06:00 UTC",
        ),
        ScheduleAction::start_workflow(
            ReportScheduleWorkflow::run,
            input.clone(),
            input.task_queue.clone(),
            schedule_id(&input.profile_code),
        ),
        format!("Starts the annual report of {}", input.agency),
    )
    .await?;
    if rules.progress.is_some() {
        ensure_one(
            client,
            progress_schedule_id(&input.profile_code),
            spec(
                rules,
                rules.year_starts,
                "the reporting year's end, 06:00 UTC",
            ),
            ScheduleAction::start_workflow(
                ProgressScheduleWorkflow::run,
                input.clone(),
                input.task_queue.clone(),
                progress_schedule_id(&input.profile_code),
            ),
            format!("Opens the waivers' progress reports of {}", input.agency),
        )
        .await?;
    }
    Ok(())
}
