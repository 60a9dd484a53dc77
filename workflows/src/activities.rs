//! Activities: the only place workflows touch the database and the mail
//! relay. Each is idempotent, keyed by case id + step number.
use crate::case_record::{self, CaseStep};
use crate::machine::waiver::{FrozenSnapshot, WaiverCase};
use crate::mailer::Mailer;
use crate::{outbox, waiver_projection};
use sea_orm::{DatabaseConnection, TransactionTrait};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use temporalio_macros::activities;
use temporalio_sdk::activities::{ActivityContext, ActivityError};

pub struct CaseActivities {
    pub db: DatabaseConnection,
    pub mailer: Mailer,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct WaiverStepRecord {
    pub profile_code: String,
    pub case: WaiverCase,
    pub snapshot: Option<FrozenSnapshot>,
    pub step: CaseStep,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct DeliveryRequest {
    pub case_id: String,
    pub seq: i32,
}

#[activities]
impl CaseActivities {
    /// One transaction: read model, audit entry, queued emails, open clocks.
    #[activity]
    pub async fn record_waiver_step(
        self: Arc<Self>,
        _ctx: ActivityContext,
        input: WaiverStepRecord,
    ) -> Result<bool, ActivityError> {
        let txn = self.db.begin().await?;
        let fresh = case_record::record(&txn, &input.step).await?;
        if fresh {
            waiver_projection::write(
                &txn,
                &input.case,
                &input.profile_code,
                input.step.seq,
                input.step.at,
                &input.step.actor,
                input.snapshot.as_ref(),
            )
            .await?;
        }
        txn.commit().await?;
        Ok(fresh)
    }

    #[activity]
    pub async fn deliver_notifications(
        self: Arc<Self>,
        _ctx: ActivityContext,
        input: DeliveryRequest,
    ) -> Result<u32, ActivityError> {
        let sent = outbox::deliver(&self.db, &self.mailer, &input.case_id, Some(input.seq)).await?;
        Ok(sent as u32)
    }
}
