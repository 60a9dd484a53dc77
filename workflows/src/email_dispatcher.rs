//! Sends the email outbox, beside the Temporal worker, in every worker
//! process. A step's record transaction queues its email; the record
//! activity wakes the dispatcher, which sends it at once, and a poll picks
//! up retries that fall due and work another process left behind.
//!
//! Why not an activity in each case's workflow, as before: each emailing
//! step cost the case two more round trips through Temporal (the activity,
//! then a workflow task for its result). On a deadline day that doubled
//! the server's work per submission, and a command sent meanwhile waited
//! behind those tasks (`leeway bench`, P1 and P2). The outbox rows were
//! already the durable record of what is owed: each message is claimed
//! before it is sent, with a short lease, so any number of dispatchers
//! (and a restart after a crash) send each message once, flagging the one
//! whose outcome the crash hid.
use crate::email_templates::EmailTemplates;
use crate::mailer::Mailer;
use crate::outbox;
use leeway_machines::domain::notification_rules::NotificationRules;
use sea_orm::DatabaseConnection;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;

/// How often the outbox is looked at when nothing wakes the dispatcher:
/// retries due, or work a stopped process left.
const POLL: Duration = Duration::from_secs(1);
/// Messages taken in one pass.
const BATCH: u64 = 200;
/// Cases whose email is sent side by side.
const CASES_AT_ONCE: usize = 8;

pub struct EmailDispatcher {
    pub db: DatabaseConnection,
    pub mailer: Mailer,
    pub rules: NotificationRules,
    /// What administrators' alerts are written with.
    pub templates: Arc<EmailTemplates>,
    /// Notified when a step has queued email.
    pub wake: Arc<Notify>,
}

impl EmailDispatcher {
    /// Runs until the task is dropped. A send cut off by that is the
    /// crash case: its claim lapses and the next dispatcher resends it,
    /// flagged.
    pub async fn run(self) {
        let mut failing = false;
        let delivery = outbox::Delivery {
            mailer: &self.mailer,
            rules: &self.rules,
            templates: &self.templates,
        };
        loop {
            match outbox::deliver_due(&self.db, &delivery, BATCH, CASES_AT_ONCE).await {
                Ok(done) => {
                    crate::metrics::count_emails("sent", done.sent);
                    crate::metrics::count_emails("failed", done.failed);
                    crate::metrics::count_emails("undeliverable", done.undeliverable);
                    failing = false;
                    // A full batch: more may be waiting.
                    if u64::from(done.tried()) >= BATCH {
                        continue;
                    }
                }
                Err(e) => {
                    if !failing {
                        tracing::warn!(error = %e, "the email outbox could not be read; retrying");
                    }
                    failing = true;
                }
            }
            tokio::select! {
                _ = self.wake.notified() => {}
                _ = tokio::time::sleep(POLL) => {}
            }
        }
    }
}
