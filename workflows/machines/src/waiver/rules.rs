//! The waiver program's section of a state profile: its statute, clocks,
//! term rule, the local votes and hearing it requires, and what may never
//! be waived.
use crate::domain::duration::ClockDuration;
use crate::domain::term::TermRule;
use crate::domain::threshold::Threshold;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WaiverRules {
    /// The program's name as the state calls it, quoted in refusals.
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
pub struct Clocks {
    /// How long the state has to decide after submission; when it runs out
    /// the case escalates to the approvers (it never approves).
    pub review_decision: ClockDuration,
    /// How long before the term ends the district is told.
    pub expiry_notice: ClockDuration,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BoardVoteRule {
    /// Share of the board's membership that must vote yes (TX: `2/3`).
    pub threshold: Threshold,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffVoteRule {
    /// Share of eligible employees that must vote yes (WV: `80%`).
    pub threshold: Threshold,
    #[serde(default)]
    pub secret_ballot: bool,
    /// Who certifies the count (WV: a panel of the faculty senate).
    pub certified_by: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicHearingRule {
    /// Days the plan must be posted before the board votes (TX: 30).
    pub posting_days: u32,
}

impl WaiverRules {
    pub fn validate(&self) -> Result<(), String> {
        if self.name.trim().is_empty() {
            return Err("waivers.name must not be empty".into());
        }
        if let TermRule::Years { years } = self.term
            && !(1..=10).contains(&years)
        {
            return Err(format!(
                "waivers.term.years is {years}; terms run 1 to 10 years"
            ));
        }
        if let TermRule::FullSchoolYears { full_school_years } = self.term
            && !(1..=10).contains(&full_school_years)
        {
            return Err(format!(
                "waivers.term.full_school_years is {full_school_years}; terms run 1 to 10 school years"
            ));
        }
        if let TermRule::Duration { length } = self.term
            && self.clocks.expiry_notice >= length
        {
            return Err(format!(
                "waivers.clocks.expiry_notice ({}) must be shorter than the term ({length})",
                self.clocks.expiry_notice
            ));
        }
        if let Some(staff) = &self.staff_vote
            && staff.certified_by.trim().is_empty()
        {
            return Err("waivers.staff_vote.certified_by must name who certifies the count".into());
        }
        Ok(())
    }
}
