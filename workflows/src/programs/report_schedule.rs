//! The Temporal Schedule that starts each year's annual report: on the
//! profile's compilation day (or, in a test profile, every few seconds)
//! it starts this small workflow, whose one activity opens the report of
//! the latest year whose compilation has begun. Opening is idempotent, so
//! a schedule that fires twice, or after an administrator started the
//! year by hand, finds the case already open.
use crate::engine::activities::CaseActivities;
use crate::engine::case_workflow::CaseWorkflow;
use crate::engine::host::CaseInput;
use crate::programs::AnnualReportWorkflow;
use chrono::Utc;
use leeway_machines::domain::actor::Actor;
use leeway_machines::report::machine::AnnualReportCase;
use leeway_machines::report::rules::ReportRules;
use serde::{Deserialize, Serialize};
use std::time::Duration;
use temporalio_client::errors::{WorkflowStartError, WorkflowUpdateWithStartError};
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
        let options = ActivityOptions::with_start_to_close_timeout(Duration::from_secs(120))
            .retry_policy(
                RetryPolicy::builder()
                    .maximum_interval(Duration::from_secs(60))
                    .build(),
            )
            .build();
        Ok(ctx
            .execute_activity(CaseActivities::open_scheduled_report, input, options)
            .await?)
    }
}

/// The activity's work: the year from the worker's clock, then the case.
pub async fn open_latest(client: &Client, input: ScheduledReport) -> Result<String, ActivityError> {
    let now = Utc::now();
    let year = input.rules.latest_compiled(now);
    let case = AnnualReportCase::new(&input.rules, &input.agency, year, "system", now);
    let id = case.id.clone();
    let opened = AnnualReportWorkflow::open(
        client,
        &input.task_queue,
        CaseInput::open(case, input.rules, input.profile_code, Actor::system()),
        Some(format!("scheduled-report-{year}")),
    )
    .await;
    match opened {
        Ok(_)
        | Err(WorkflowUpdateWithStartError::Start(WorkflowStartError::AlreadyStarted { .. })) => {
            Ok(id)
        }
        Err(e) => Err(anyhow::anyhow!("opening the report for {year}: {e}").into()),
    }
}

/// The schedule's id for a profile.
pub fn schedule_id(profile_code: &str) -> String {
    format!("annual-report-{}", profile_code.to_ascii_lowercase())
}

fn spec(rules: &ReportRules) -> ScheduleSpec {
    match rules.schedule_every {
        Some(every) => ScheduleSpec::from_interval(Duration::from_secs(every.seconds().max(1))),
        None => ScheduleSpec::from_calendar(
            ScheduleCalendarSpec::builder()
                .month(rules.compile_on.month.to_string())
                .day_of_month(rules.compile_on.day.to_string())
                .hour("6")
                .comment("the profile's compilation day, 06:00 UTC")
                .build(),
        ),
    }
}

fn action(input: &ScheduledReport) -> ScheduleAction {
    ScheduleAction::start_workflow(
        ReportScheduleWorkflow::run,
        input.clone(),
        input.task_queue.clone(),
        schedule_id(&input.profile_code),
    )
}

/// Creates the profile's schedule, or brings an existing one up to the
/// profile's rules (they may have changed since it was made).
pub async fn ensure(client: &Client, input: ScheduledReport) -> Result<(), ScheduleError> {
    let id = schedule_id(&input.profile_code);
    let options = CreateScheduleOptions::builder()
        .action(action(&input))
        .spec(spec(&input.rules))
        .overlap_policy(ScheduleOverlapPolicy::Skip)
        .note(format!("Starts the annual report of {}", input.agency))
        .build();
    match client.create_schedule(id.as_str(), options).await {
        Ok(_) => Ok(()),
        Err(ScheduleError::Rpc(status)) if status.code() == tonic::Code::AlreadyExists => {
            let (spec, action) = (spec(&input.rules), action(&input));
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
