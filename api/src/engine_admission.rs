//! Steps waiting for the workflow engine take turns here.
//!
//! On a deadline day hundreds of districts send steps at once. Sent
//! straight on, they pile up in Temporal's task queue, which is not
//! served in order (new tasks seem to be matched ahead of its backlog):
//! the median open waited 20 s, the slowest more than 55 s, and those
//! answered "still saving" for cases that were then created anyway.
//! Here they wait in order instead, with only a few in the engine at
//! once. A step that cannot get in within its wait has not started, so
//! its caller hears that nothing was done and may simply send it again.
use crate::error::ApiError;
use std::sync::Arc;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::time::Instant;

/// Steps in the engine at once from one API process: enough to keep the
/// engine busy (a step takes tens of milliseconds when it is not queued),
/// few enough that its queue stays short.
pub const IN_FLIGHT: usize = 64;

#[derive(Clone)]
pub struct EngineAdmission {
    slots: Arc<Semaphore>,
}

impl EngineAdmission {
    pub fn new(in_flight: usize) -> Self {
        Self {
            slots: Arc::new(Semaphore::new(in_flight.max(1))),
        }
    }

    /// Waits in line, first come first served, until `until`. The slot is
    /// held until the permit is dropped.
    pub async fn enter(&self, until: Instant) -> Result<OwnedSemaphorePermit, ApiError> {
        let waiting = Instant::now();
        let entered = tokio::time::timeout_at(until, self.slots.clone().acquire_owned()).await;
        leeway_workflows::metrics::observe_wait("engine", waiting.elapsed().as_secs_f64());
        match entered {
            Ok(Ok(permit)) => Ok(permit),
            _ => Err(ApiError::Unavailable(
                "Leeway has more steps to save than it can take right now and did not start this one; nothing was changed. Send the same request again in a moment.".into(),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use std::time::Duration;

    #[tokio::test]
    async fn steps_get_in_in_the_order_they_came() {
        let admission = EngineAdmission::new(1);
        let first = admission
            .enter(Instant::now() + Duration::from_secs(1))
            .await
            .unwrap();
        let order = Arc::new(std::sync::Mutex::new(Vec::new()));
        let mut waiting = Vec::new();
        for n in 0..5 {
            let (admission, order) = (admission.clone(), order.clone());
            waiting.push(tokio::spawn(async move {
                let permit = admission
                    .enter(Instant::now() + Duration::from_secs(60))
                    .await
                    .unwrap();
                order.lock().unwrap().push(n);
                tokio::time::sleep(Duration::from_millis(5)).await;
                drop(permit);
            }));
            // Each arrives after the one before it.
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        drop(first);
        for w in waiting {
            w.await.unwrap();
        }
        assert_eq!(*order.lock().unwrap(), vec![0, 1, 2, 3, 4]);
    }

    #[tokio::test]
    async fn a_step_that_cannot_get_in_is_told_nothing_was_done() {
        let admission = EngineAdmission::new(1);
        let _busy = admission
            .enter(Instant::now() + Duration::from_secs(1))
            .await
            .unwrap();
        let refused = admission
            .enter(Instant::now() + Duration::from_millis(50))
            .await
            .err()
            .unwrap();
        assert_eq!(refused.code(), "UNAVAILABLE");
        assert!(
            refused.message().contains("nothing was changed"),
            "{}",
            refused.message()
        );
    }
}
