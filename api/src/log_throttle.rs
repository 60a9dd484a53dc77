//! One failure seen by many requests at once (the database pool empty,
//! Temporal down) is logged once per interval with a count, not once per
//! field: 145k identical ERROR lines hide the one that matters.
use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

const INTERVAL: Duration = Duration::from_secs(30);

struct Seen {
    logged_at: Instant,
    suppressed: u64,
}

fn seen() -> &'static Mutex<HashMap<String, Seen>> {
    static SEEN: OnceLock<Mutex<HashMap<String, Seen>>> = OnceLock::new();
    SEEN.get_or_init(Default::default)
}

/// Whether an error under `key` should be logged now, and how many like it
/// were held back since the last one that was.
pub fn admit(key: &str, now: Instant) -> Option<u64> {
    let mut seen = seen().lock().unwrap_or_else(|p| p.into_inner());
    match seen.get_mut(key) {
        Some(s) if now.duration_since(s.logged_at) < INTERVAL => {
            s.suppressed += 1;
            None
        }
        Some(s) => {
            let held = s.suppressed;
            *s = Seen {
                logged_at: now,
                suppressed: 0,
            };
            Some(held)
        }
        None => {
            if seen.len() > 1_000 {
                seen.clear();
            }
            seen.insert(
                key.to_string(),
                Seen {
                    logged_at: now,
                    suppressed: 0,
                },
            );
            Some(0)
        }
    }
}

/// Logs `error` under `context`, at most once per interval for the same
/// context and kind of error.
pub fn error(context: &str, error: &str) {
    // The kind of error, without the details that differ per request.
    let kind: String = error.chars().take(60).collect();
    if let Some(held) = admit(&format!("{context}\u{1f}{kind}"), Instant::now()) {
        if held > 0 {
            tracing::error!(%error, held_back = held, "{context} (and {held} more like it since the last report)");
        } else {
            tracing::error!(%error, "{context}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_is_logged_once_then_counted() {
        let t0 = Instant::now();
        let key = "test-burst";
        assert_eq!(admit(key, t0), Some(0));
        for _ in 0..1_000 {
            assert_eq!(admit(key, t0 + Duration::from_millis(5)), None);
        }
        assert_eq!(
            admit(key, t0 + INTERVAL + Duration::from_secs(1)),
            Some(1_000)
        );
    }
}
