//! What a district writes to apply for a grant: its narrative, a budget by
//! category with line items, the schools and students it serves, and
//! measurable goals. Stored as a document outside workflow history; the
//! machine decides on its outline.
use super::money::Cents;
use crate::engine::document::DocumentRef;
use crate::engine::text::{TextSize, clean_text};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The object classes of a grant budget (as on the federal SF-424A).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BudgetCategory {
    Personnel,
    FringeBenefits,
    Travel,
    Equipment,
    Supplies,
    Contractual,
    Other,
}

impl BudgetCategory {
    pub fn label(self) -> &'static str {
        match self {
            BudgetCategory::Personnel => "personnel",
            BudgetCategory::FringeBenefits => "fringe benefits",
            BudgetCategory::Travel => "travel",
            BudgetCategory::Equipment => "equipment",
            BudgetCategory::Supplies => "supplies",
            BudgetCategory::Contractual => "contractual services",
            BudgetCategory::Other => "other costs",
        }
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GrantProposal {
    pub narrative: String,
    pub budget: Vec<BudgetLine>,
    /// The schools served; empty when the whole district is.
    pub school_ids: Vec<String>,
    pub students_served: u32,
    pub goals: Vec<Goal>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BudgetLine {
    pub category: BudgetCategory,
    pub description: String,
    pub amount: Cents,
}

/// A measurable goal: what is measured, where it starts, where it should be.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Goal {
    pub measure: String,
    pub baseline: String,
    pub target: String,
}

/// What the machine reads of a proposal.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProposalOutline {
    pub requested: Cents,
    /// The budget by category, each the sum of its lines.
    pub budget: BTreeMap<BudgetCategory, Cents>,
    pub school_ids: Vec<String>,
    pub students_served: u32,
    pub goals: u32,
    pub has_narrative: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProposalDraft {
    pub document: DocumentRef,
    pub outline: ProposalOutline,
}

/// The most budget lines and goals one proposal may list.
const MAX_LINES: usize = 500;

impl GrantProposal {
    /// Checks that hold for drafts too: run before the document is stored.
    pub fn check_shape(&self) -> Vec<String> {
        let mut problems = Vec::new();
        if self.budget.len() > MAX_LINES
            || self.goals.len() > MAX_LINES
            || self.school_ids.len() > MAX_LINES
        {
            problems.push(format!(
                "a proposal lists at most {MAX_LINES} budget lines, {MAX_LINES} goals and {MAX_LINES} schools"
            ));
            return problems;
        }
        let texts = std::iter::once(("narrative", self.narrative.as_str(), TextSize::Section))
            .chain(
                self.budget
                    .iter()
                    .map(|l| ("budget line", l.description.as_str(), TextSize::Line)),
            )
            .chain(self.goals.iter().flat_map(|g| {
                [
                    ("goal's measure", g.measure.as_str(), TextSize::Line),
                    ("goal's baseline", g.baseline.as_str(), TextSize::Line),
                    ("goal's target", g.target.as_str(), TextSize::Line),
                ]
            }))
            .chain(
                self.school_ids
                    .iter()
                    .map(|s| ("school id", s.as_str(), TextSize::Line)),
            );
        for (field, text, size) in texts {
            if let Err(r) = clean_text(field, text, size) {
                problems.push(r.message);
                break;
            }
        }
        for line in &self.budget {
            if let Err(e) = Cents::parse_amount("budget line's amount", line.amount.get()) {
                problems.push(e);
                break;
            }
        }
        problems
    }

    pub fn outline(&self) -> ProposalOutline {
        let mut budget = BTreeMap::new();
        for line in &self.budget {
            *budget.entry(line.category).or_insert(Cents::ZERO) =
                budget.get(&line.category).copied().unwrap_or_default() + line.amount;
        }
        ProposalOutline {
            requested: budget.values().copied().sum(),
            budget,
            school_ids: self.school_ids.clone(),
            students_served: self.students_served,
            goals: self
                .goals
                .iter()
                .filter(|g| !g.measure.trim().is_empty() && !g.target.trim().is_empty())
                .count() as u32,
            has_narrative: !self.narrative.trim().is_empty(),
        }
    }
}

impl ProposalOutline {
    /// What a submission still lacks.
    pub fn check_ready(&self) -> Vec<String> {
        let mut problems = Vec::new();
        if !self.has_narrative {
            problems.push("write the narrative".to_string());
        }
        if self.requested <= Cents::ZERO {
            problems.push("give a budget with at least one line above $0.00".to_string());
        }
        if self.students_served == 0 {
            problems.push("say how many students the grant serves".to_string());
        }
        if self.goals == 0 {
            problems
                .push("give at least one measurable goal with its measure and target".to_string());
        }
        problems
    }
}
