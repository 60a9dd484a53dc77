//! A state's rules as data: one section per program (its waivers, its
//! networks), loaded from TOML and validated before anything starts.
use super::notification_rules::NotificationRules;
use crate::grant::rules::GrantRules;
use crate::network::rules::NetworkRules;
use crate::report::rules::ReportRules;
use crate::waiver::rules::WaiverRules;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StateProfile {
    /// Short code, e.g. `WV`; names the profile in cases and the API.
    pub code: String,
    /// The state, e.g. "West Virginia".
    pub name: String,
    pub waivers: WaiverRules,
    /// Statewide learning networks districts may apply to join.
    #[serde(default)]
    pub networks: Vec<NetworkRules>,
    /// Email delivery through a relay that is down.
    #[serde(default)]
    pub notifications: NotificationRules,
    /// Thresholds and clocks every grant program of the state runs under.
    #[serde(default)]
    pub grants: GrantRules,
    /// The annual usage report the statute requires; none when the state's
    /// law asks for none.
    #[serde(default)]
    pub report: Option<ReportRules>,
}

#[derive(Debug, thiserror::Error)]
pub enum ProfileError {
    #[error("state profile {source_name}: {message}")]
    Invalid {
        source_name: String,
        message: String,
    },
}

impl StateProfile {
    /// Parses and validates a profile; `source_name` (a file path or a
    /// built-in name) is quoted in every error.
    pub fn from_toml(source_name: &str, text: &str) -> Result<Self, ProfileError> {
        let invalid = |message: String| ProfileError::Invalid {
            source_name: source_name.to_string(),
            message,
        };
        let mut unknown = Vec::new();
        let profile: StateProfile = serde_ignored::deserialize(
            toml::Deserializer::parse(text).map_err(|e| invalid(e.to_string()))?,
            |path| unknown.push(path.to_string()),
        )
        .map_err(|e| invalid(e.to_string()))?;
        if !unknown.is_empty() {
            return Err(invalid(format!(
                "unknown setting {}: check its spelling against the built-in profiles",
                unknown.join(", ")
            )));
        }
        profile.validate().map_err(invalid)?;
        Ok(profile)
    }

    fn validate(&self) -> Result<(), String> {
        if !is_code(&self.code) {
            return Err(format!(
                "code `{}` must be letters, digits or dashes (e.g. `WV`)",
                self.code
            ));
        }
        if self.name.trim().is_empty() {
            return Err("name must not be empty".into());
        }
        self.waivers.validate()?;
        self.notifications.validate()?;
        self.grants.validate()?;
        if let Some(report) = &self.report {
            report.validate()?;
        }
        let mut codes = std::collections::HashSet::new();
        for network in &self.networks {
            network.validate()?;
            if !codes.insert(network.code.to_ascii_lowercase()) {
                return Err(format!("two networks have the code `{}`", network.code));
            }
        }
        Ok(())
    }

    pub fn network(&self, code: &str) -> Option<&NetworkRules> {
        self.networks
            .iter()
            .find(|n| n.code.eq_ignore_ascii_case(code))
    }
}

/// A short code (a profile's, a network's): letters, digits or dashes.
pub fn is_code(code: &str) -> bool {
    !code.trim().is_empty() && code.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
}

/// The profiles Leeway ships with, by code.
pub fn builtin_profiles() -> Vec<(&'static str, &'static str)> {
    vec![
        ("DEMO", include_str!("../../profiles/demo.toml")),
        (
            "WV",
            include_str!("../../profiles/west-virginia-innovation-zones.toml"),
        ),
        (
            "KY",
            include_str!("../../profiles/kentucky-district-of-innovation.toml"),
        ),
        (
            "TX",
            include_str!("../../profiles/texas-district-of-innovation.toml"),
        ),
    ]
}

pub fn load_builtin(code: &str) -> Result<StateProfile, ProfileError> {
    let codes: Vec<&str> = builtin_profiles().iter().map(|(c, _)| *c).collect();
    let (name, text) = builtin_profiles()
        .into_iter()
        .find(|(c, _)| c.eq_ignore_ascii_case(code))
        .ok_or_else(|| ProfileError::Invalid {
            source_name: code.to_string(),
            message: format!(
                "no built-in profile `{code}`; built-in profiles are {}, or give a TOML file path",
                codes.join(", ")
            ),
        })?;
    StateProfile::from_toml(&format!("built-in {name}"), text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_builtin_profile_loads() {
        for (code, _) in builtin_profiles() {
            let p = load_builtin(code).unwrap();
            assert_eq!(p.code, code);
        }
    }

    #[test]
    fn bad_profile_names_the_problem() {
        let text = include_str!("../../profiles/demo.toml")
            .replace("review_decision = \"60d\"", "review_decision = \"60\"");
        let err = StateProfile::from_toml("demo.toml", &text)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("demo.toml") && err.contains("review_decision"),
            "{err}"
        );
        let err = StateProfile::from_toml("x.toml", "code = 'X'")
            .unwrap_err()
            .to_string();
        assert!(err.contains("missing field"), "{err}");
        let text = include_str!("../../profiles/demo.toml").replace(
            "[waivers.clocks]",
            "[waivers.clocks]\nreview_decisoin = \"6d\"",
        );
        let err = StateProfile::from_toml("demo.toml", &text)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("unknown setting waivers.clocks.review_decisoin"),
            "{err}"
        );
    }

    #[test]
    fn a_network_with_a_bad_window_is_refused() {
        let text = include_str!("../../profiles/demo.toml")
            .replace("opens = \"01-01\"", "opens = \"13-01\"");
        let err = StateProfile::from_toml("demo.toml", &text)
            .unwrap_err()
            .to_string();
        assert!(err.contains("13-01"), "{err}");
    }
}
