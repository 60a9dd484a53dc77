//! A grant program's own terms, as SEA program staff write them when they
//! create it: its appropriation, who may apply, award limits, its phase,
//! its rubric, its window and its dates. Fixed once the program opens;
//! every application runs under the terms it was opened with.
use super::money::Cents;
use super::rules::GrantRules;
use crate::domain::duration::ClockDuration;
use crate::engine::text::{TextSize, clean_text};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GrantProgramTerms {
    /// Short code, e.g. `MASTERY-27`; names the program in ids and the API.
    pub code: String,
    pub name: String,
    /// What the money is for, as the public list of awards says it.
    pub purpose: String,
    pub appropriation: Appropriation,
    pub eligibility: Eligibility,
    pub min_award: Cents,
    pub max_award: Cents,
    pub phase: Phase,
    /// The program of the phase before, whose grant an applicant must have
    /// closed out with an accepted final report; none for a first phase.
    #[serde(default)]
    pub follows: Option<String>,
    pub rubric: Vec<Criterion>,
    /// Added to an under-resourced applicant's mean score.
    pub equity_points: u32,
    pub window_opens: DateTime<Utc>,
    pub window_closes: DateTime<Utc>,
    pub reviewers_per_application: u32,
    /// When the grant period ends and closeout begins.
    pub period_ends: DateTime<Utc>,
    /// Costs incurred after this are not reimbursed.
    pub spend_by: DateTime<Utc>,
    /// How often a progress and expenditure report is due while a grant runs.
    pub report_every: ClockDuration,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Appropriation {
    pub amount: Cents,
    /// e.g. `FY2027`.
    pub fiscal_year: String,
    /// The statute or funding source, e.g. "Idaho Code 33-1632; HB 2019-293".
    pub source: String,
    /// The end of the fiscal year: what is not committed then lapses.
    pub lapses_at: DateTime<Utc>,
}

/// Who may apply, as data.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Eligibility {
    AnyDistrict,
    /// Active members of a network (its code), or of any network.
    NetworkMembers {
        network: Option<String>,
    },
    /// Holders of an approved waiver in force.
    WaiverHolders,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    Planning,
    Implementation,
    Expansion,
}

impl Phase {
    pub fn label(self) -> &'static str {
        match self {
            Phase::Planning => "planning",
            Phase::Implementation => "implementation",
            Phase::Expansion => "expansion",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Criterion {
    /// Short id, e.g. `need`.
    pub id: String,
    pub name: String,
    pub max_points: u32,
    pub guidance: String,
}

/// What every application of a program runs under: the program's terms
/// and the state's grant rules, fixed when the application opens.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GrantTerms {
    pub program: GrantProgramTerms,
    pub rules: GrantRules,
}

impl GrantProgramTerms {
    pub fn case_id(&self) -> String {
        program_case_id(&self.code)
    }

    /// The appropriation's ledger.
    pub fn ledger(&self) -> String {
        format!("appropriation-{}", self.code.to_ascii_lowercase())
    }

    pub fn max_score(&self) -> u32 {
        self.rubric.iter().map(|c| c.max_points).sum()
    }

    pub fn window_open(&self, now: DateTime<Utc>) -> bool {
        self.window_opens <= now && now <= self.window_closes
    }

    /// Every problem with the terms, in words staff can act on.
    pub fn check(&self) -> Vec<String> {
        let mut problems = Vec::new();
        if !crate::domain::state_profile::is_code(&self.code) || self.code.len() > 40 {
            problems.push(format!(
                "the code `{}` must be 1 to 40 letters, digits or dashes",
                self.code
            ));
        }
        for (field, text, size) in [
            ("name", self.name.as_str(), TextSize::Line),
            ("purpose", self.purpose.as_str(), TextSize::Reason),
            (
                "fiscal year",
                self.appropriation.fiscal_year.as_str(),
                TextSize::Line,
            ),
            (
                "funding source",
                self.appropriation.source.as_str(),
                TextSize::Line,
            ),
        ] {
            match clean_text(field, text, size) {
                Err(r) => problems.push(r.message),
                Ok(t) if t.trim().is_empty() => {
                    problems.push(format!("give the program's {field}"))
                }
                Ok(_) => {}
            }
        }
        if self.appropriation.amount <= Cents::ZERO {
            problems.push("the appropriation must be more than $0.00".into());
        }
        if self.min_award < Cents::ZERO || self.min_award > self.max_award {
            problems.push(format!(
                "the minimum award ({}) must be between $0.00 and the maximum ({})",
                self.min_award, self.max_award
            ));
        }
        if self.max_award > self.appropriation.amount {
            problems.push(format!(
                "the maximum award ({}) is more than the appropriation ({})",
                self.max_award, self.appropriation.amount
            ));
        }
        if self.rubric.is_empty() {
            problems.push("the rubric needs at least one criterion".into());
        }
        let mut ids = std::collections::HashSet::new();
        for c in &self.rubric {
            if !crate::domain::state_profile::is_code(&c.id) || !ids.insert(c.id.as_str()) {
                problems.push(format!(
                    "each criterion needs its own id of letters, digits or dashes; `{}` is not",
                    c.id
                ));
            }
            if c.max_points == 0 || c.max_points > 1000 {
                problems.push(format!(
                    "criterion `{}` must be worth 1 to 1000 points",
                    c.id
                ));
            }
            for (field, text, size) in [
                ("criterion name", c.name.as_str(), TextSize::Line),
                ("criterion guidance", c.guidance.as_str(), TextSize::Reason),
            ] {
                if let Err(r) = clean_text(field, text, size) {
                    problems.push(r.message);
                }
            }
        }
        if self.equity_points > 1000 {
            problems.push("equity points run from 0 to 1000".into());
        }
        if !(1..=9).contains(&self.reviewers_per_application) {
            problems.push("an application needs 1 to 9 reviewers".into());
        }
        if self.window_closes <= self.window_opens {
            problems.push("the application window must close after it opens".into());
        }
        if self.period_ends <= self.window_closes {
            problems.push("the grant period must end after the application window closes".into());
        }
        if self.spend_by > self.period_ends {
            problems.push("the spend-by date cannot be after the grant period ends".into());
        }
        if self.appropriation.lapses_at <= self.window_closes {
            problems
                .push("the appropriation must lapse after the application window closes".into());
        }
        if self.report_every.seconds() == 0 || self.report_every > ClockDuration::days(366) {
            problems.push(
                "reports must be due at an interval longer than 0 and at most a year (366d)".into(),
            );
        }
        if self.rubric.len() > 100 {
            problems.push("a rubric has at most 100 criteria".into());
        }
        let network = match &self.eligibility {
            Eligibility::NetworkMembers { network } => network.as_deref(),
            _ => None,
        };
        for (what, code) in [
            ("network", network),
            ("earlier phase's program", self.follows.as_deref()),
        ] {
            if let Some(code) = code
                && !crate::domain::state_profile::is_code(code)
            {
                problems.push(format!(
                    "the {what} is named by its code of letters, digits or dashes; `{code}` is not one"
                ));
            }
        }
        match (&self.follows, self.phase) {
            (Some(_), Phase::Planning) => {
                problems.push("a planning program is a first phase and follows no other".into())
            }
            (Some(code), _) if code.eq_ignore_ascii_case(&self.code) => {
                problems.push("a program cannot follow itself".into())
            }
            _ => {}
        }
        problems
    }
}

pub fn program_case_id(code: &str) -> String {
    format!("grant-program-{}", code.to_ascii_lowercase())
}
