//! Failed sign-ins on the security chain. A token is never written down:
//! only the first 12 hex digits of its SHA-256, enough to match it against
//! a leaked or revoked token. A flood of bad tokens must not flood the
//! chain, so each token is recorded at most once a minute and all of them
//! at most a few dozen times a minute; what is held back is counted in the
//! next entry.
use chrono::Utc;
use leeway_workflows::audit::{self, AuditRecord, SECURITY_CHAIN};
use sea_orm::DatabaseConnection;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

const PER_TOKEN: Duration = Duration::from_secs(60);
const WINDOW: Duration = Duration::from_secs(60);
const PER_WINDOW: u32 = 30;

#[derive(Default)]
struct Tally {
    last_by_token: HashMap<String, Instant>,
    window_start: Option<Instant>,
    in_window: u32,
    held_back: u64,
}

#[derive(Default)]
pub struct FailedSignIns {
    tally: Mutex<Tally>,
}

/// What to write for one failed sign-in, if anything.
#[derive(Debug, PartialEq, Eq)]
pub struct Entry {
    pub token_prefix: String,
    pub held_back: u64,
}

impl FailedSignIns {
    pub fn admit(&self, token_hash: &str, now: Instant) -> Option<Entry> {
        let prefix: String = token_hash.chars().take(12).collect();
        let mut t = self.tally.lock().unwrap_or_else(|p| p.into_inner());
        if t.window_start
            .is_none_or(|s| now.duration_since(s) >= WINDOW)
        {
            t.window_start = Some(now);
            t.in_window = 0;
            t.last_by_token
                .retain(|_, at| now.duration_since(*at) < PER_TOKEN);
        }
        let recent = t
            .last_by_token
            .get(&prefix)
            .is_some_and(|at| now.duration_since(*at) < PER_TOKEN);
        if recent || t.in_window >= PER_WINDOW {
            t.held_back += 1;
            return None;
        }
        t.in_window += 1;
        t.last_by_token.insert(prefix.clone(), now);
        Some(Entry {
            token_prefix: prefix,
            held_back: std::mem::take(&mut t.held_back),
        })
    }

    /// Records a bearer token that matched no live token.
    pub async fn record(&self, db: &DatabaseConnection, token_hash: &str) {
        let Some(entry) = self.admit(token_hash, Instant::now()) else {
            return;
        };
        let mut reasons = vec![format!(
            "A token that is unknown or revoked was presented (SHA-256 prefix {}).",
            entry.token_prefix
        )];
        if entry.held_back > 0 {
            reasons.push(format!(
                "{} more failed sign-ins since the last entry were counted, not recorded one by one.",
                entry.held_back
            ));
        }
        let record = AuditRecord {
            chain: SECURITY_CHAIN.to_string(),
            case_id: None,
            at: Utc::now(),
            actor_user_id: format!("token:{}", entry.token_prefix),
            actor_role: "anonymous".into(),
            from_state: String::new(),
            to_state: String::new(),
            command: "refused:sign_in".into(),
            reasons,
            snapshot_hash: None,
            state_hash: None,
        };
        if let Err(e) = audit::append_next(db, &record).await {
            crate::log_throttle::error("could not audit a failed sign-in", &e.to_string());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_token_once_a_minute_and_a_flood_is_counted() {
        let f = FailedSignIns::default();
        let t0 = Instant::now();
        let first = f.admit("aaaaaaaaaaaa-rest", t0).unwrap();
        assert_eq!(first.token_prefix, "aaaaaaaaaaaa");
        assert_eq!(
            f.admit("aaaaaaaaaaaa-rest", t0),
            None,
            "same token, same minute"
        );
        for i in 0..100 {
            let _ = f.admit(&format!("{i:012}"), t0);
        }
        // 29 more fitted the minute (the first of them reporting the held
        // repeat); the other 71 were held back for the next entry.
        let later = t0 + WINDOW + Duration::from_secs(1);
        let next = f.admit("bbbbbbbbbbbb", later).unwrap();
        assert_eq!(next.held_back, 71);
        assert!(
            f.admit("aaaaaaaaaaaa-rest", later).is_some(),
            "a minute on, it is recorded again"
        );
    }
}
