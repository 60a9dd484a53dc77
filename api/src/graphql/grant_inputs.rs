//! Grant input types, converted into domain types at the boundary.
use super::grant_types::{BudgetCategoryView, EligibilityKind, PhaseView};
use super::money::Cents;
use crate::error::{ApiError, ApiResult};
use async_graphql::InputObject;
use chrono::{DateTime, NaiveDate, Utc};
use leeway_machines::domain::duration::ClockDuration;
use leeway_machines::engine::text::FreeText;
use leeway_machines::grant::proposal::{BudgetLine, Goal, GrantProposal};
use leeway_machines::grant::review::CriterionScore;
use leeway_machines::grant::terms::{Appropriation, Criterion, Eligibility, GrantProgramTerms};
use serde::Serialize;

/// A new grant program's terms, as SEA program staff write them. Fixed
/// once the program opens; refused with VALIDATION, naming every problem,
/// when they do not hold together.
#[derive(InputObject, Clone, Debug, Serialize)]
pub struct GrantProgramInput {
    /// A short code of letters, digits or dashes, e.g. `MASTERY-27`, unique
    /// in the state.
    pub code: String,
    /// The program's name.
    pub name: String,
    /// What the money is for, as the public list of awards says it.
    pub purpose: String,
    /// The appropriation, in cents.
    pub appropriation: Cents,
    /// The fiscal year, e.g. `FY2027`.
    pub fiscal_year: String,
    /// The statute or funding source, e.g. "Idaho Code 33-1632".
    pub funding_source: String,
    /// When the fiscal year ends: what is uncommitted then lapses, and so
    /// does what grants return afterwards.
    pub lapses_at: DateTime<Utc>,
    /// Who may apply.
    pub eligibility: EligibilityKind,
    /// For `NETWORK_MEMBERS`: the network's code; leave out for any network.
    pub eligible_network: Option<String>,
    /// The smallest award, in cents.
    pub min_award: Cents,
    /// The largest award, in cents; no more than the appropriation.
    pub max_award: Cents,
    /// The program's phase.
    pub phase: PhaseView,
    /// The code of the program of the phase before, whose grant an
    /// applicant must have closed out with an accepted final report.
    pub follows: Option<String>,
    /// The scoring rubric: at least one criterion.
    pub rubric: Vec<CriterionInput>,
    /// Points added to an under-resourced applicant's mean score (the
    /// state profile says who is under-resourced).
    #[graphql(default)]
    pub equity_points: u32,
    /// When applications open.
    pub window_opens: DateTime<Utc>,
    /// When applications close.
    pub window_closes: DateTime<Utc>,
    /// How many reviewers score each application: 1 to 9.
    pub reviewers_per_application: u32,
    /// When the grant period ends and closeout begins.
    pub period_ends: DateTime<Utc>,
    /// Costs incurred after this are not reimbursed; no later than
    /// `periodEnds`.
    pub spend_by: DateTime<Utc>,
    /// How often a progress and expenditure report is due while a grant
    /// runs, e.g. `90d` (or `30s` in a test).
    pub report_every: String,
}

/// A criterion of the scoring rubric.
#[derive(InputObject, Clone, Debug, Serialize)]
pub struct CriterionInput {
    /// A short id of letters, digits or dashes, unique in the rubric.
    pub id: String,
    /// Its name.
    pub name: String,
    /// The most points it gives: 1 to 1000.
    pub max_points: u32,
    /// What reviewers look for.
    #[graphql(default)]
    pub guidance: String,
}

impl GrantProgramInput {
    pub fn parse(self) -> ApiResult<GrantProgramTerms> {
        let report_every = ClockDuration::parse(&self.report_every)
            .map_err(|e| ApiError::Validation(format!("reportEvery: {e}")))?;
        let terms = GrantProgramTerms {
            code: self.code.trim().to_string(),
            name: self.name.trim().to_string(),
            purpose: self.purpose.trim().to_string(),
            appropriation: Appropriation {
                amount: self.appropriation.into(),
                fiscal_year: self.fiscal_year.trim().to_string(),
                source: self.funding_source.trim().to_string(),
                lapses_at: self.lapses_at,
            },
            eligibility: match self.eligibility {
                EligibilityKind::AnyDistrict => Eligibility::AnyDistrict,
                EligibilityKind::NetworkMembers => Eligibility::NetworkMembers {
                    network: self.eligible_network,
                },
                EligibilityKind::WaiverHolders => Eligibility::WaiverHolders,
            },
            min_award: self.min_award.into(),
            max_award: self.max_award.into(),
            phase: self.phase.into(),
            follows: self.follows.filter(|f| !f.trim().is_empty()),
            rubric: self
                .rubric
                .into_iter()
                .map(|c| Criterion {
                    id: c.id,
                    name: c.name,
                    max_points: c.max_points,
                    guidance: c.guidance,
                })
                .collect(),
            equity_points: self.equity_points,
            window_opens: self.window_opens,
            window_closes: self.window_closes,
            reviewers_per_application: self.reviewers_per_application,
            period_ends: self.period_ends,
            spend_by: self.spend_by,
            report_every,
        };
        let problems = terms.check();
        if problems.is_empty() {
            Ok(terms)
        } else {
            Err(ApiError::Validation(format!(
                "The program's terms do not hold together: {}.",
                problems.join("; ")
            )))
        }
    }
}

