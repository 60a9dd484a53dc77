//! What an award holds once made: its budget by category, the claims
//! against it, budget amendments, and the reports it owes. Plain functions
//! over these, so the machine's guards read as sentences.
use super::money::Cents;
use super::proposal::BudgetCategory;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Award {
    pub amount: Cents,
    /// Why less than requested was awarded; empty for the full amount.
    pub reductions: Vec<String>,
    pub accept_by: DateTime<Utc>,
    #[serde(default)]
    pub accepted_at: Option<DateTime<Utc>>,
    /// The budget as awarded and amended since.
    pub budget: BTreeMap<BudgetCategory, Cents>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claim {
    /// 1, 2, 3… within the grant.
    pub no: u32,
    pub category: BudgetCategory,
    pub amount: Cents,
    /// When the costs were incurred: after the spend-by date, they are not
    /// reimbursed.
    pub incurred_on: NaiveDate,
    /// References to invoices, receipts, payroll records.
    pub documentation: Vec<String>,
    pub submitted_at: DateTime<Utc>,
    pub status: ClaimStatus,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum ClaimStatus {
    Pending,
    Paid {
        payment_reference: String,
        paid_at: DateTime<Utc>,
    },
    Denied {
        reasons: Vec<String>,
    },
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Amendment {
    pub no: u32,
    pub from: BudgetCategory,
    pub to: BudgetCategory,
    pub amount: Cents,
    pub reason: String,
    pub status: AmendmentStatus,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AmendmentStatus {
    /// Within the threshold: applied when requested.
    Applied,
    /// Above the threshold: waits for an approver.
    Pending,
    Approved,
    Denied,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReportKind {
    /// A progress and expenditure report while the grant runs.
    Progress,
    /// The final report at closeout.
    Final,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportDue {
    pub no: u32,
    pub kind: ReportKind,
    pub due: DateTime<Utc>,
    #[serde(default)]
    pub reminded: bool,
    #[serde(default)]
    pub overdue: bool,
    #[serde(default)]
    pub escalated: bool,
    #[serde(default)]
    pub submitted_at: Option<DateTime<Utc>>,
    /// What the district reported, in its words.
    #[serde(default)]
    pub narrative: Option<String>,
    /// A final report is accepted by a reviewer; a progress report is
    /// accepted on receipt.
    #[serde(default)]
    pub accepted: bool,
}

impl ReportDue {
    pub fn describe(&self) -> String {
        let kind = match self.kind {
            ReportKind::Progress => "progress and expenditure report",
            ReportKind::Final => "final report",
        };
        format!(
            "the {kind} due {} (report {})",
            self.due.format("%Y-%m-%d"),
            self.no
        )
    }
}

pub fn paid(claims: &[Claim]) -> Cents {
    claims
        .iter()
        .filter(|c| matches!(c.status, ClaimStatus::Paid { .. }))
        .map(|c| c.amount)
        .sum()
}

pub fn pending(claims: &[Claim]) -> Cents {
    claims
        .iter()
        .filter(|c| c.status == ClaimStatus::Pending)
        .map(|c| c.amount)
        .sum()
}

/// What may still be claimed: the award less what is paid or pending.
pub fn remaining(award: &Award, claims: &[Claim]) -> Cents {
    award.amount - paid(claims) - pending(claims)
}

/// What is paid or pending in one category.
pub fn claimed_in(claims: &[Claim], category: BudgetCategory) -> Cents {
    claims
        .iter()
        .filter(|c| c.category == category && !matches!(c.status, ClaimStatus::Denied { .. }))
        .map(|c| c.amount)
        .sum()
}

/// The first report not yet submitted.
pub fn next_report(reports: &[ReportDue]) -> Option<&ReportDue> {
    reports.iter().find(|r| r.submitted_at.is_none())
}

/// A report past its due date and not yet submitted.
pub fn overdue_report(reports: &[ReportDue], now: DateTime<Utc>) -> Option<&ReportDue> {
    reports
        .iter()
        .find(|r| r.submitted_at.is_none() && r.due < now)
}

/// The requested budget cut to `amount`, category by category in
/// proportion; what rounding leaves goes to the largest category.
pub fn scale_budget(
    budget: &BTreeMap<BudgetCategory, Cents>,
    amount: Cents,
) -> BTreeMap<BudgetCategory, Cents> {
    let requested: Cents = budget.values().copied().sum();
    if requested <= amount || requested == Cents::ZERO {
        return budget.clone();
    }
    let mut scaled: BTreeMap<BudgetCategory, Cents> = budget
        .iter()
        .map(|(c, v)| (*c, v.share(amount.get(), requested.get())))
        .collect();
    let left = amount - scaled.values().copied().sum();
    if let Some(largest) = budget.iter().max_by_key(|(_, v)| **v).map(|(c, _)| *c)
        && let Some(v) = scaled.get_mut(&largest)
    {
        *v = *v + left;
    }
    scaled
}
