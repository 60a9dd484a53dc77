//! A state's rules as data: clocks, vote thresholds, terms and what may never
//! be waived. Loaded from TOML and validated before anything starts.
use super::duration::ClockDuration;
use super::term::TermRule;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StateProfile {
    /// Short code, e.g. `WV`; names the profile in cases and the API.
    pub code: String,
    pub name: String,
    /// The law the program runs under, quoted in notices.
    pub statute: String,
    pub clocks: Clocks,
    pub term: TermRule,
    #[serde(default)]
    pub board_vote: Option<BoardVoteRule>,
    #[serde(default)]
    pub staff_vote: Option<StaffVoteRule>,
    #[serde(default)]
    pub public_hearing: Option<PublicHearingRule>,
    /// Provision categories that may never be waived in this state.
    pub non_waivable_categories: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Clocks {
    /// How long the state has to decide after submission; when it runs out
    /// the case escalates to the approvers (it never approves).
    pub review_decision: ClockDuration,
    /// How long before the term ends the district is told.
    pub expiry_notice: ClockDuration,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BoardVoteRule {
    /// Share of the board's membership that must vote yes (TX: `2/3`).
    pub threshold: Threshold,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StaffVoteRule {
    /// Share of eligible employees that must vote yes (WV: `80%`).
    pub threshold: Threshold,
    #[serde(default)]
    pub secret_ballot: bool,
    /// Who certifies the count (WV: a panel of the faculty senate).
    pub certified_by: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PublicHearingRule {
    /// Days the plan must be posted before the board votes (TX: 30).
    pub posting_days: u32,
}

/// A share of a whole, written `2/3`, `80%` or `majority`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Threshold {
    numerator: u64,
    denominator: u64,
    /// `majority` means strictly more than half.
    strict: bool,
}

impl Threshold {
    pub fn parse(text: &str) -> Result<Self, String> {
        let t = text.trim();
        let parsed = if t == "majority" {
            Some((1, 2, true))
        } else if let Some(p) = t.strip_suffix('%') {
            p.trim().parse::<u64>().ok().map(|p| (p, 100, false))
        } else if let Some((n, d)) = t.split_once('/') {
            n.trim()
                .parse::<u64>()
                .ok()
                .zip(d.trim().parse::<u64>().ok())
                .map(|(n, d)| (n, d, false))
        } else {
            None
        };
        match parsed {
            Some((n, d, strict)) if d > 0 && n > 0 && n <= d => Ok(Self {
                numerator: n,
                denominator: d,
                strict,
            }),
            _ => Err(format!(
                "`{text}` is not a threshold: write a fraction like `2/3`, a percentage like `80%`, or `majority`"
            )),
        }
    }

    pub fn is_met(self, yes: u32, of: u32) -> bool {
        if of == 0 {
            return false;
        }
        let lhs = u64::from(yes) * self.denominator;
        let rhs = self.numerator * u64::from(of);
        if self.strict { lhs > rhs } else { lhs >= rhs }
    }
}

impl fmt::Display for Threshold {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.strict {
            f.write_str("majority")
        } else if self.denominator == 100 {
            write!(f, "{}%", self.numerator)
        } else {
            write!(f, "{}/{}", self.numerator, self.denominator)
        }
    }
}

impl Serialize for Threshold {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

impl<'de> Deserialize<'de> for Threshold {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Threshold::parse(&String::deserialize(d)?).map_err(serde::de::Error::custom)
    }
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
        let profile: StateProfile = toml::from_str(text).map_err(|e| invalid(e.to_string()))?;
        profile.validate().map_err(invalid)?;
        Ok(profile)
    }

    fn validate(&self) -> Result<(), String> {
        if self.code.trim().is_empty()
            || !self
                .code
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-')
        {
            return Err(format!(
                "code `{}` must be letters, digits or dashes (e.g. `WV`)",
                self.code
            ));
        }
        if self.name.trim().is_empty() {
            return Err("name must not be empty".into());
        }
        if let TermRule::Years { years } = self.term
            && !(1..=10).contains(&years)
        {
            return Err(format!("term.years is {years}; terms run 1 to 10 years"));
        }
        if let TermRule::FullSchoolYears { full_school_years } = self.term
            && !(1..=10).contains(&full_school_years)
        {
            return Err(format!(
                "term.full_school_years is {full_school_years}; terms run 1 to 10 school years"
            ));
        }
        if let TermRule::Duration { length } = self.term
            && self.clocks.expiry_notice >= length
        {
            return Err(format!(
                "clocks.expiry_notice ({}) must be shorter than the term ({length})",
                self.clocks.expiry_notice
            ));
        }
        if let Some(staff) = &self.staff_vote
            && staff.certified_by.trim().is_empty()
        {
            return Err("staff_vote.certified_by must name who certifies the count".into());
        }
        Ok(())
    }
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
    let (name, text) = builtin_profiles()
        .into_iter()
        .find(|(c, _)| c.eq_ignore_ascii_case(code))
        .ok_or_else(|| ProfileError::Invalid {
            source_name: code.to_string(),
            message: format!(
                "no built-in profile `{code}`; built-in profiles are DEMO, WV, KY and TX, or give a TOML file path"
            ),
        })?;
    StateProfile::from_toml(&format!("built-in {name}"), text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thresholds() {
        let two_thirds = Threshold::parse("2/3").unwrap();
        assert!(two_thirds.is_met(6, 9));
        assert!(!two_thirds.is_met(5, 9));
        let eighty = Threshold::parse("80%").unwrap();
        assert!(eighty.is_met(40, 50));
        assert!(!eighty.is_met(39, 50));
        let majority = Threshold::parse("majority").unwrap();
        assert!(!majority.is_met(5, 10));
        assert!(majority.is_met(6, 10));
        assert!(Threshold::parse("3/2").is_err());
        assert!(
            Threshold::parse("lots")
                .unwrap_err()
                .contains("not a threshold")
        );
    }

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
    }
}