/// A grant application as the district writes it; each edit replaces the
/// whole of it. A draft may be incomplete; it is checked in full when the
/// authorized representative submits it.
#[derive(InputObject, Clone, Debug, Serialize)]
pub struct GrantProposalInput {
    /// The narrative: need, plan, capacity.
    #[graphql(default)]
    pub narrative: String,
    /// The budget, line by line; at most 500 lines. The request is their sum.
    #[graphql(default)]
    pub budget: Vec<BudgetLineInput>,
    /// The schools served, by `Organisation.id`, each a school of the
    /// district; leave empty when the whole district is.
    #[graphql(default)]
    pub school_ids: Vec<String>,
    /// How many students the grant serves.
    #[graphql(default)]
    pub students_served: u32,
    /// Measurable goals; at least one to submit.
    #[graphql(default)]
    pub goals: Vec<GoalInput>,
}

/// One line of the budget.
#[derive(InputObject, Clone, Debug, Serialize)]
pub struct BudgetLineInput {
    /// Its category.
    pub category: BudgetCategoryView,
    /// What it pays for, one line.
    pub description: String,
    /// The amount, in cents.
    pub amount: Cents,
}

/// A measurable goal.
#[derive(InputObject, Clone, Debug, Serialize)]
pub struct GoalInput {
    /// What is measured, e.g. "students at mastery in grade 8 math".
    pub measure: String,
    /// Where it starts, e.g. "41% (2025-26)".
    #[graphql(default)]
    pub baseline: String,
    /// Where it should be, e.g. "55% by 2027-28".
    pub target: String,
}

impl From<GrantProposalInput> for GrantProposal {
    fn from(p: GrantProposalInput) -> Self {
        GrantProposal {
            narrative: p.narrative,
            budget: p
                .budget
                .into_iter()
                .map(|l| BudgetLine {
                    category: l.category.into(),
                    description: l.description,
                    amount: l.amount.into(),
                })
                .collect(),
            school_ids: p.school_ids,
            students_served: p.students_served,
            goals: p
                .goals
                .into_iter()
                .map(|g| Goal {
                    measure: g.measure,
                    baseline: g.baseline,
                    target: g.target,
                })
                .collect(),
        }
    }
}

/// A reimbursement claim. Refused while a report is overdue (naming it),
/// above the award's remaining balance (naming it), for costs after the
/// spend-by date, or when it takes its category more than the profile's
/// threshold over budget (amend the budget first).
#[derive(InputObject, Clone, Debug, Serialize)]
pub struct GrantClaimInput {
    /// The budget category claimed against.
    pub category: BudgetCategoryView,
    /// The amount, in cents.
    pub amount: Cents,
    /// When the costs were incurred.
    pub incurred_on: NaiveDate,
    /// References to the invoices, receipts or payroll records; at least one.
    pub documentation: Vec<String>,
}

/// Money moved between two budget categories. Within the profile's
/// threshold of what the category was awarded (counting earlier moves out
/// of it), it applies at once; above, it waits for an approver.
#[derive(InputObject, Clone, Debug, Serialize)]
pub struct BudgetAmendmentInput {
    /// The category money moves from.
    pub from: BudgetCategoryView,
    /// The category money moves to.
    pub to: BudgetCategoryView,
    /// How much, in cents.
    pub amount: Cents,
    /// Why the budget changes.
    pub reason: String,
}

/// A reviewer's score on one criterion of the rubric.
#[derive(InputObject, Clone, Debug, Serialize)]
pub struct CriterionScoreInput {
    /// The criterion's id (`RubricCriterion.id`).
    pub criterion: String,
    /// Points, from 0 to the criterion's `maxPoints`.
    pub points: u32,
    /// Why, up to 4,000 characters; every criterion needs one.
    pub comment: String,
}

pub fn scores(input: &[CriterionScoreInput]) -> ApiResult<Vec<CriterionScore>> {
    if input.len() > 100 {
        return Err(ApiError::Validation(
            "A rubric has at most 100 criteria to score.".into(),
        ));
    }
    input
        .iter()
        .map(|s| {
            Ok(CriterionScore {
                criterion: s.criterion.clone(),
                points: s.points,
                comment: FreeText::parse("comment", &s.comment)?,
            })
        })
        .collect()
}
