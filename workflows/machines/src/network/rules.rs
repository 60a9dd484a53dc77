//! A network's section of the state profile: its statute, its cap, when
//! districts may apply, what they answer and sign, and its clocks.
use crate::domain::duration::ClockDuration;
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NetworkRules {
    /// Short code, e.g. `IMEN`; names the network in ids and the API.
    pub code: String,
    pub name: String,
    /// The law the network runs under (Idaho Code 33-1632).
    pub statute: String,
    /// The most member organisations (LEAs) at once; none when absent.
    #[serde(default)]
    pub cap: Option<u32>,
    pub wait_list_order: WaitListOrder,
    /// When districts may apply; at least one.
    pub windows: Vec<ApplicationWindow>,
    pub clocks: NetworkClocks,
    /// The readiness survey every applicant answers.
    #[serde(default)]
    pub readiness: Vec<ReadinessQuestion>,
    /// What a member commits to in its letter of commitment.
    pub commitments: Vec<Commitment>,
}

/// Who is offered a freed seat first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WaitListOrder {
    /// First submitted, first offered.
    SubmissionTime,
    /// Highest review score first; ties by submission time.
    ReviewRanking,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NetworkClocks {
    /// How long an offered seat waits for the district's answer.
    pub offer_acceptance: ClockDuration,
    /// The planning year between selection and active membership.
    pub planning_year: ClockDuration,
    /// How often a member re-commits.
    pub recommitment_every: ClockDuration,
    /// How long before the re-commitment deadline the district is reminded.
    pub recommitment_reminder: ClockDuration,
    /// How long after a missed deadline before the membership lapses.
    pub recommitment_grace: ClockDuration,
    /// How often a wait-listed district re-confirms its interest (Idaho's
    /// list went stale without it); never when absent.
    #[serde(default)]
    pub wait_list_reconfirm: Option<ClockDuration>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReadinessQuestion {
    pub id: String,
    pub question: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Commitment {
    pub id: String,
    pub text: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApplicationWindow {
    pub opens: WindowDay,
    pub closes: WindowDay,
}

/// A day a window opens or closes: `09-01` every year, or `2026-09-01` once.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WindowDay {
    EveryYear { month: u32, day: u32 },
    Once(NaiveDate),
}

impl WindowDay {
    pub fn parse(text: &str) -> Result<Self, String> {
        let t = text.trim();
        if let Ok(date) = NaiveDate::parse_from_str(t, "%Y-%m-%d") {
            return Ok(WindowDay::Once(date));
        }
        let parsed = t.split_once('-').and_then(|(m, d)| {
            let (m, d) = (m.parse::<u32>().ok()?, d.parse::<u32>().ok()?);
            // 2024 is a leap year, so 02-29 is a day a window may name.
            NaiveDate::from_ymd_opt(2024, m, d).map(|_| (m, d))
        });
        match parsed {
            Some((month, day)) => Ok(WindowDay::EveryYear { month, day }),
            None => Err(format!(
                "`{text}` is not a day: write `09-01` for every September 1, or `2026-09-01` for one date"
            )),
        }
    }

    fn describe(self) -> String {
        match self {
            WindowDay::EveryYear { month, day } => NaiveDate::from_ymd_opt(2024, month, day)
                .map(|d| d.format("%B %-d").to_string())
                .unwrap_or_default(),
            WindowDay::Once(d) => d.format("%B %-d, %Y").to_string(),
        }
    }
}

impl fmt::Display for WindowDay {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WindowDay::EveryYear { month, day } => write!(f, "{month:02}-{day:02}"),
            WindowDay::Once(d) => write!(f, "{}", d.format("%Y-%m-%d")),
        }
    }
}

impl Serialize for WindowDay {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

impl<'de> Deserialize<'de> for WindowDay {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        WindowDay::parse(&String::deserialize(d)?).map_err(serde::de::Error::custom)
    }
}

