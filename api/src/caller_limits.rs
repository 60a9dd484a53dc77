//! Keeps one caller from starving the others: each token may have a few
//! requests in flight; more wait briefly for a turn, then are refused with
//! RATE_LIMITED. A district's own client, making one call after another,
//! never meets the limit.
use crate::http_request::HttpRefusal;
use axum::http::StatusCode;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// Requests one token may have running at once.
pub const IN_FLIGHT_PER_CALLER: usize = 4;
/// How long a request past that waits for a turn before it is refused.
pub const WAIT_FOR_TURN: Duration = Duration::from_secs(5);

pub struct CallerLimits {
    in_flight: usize,
    wait: Duration,
    callers: Mutex<HashMap<String, Arc<Semaphore>>>,
}

impl Default for CallerLimits {
    fn default() -> Self {
        Self::new(IN_FLIGHT_PER_CALLER, WAIT_FOR_TURN)
    }
}

impl CallerLimits {
    pub fn new(in_flight: usize, wait: Duration) -> Self {
        Self {
            in_flight,
            wait,
            callers: Mutex::new(HashMap::new()),
        }
    }

    /// A turn for the caller `key` (a token's hash), held for the request.
    pub async fn admit(&self, key: &str) -> Result<OwnedSemaphorePermit, HttpRefusal> {
        let semaphore = {
            let mut callers = self.callers.lock().unwrap_or_else(|p| p.into_inner());
            if callers.len() > 10_000 {
                // Forget callers with nothing in flight.
                callers.retain(|_, s| s.available_permits() < self.in_flight);
            }
            callers
                .entry(key.to_string())
                .or_insert_with(|| Arc::new(Semaphore::new(self.in_flight)))
                .clone()
        };
        match tokio::time::timeout(self.wait, semaphore.acquire_owned()).await {
            Ok(Ok(permit)) => Ok(permit),
            _ => Err(HttpRefusal::new(
                StatusCode::TOO_MANY_REQUESTS,
                "RATE_LIMITED",
                format!(
                    "This token already has {} requests running; wait for them to finish before sending more.",
                    self.in_flight
                ),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn one_caller_past_its_share_is_refused_and_others_are_not() {
        let limits = CallerLimits::new(2, Duration::from_millis(50));
        let a1 = limits.admit("a").await.unwrap();
        let _a2 = limits.admit("a").await.unwrap();
        let refused = limits.admit("a").await.unwrap_err();
        assert_eq!(refused.code, "RATE_LIMITED");
        assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS);
        let _b = limits
            .admit("b")
            .await
            .expect("another caller still gets a turn");
        drop(a1);
        let _a = limits
            .admit("a")
            .await
            .expect("a finished request frees a turn");
    }
}
