//! The engine's activities: the only place workflows touch the database,
//! the mail relay and other cases. Each is idempotent, keyed by case id
//! and step number.
use super::delivery;
use super::record::{self, RecordOutcome, StepRecord};
use crate::mailer::Mailer;
use crate::outbox::{self, Delivered};
use sea_orm::DatabaseConnection;
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use temporalio_client::Client;
use temporalio_macros::activities;
use temporalio_sdk::activities::{ActivityContext, ActivityError};

pub struct CaseActivities {
    pub db: DatabaseConnection,
    pub mailer: Mailer,
    /// For commands to other cases' workflows.
    pub temporal: Client,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct DeliveryRequest {
    pub case_id: String,
    pub seq: i32,
    /// Giving up: also make what is still unsent undeliverable (the retry
    /// time ran out), not only alert about what the relay refused.
    #[serde(default)]
    pub give_up_pending: bool,
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
        Ok(record::record(&self.db, &input).await?)
    }

    /// One round of a case's email. Heartbeats before each message, so a
    /// worker that dies mid-round is noticed within the heartbeat timeout
    /// and another takes over.
    #[activity]
    pub async fn deliver_emails(
        self: Arc<Self>,
        ctx: ActivityContext,
        input: DeliveryRequest,
    ) -> Result<Delivered, ActivityError> {
        let heartbeat = || async {
            let _ = ctx.record_heartbeat(()).await;
        };
        Ok(outbox::deliver(
            &self.db,
            &self.mailer,
            &input.case_id,
            Some(input.seq),
            heartbeat,
        )
        .await?)
    }

    /// After the profile's retry time: the step's unsent emails become
    /// undeliverable and the administrators are alerted (by email, queued
    /// for the same step). Answers the number of alerts queued.
    #[activity]
    pub async fn give_up_emails(
        self: Arc<Self>,
        _ctx: ActivityContext,
        input: DeliveryRequest,
    ) -> Result<u32, ActivityError> {
        Ok(outbox::give_up(&self.db, &input.case_id, input.seq, input.give_up_pending).await?)
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