impl ApplicationWindow {
    /// Whether `at` falls in the window, both days included.
    pub fn contains(&self, at: DateTime<Utc>) -> bool {
        let today = at.date_naive();
        match (self.opens, self.closes) {
            (WindowDay::Once(a), WindowDay::Once(b)) => a <= today && today <= b,
            (
                WindowDay::EveryYear { month: om, day: od },
                WindowDay::EveryYear { month: cm, day: cd },
            ) => {
                let now = (today.month(), today.day());
                if (om, od) <= (cm, cd) {
                    (om, od) <= now && now <= (cm, cd)
                } else {
                    // A window across New Year: November to February.
                    now >= (om, od) || now <= (cm, cd)
                }
            }
            _ => false,
        }
    }

    pub fn describe(&self) -> String {
        let every_year = matches!(self.opens, WindowDay::EveryYear { .. });
        format!(
            "{} to {}{}",
            self.opens.describe(),
            self.closes.describe(),
            if every_year { " each year" } else { "" }
        )
    }
}

impl NetworkRules {
    pub fn validate(&self) -> Result<(), String> {
        let at = |what: &str| format!("networks `{}`: {what}", self.code);
        if !crate::domain::state_profile::is_code(&self.code) {
            return Err(format!(
                "network code `{}` must be letters, digits or dashes (e.g. `IMEN`)",
                self.code
            ));
        }
        if self.name.trim().is_empty() {
            return Err(at("name must not be empty"));
        }
        if self.cap == Some(0) {
            return Err(at("cap is 0; leave it out for a network without a cap"));
        }
        if self.windows.is_empty() {
            return Err(at("give at least one application window"));
        }
        for w in &self.windows {
            if matches!(
                (w.opens, w.closes),
                (WindowDay::Once(_), WindowDay::EveryYear { .. })
                    | (WindowDay::EveryYear { .. }, WindowDay::Once(_))
            ) {
                return Err(at(&format!(
                    "window {} to {} mixes a yearly day with a date; use one kind for both",
                    w.opens, w.closes
                )));
            }
            if let (WindowDay::Once(a), WindowDay::Once(b)) = (w.opens, w.closes)
                && a > b
            {
                return Err(at(&format!("window {a} to {b} closes before it opens")));
            }
        }
        if self.commitments.is_empty() {
            return Err(at("list the commitments a member signs"));
        }
        let mut ids = std::collections::HashSet::new();
        for id in self
            .readiness
            .iter()
            .map(|q| &q.id)
            .chain(self.commitments.iter().map(|c| &c.id))
        {
            if !ids.insert(id.as_str()) {
                return Err(at(&format!("the id `{id}` is used twice")));
            }
        }
        if self.clocks.recommitment_reminder >= self.clocks.recommitment_every {
            return Err(at(
                "clocks.recommitment_reminder must be shorter than clocks.recommitment_every",
            ));
        }
        Ok(())
    }

    pub fn window_open(&self, at: DateTime<Utc>) -> bool {
        self.windows.iter().any(|w| w.contains(at))
    }

    /// The pool of seats the cap counts.
    pub fn seat_pool(&self) -> String {
        format!("network:{}:seats", self.code.to_ascii_lowercase())
    }

    /// The network's own case, which holds the cap.
    pub fn case_id(&self) -> String {
        format!("network-{}", self.code.to_ascii_lowercase())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(y: i32, m: u32, d: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, 12, 0, 0).unwrap()
    }

    fn window(opens: &str, closes: &str) -> ApplicationWindow {
        ApplicationWindow {
            opens: WindowDay::parse(opens).unwrap(),
            closes: WindowDay::parse(closes).unwrap(),
        }
    }

    #[test]
    fn yearly_windows_and_dated_windows() {
        let fall = window("09-01", "11-30");
        assert!(fall.contains(at(2026, 9, 1)));
        assert!(fall.contains(at(2027, 11, 30)));
        assert!(!fall.contains(at(2026, 12, 1)));
        assert_eq!(fall.describe(), "September 1 to November 30 each year");
        let winter = window("11-15", "02-15");
        assert!(winter.contains(at(2026, 12, 31)));
        assert!(winter.contains(at(2027, 1, 10)));
        assert!(!winter.contains(at(2027, 3, 1)));
        let once = window("2026-09-01", "2026-10-15");
        assert!(once.contains(at(2026, 10, 15)));
        assert!(!once.contains(at(2027, 9, 2)));
        assert!(WindowDay::parse("02-30").is_err());
        assert!(WindowDay::parse("soon").unwrap_err().contains("not a day"));
    }
}
