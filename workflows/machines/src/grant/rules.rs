//! The grants section of the state profile: what a state sets once for all
//! its grant programs (thresholds and clocks), apart from each program's
//! own terms, which SEA staff write when they create it.
use crate::domain::duration::ClockDuration;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct GrantRules {
    /// A district whose share of students in poverty is above this percent
    /// is under-resourced and gets its program's equity points.
    pub equity_poverty_threshold_percent: u32,
    /// Organisation equity flags that also earn the equity points, e.g.
    /// `under_resourced`.
    pub equity_flags: Vec<String>,
    /// A claim may take a budget category this percent over its budget;
    /// beyond that it needs a budget amendment first.
    pub claim_overrun_percent: u32,
    /// A budget amendment moving more than this percent of the category it
    /// takes from needs an approver; at or below, it applies at once.
    pub amendment_approval_percent: u32,
    /// Reviewers' totals further apart than this many points are flagged
    /// for reconciling before a decision.
    pub score_spread_flag: u32,
    pub clocks: GrantClocks,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct GrantClocks {
    /// How long a district has to accept an award.
    pub award_acceptance: ClockDuration,
    /// Final report and final claim are due this long after the period
    /// ends (2 CFR 200.344: 90 days).
    pub closeout: ClockDuration,
    /// How long before a report is due the district is reminded.
    pub report_reminder: ClockDuration,
    /// How long after a missed report the approvers are told.
    pub report_escalation: ClockDuration,
}

impl Default for GrantRules {
    fn default() -> Self {
        Self {
            equity_poverty_threshold_percent: 60,
            equity_flags: vec!["under_resourced".into()],
            claim_overrun_percent: 10,
            amendment_approval_percent: 10,
            score_spread_flag: 20,
            clocks: GrantClocks::default(),
        }
    }
}

impl Default for GrantClocks {
    fn default() -> Self {
        Self {
            award_acceptance: ClockDuration::days(30),
            closeout: ClockDuration::days(90),
            report_reminder: ClockDuration::days(14),
            report_escalation: ClockDuration::days(14),
        }
    }
}

impl GrantRules {
    pub fn validate(&self) -> Result<(), String> {
        if self.equity_poverty_threshold_percent > 100 {
            return Err(format!(
                "grants.equity_poverty_threshold_percent is {}; a share of students runs from 0 to 100",
                self.equity_poverty_threshold_percent
            ));
        }
        if self.claim_overrun_percent > 100 || self.amendment_approval_percent > 100 {
            return Err("grants.claim_overrun_percent and grants.amendment_approval_percent run from 0 to 100".into());
        }
        for (name, clock) in [
            ("award_acceptance", self.clocks.award_acceptance),
            ("closeout", self.clocks.closeout),
        ] {
            if clock.seconds() == 0 {
                return Err(format!("grants.clocks.{name} must be longer than 0"));
            }
        }
        Ok(())
    }
}
