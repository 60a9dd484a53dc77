//! The engine's activities: the only place workflows touch the database
//! and other cases (email goes out through the dispatcher beside them).
//! Each is idempotent, keyed by case id and step number.
use super::delivery;
use super::record::{self, RecordOutcome, StepRecord};
use crate::email_templates::EmailTemplates;
use sea_orm::DatabaseConnection;
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use temporalio_client::Client;
use temporalio_macros::activities;
use temporalio_sdk::activities::{ActivityContext, ActivityError};
use tokio::sync::Notify;
use tracing::Instrument;

pub struct CaseActivities {
    pub db: DatabaseConnection,
    /// For commands to other cases' workflows.
    pub temporal: Client,
    /// Tells this process's email dispatcher that a step queued email.
    pub email_wake: Arc<Notify>,
    /// What a step's notices are written with.
    pub templates: Arc<EmailTemplates>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct DeliveryRequest {
    pub case_id: String,
    pub seq: i32,
}

#[activities]
impl CaseActivities {
    /// One transaction: effects, header, snapshot, read model, audit entry,
    /// queued emails and commands, open clocks.
    #[activity]
    pub async fn record_step(
        self: Arc<Self>,
        _ctx: ActivityContext,
        input: StepRecord,
    ) -> Result<RecordOutcome, ActivityError> {
        let span = tracing::info_span!(
            "record step",
            program = %input.program,
            command = %input.command,
            case = %input.header.id,
            step = input.seq
        );
        crate::telemetry::continue_trace(&span, input.trace_parent.as_deref());
        let outcome = record::record(&self.db, &self.templates, &input)
            .instrument(span)
            .await?;
        if let RecordOutcome::Recorded { fresh: true, .. } = &outcome {
            crate::metrics::count_step(
                &input.program,
                &input.command,
                // The system opens cases of its own (a network's) at
                // step 1; after that, it acts only when a clock runs out.
                input.actor.role == leeway_machines::domain::actor::Role::System && input.seq > 1,
            );
        }
        if let RecordOutcome::Recorded {
            emails: Some(true), ..
        } = &outcome
        {
            self.email_wake.notify_one();
        }
        Ok(outcome)
    }

    /// The report schedule's run: opens the latest year's annual report.
    #[activity]
    pub async fn open_scheduled_report(
        self: Arc<Self>,
        _ctx: ActivityContext,
        input: crate::programs::report_schedule::ScheduledReport,
    ) -> Result<String, ActivityError> {
        crate::programs::report_schedule::open_latest(&self.temporal, input).await
    }

    /// The progress schedule's run: opens the progress reports of the year
    /// that ended.
    #[activity]
    pub async fn open_progress_reports(
        self: Arc<Self>,
        _ctx: ActivityContext,
        input: crate::programs::report_schedule::ScheduledReport,
    ) -> Result<u32, ActivityError> {
        crate::programs::report_schedule::open_progress(&self.db, &self.temporal, input).await
    }

    #[activity]
    pub async fn deliver_commands(
        self: Arc<Self>,
        _ctx: ActivityContext,
        input: DeliveryRequest,
    ) -> Result<u32, ActivityError> {
        let sent =
            delivery::deliver_commands(&self.db, &self.temporal, &input.case_id, input.seq).await?;
        Ok(sent as u32)
    }
}
