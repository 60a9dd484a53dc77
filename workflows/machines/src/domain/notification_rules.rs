//! How long a state keeps trying to deliver its email through a relay that
//! is down, before it tells its administrators: the `[notifications]`
//! section of a state profile.
use super::duration::ClockDuration;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotificationRules {
    /// Keep retrying a step's emails this long after the first attempt.
    #[serde(default = "default_retry_for")]
    pub retry_for: ClockDuration,
    /// The wait before the first retry; each later wait doubles...
    #[serde(default = "default_first_retry")]
    pub first_retry: ClockDuration,
    /// ...up to this.
    #[serde(default = "default_longest_wait")]
    pub longest_wait: ClockDuration,
}

fn default_retry_for() -> ClockDuration {
    ClockDuration::days(3)
}
fn default_first_retry() -> ClockDuration {
    ClockDuration::from_seconds(10)
}
fn default_longest_wait() -> ClockDuration {
    ClockDuration::from_seconds(3_600)
}

impl Default for NotificationRules {
    fn default() -> Self {
        Self {
            retry_for: default_retry_for(),
            first_retry: default_first_retry(),
            longest_wait: default_longest_wait(),
        }
    }
}

impl NotificationRules {
    pub fn validate(&self) -> Result<(), String> {
        if self.first_retry > self.longest_wait {
            return Err(format!(
                "notifications: first_retry ({}) is longer than longest_wait ({})",
                self.first_retry.adjective(),
                self.longest_wait.adjective()
            ));
        }
        if self.longest_wait > self.retry_for {
            return Err(format!(
                "notifications: longest_wait ({}) is longer than retry_for ({})",
                self.longest_wait.adjective(),
                self.retry_for.adjective()
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn three_days_by_default_and_checked() {
        let rules: NotificationRules = toml::from_str("").unwrap();
        assert_eq!(rules.retry_for, ClockDuration::days(3));
        assert!(rules.validate().is_ok());
        let rules: NotificationRules = toml::from_str("first_retry = \"2h\"").unwrap();
        assert!(rules.validate().unwrap_err().contains("first_retry"));
    }
}
