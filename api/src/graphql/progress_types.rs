//! How a waiver's yearly progress report reads in GraphQL: a `Case` of the
//! district's, with its goals, what the district reported by subgroup, the
//! concerns and the re-review.
use super::case_commands::CaseView;
use super::case_types::CaseCore;
use crate::case_interface_methods;
use crate::error::{ApiError, ApiResult};
use async_graphql::{Enum, InputObject, SimpleObject};
use chrono::{DateTime, Utc};
use leeway_entities::{case, progress_report};
use leeway_machines::report::progress::{GoalOutcome, GroupValue, ProgressCase, ProgressState};
use sea_orm::{DatabaseConnection, EntityTrait};
use serde::{Deserialize, Serialize};

/// Where a progress report stands.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug, Serialize, Deserialize)]
#[graphql(name = "ProgressState", remote = "ProgressState")]
pub enum ProgressStateView {
    /// Due from the district.
    Due,
    /// Submitted; awaiting a reviewer.
    Submitted,
    /// A reviewer recorded concerns: under re-review until an approver
    /// concludes it; the district may submit a revised report.
    Concerns,
    /// Final: accepted.
    Accepted,
    /// Final: re-reviewed, and the waiver continues.
    Resolved,
    /// Final: re-reviewed, and the waiver revoked.
    Revoked,
}

/// A provision's goal, as the approved request states it.
#[derive(SimpleObject, Clone, Debug, Serialize, Deserialize)]
#[graphql(name = "ProgressGoal")]
pub struct ProgressGoalView {
    /// The provision waived.
    pub citation: String,
    /// What the district set out to achieve.
    pub goal: String,
    /// How it is measured.
    pub measure: String,
}

/// One value of a measure for a group of students.
#[derive(SimpleObject, InputObject, Clone, Debug, Serialize, Deserialize)]
#[graphql(name = "GroupValue", input_name = "GroupValueInput")]
pub struct GroupValueView {
    /// `all`; `economically_disadvantaged`, `english_learners` or
    /// `students_with_disabilities`; or `race_…` for a race or ethnicity
    /// (e.g. `race_hispanic_or_latino`).
    pub group: String,
    /// How many students this year's value is over; the annual report
    /// withholds a value over fewer than the state's threshold.
    pub students: u32,
    /// The measure's value before the waiver.
    pub baseline: f64,
    /// Its value this year.
    pub current: f64,
}

/// What the district reports on one goal.
#[derive(SimpleObject, InputObject, Clone, Debug, Serialize, Deserialize)]
#[graphql(name = "GoalOutcome", input_name = "GoalOutcomeInput")]
pub struct GoalOutcomeView {
    /// The provision whose goal this is.
    pub citation: String,
    /// For all students (required) and by subgroup.
    pub values: Vec<GroupValueView>,
    /// What the district says about it, up to 4,000 characters.
    pub comment: String,
}

impl From<GoalOutcome> for GoalOutcomeView {
    fn from(o: GoalOutcome) -> Self {
        Self {
            citation: o.citation,
            values: o
                .values
                .into_iter()
                .map(|v| GroupValueView {
                    group: v.group,
                    students: v.students,
                    baseline: v.baseline,
                    current: v.current,
                })
                .collect(),
            comment: o.comment,
        }
    }
}

impl From<GoalOutcomeView> for GoalOutcome {
    fn from(o: GoalOutcomeView) -> Self {
        Self {
            citation: o.citation.trim().to_string(),
            values: o
                .values
                .into_iter()
                .map(|v| GroupValue {
                    group: v.group.trim().to_string(),
                    students: v.students,
                    baseline: v.baseline,
                    current: v.current,
                })
                .collect(),
            comment: o.comment,
        }
    }
}

/// A waiver's progress report on one reporting year.
#[derive(SimpleObject, Clone, Debug, Serialize, Deserialize)]
#[graphql(name = "ProgressReport")]
pub struct ProgressReportView {
    #[graphql(flatten)]
    pub core: CaseCore,
    /// Where it stands.
    pub state: ProgressStateView,
    /// The waiver it reports on.
    pub waiver_id: String,
    /// The waiver's title.
    pub waiver_title: String,
    /// The year the reporting year ends in.
    pub year: i32,
    /// The reporting year as people write it, e.g. `2025-26`.
    pub year_label: String,
    /// When the district's report is due.
    pub due_at: DateTime<Utc>,
    /// The goals to report on.
    pub goals: Vec<ProgressGoalView>,
    /// What the district reported, once submitted.
    pub outcomes: Vec<GoalOutcomeView>,
    /// When it was (last) submitted.
    pub submitted_at: Option<DateTime<Utc>>,
    /// The reviewer's concerns, if any.
    pub concerns: Vec<String>,
    /// When the re-review is to be concluded.
    pub re_review_due: Option<DateTime<Utc>>,
    /// The approver's conclusion of the re-review.
    pub conclusion: Vec<String>,
    /// The report or the re-review went past its date.
    pub escalated: bool,
}

case_interface_methods!(ProgressReportView);

pub fn detail(row: &progress_report::Model) -> ApiResult<ProgressCase> {
    serde_json::from_str(&row.detail).map_err(|e| ApiError::internal("read the progress report", e))
}

impl CaseView for ProgressReportView {
    async fn load(db: &DatabaseConnection, c: case::Model) -> ApiResult<Self> {
        let row = progress_report::Entity::find_by_id(c.id.as_str())
            .one(db)
            .await?
            .ok_or_else(|| {
                ApiError::internal("read the progress report", format!("no row for {}", c.id))
            })?;
        let p = detail(&row)?;
        Ok(Self {
            state: p.state.into(),
            due_at: p.due_at,
            waiver_id: p.waiver_id,
            waiver_title: p.waiver_title,
            year: p.year,
            year_label: p.year_label,
            goals: p
                .goals
                .into_iter()
                .map(|g| ProgressGoalView {
                    citation: g.citation,
                    goal: g.goal,
                    measure: g.measure,
                })
                .collect(),
            outcomes: p.outcomes.into_iter().map(Into::into).collect(),
            submitted_at: p.submitted_at,
            concerns: p.concerns,
            re_review_due: p.re_review_due,
            conclusion: p.conclusion,
            escalated: p.escalated,
            core: CaseCore::new::<ProgressState>(c),
        })
    }

    async fn load_many(db: &DatabaseConnection, cases: Vec<case::Model>) -> ApiResult<Vec<Self>> {
        let mut out = Vec::with_capacity(cases.len());
        for c in cases {
            out.push(Self::load(db, c).await?);
        }
        Ok(out)
    }
}
