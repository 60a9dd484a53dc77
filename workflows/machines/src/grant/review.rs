//! The review panel of one application: reviewers assigned, each declaring
//! conflicts before seeing it (a recorded tie to the applicant recuses
//! them whatever they declare), each scoring every criterion, and the
//! aggregate once all scores are in.
use super::terms::GrantProgramTerms;
use crate::domain::affiliation::AffiliationKind;
use crate::engine::refusal::Refusal;
use crate::engine::text::FreeText;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PanelSeat {
    pub reviewer_id: String,
    pub status: SeatStatus,
    /// The reviewer's scores, once given.
    #[serde(default)]
    pub scores: Option<Vec<CriterionScore>>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum SeatStatus {
    /// Assigned; must declare conflicts before seeing the application.
    Assigned,
    /// Declared no conflict and has no recorded tie: may read and score.
    Cleared,
    /// Off the panel, and why.
    Recused { reason: String },
}

/// A tie Leeway holds on record between a reviewer and the applicant (an
/// affiliation on the reviewer's user): found by the API, never typed by
/// the reviewer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordedTie {
    pub kind: AffiliationKind,
    pub organisation_id: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CriterionScore {
    pub criterion: String,
    pub points: u32,
    pub comment: FreeText,
}

/// The panel's result, in hundredths of a point so it stays exact.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Aggregate {
    pub reviewers: u32,
    /// Mean of the reviewers' totals, in hundredths of a point.
    pub mean_centipoints: i64,
    /// Highest total minus lowest, in points.
    pub spread: u32,
    /// The spread is above the profile's flag and needs reconciling.
    pub disagreement: bool,
    /// Reconciled by an approver, with a note.
    #[serde(default)]
    pub reconciled: Option<String>,
    pub equity_points: u32,
    /// Mean plus equity points, in hundredths: what the slate ranks by.
    pub total_centipoints: i64,
}

impl PanelSeat {
    pub fn is_active(&self) -> bool {
        !matches!(self.status, SeatStatus::Recused { .. })
    }
}

/// Seats that count toward the panel: not recused.
pub fn active_seats(panel: &[PanelSeat]) -> usize {
    panel.iter().filter(|s| s.is_active()).count()
}

/// Checks one reviewer's scores against the rubric: every criterion once,
/// within its points.
pub fn check_scores(program: &GrantProgramTerms, scores: &[CriterionScore]) -> Result<(), Refusal> {
    for s in scores {
        let Some(c) = program.rubric.iter().find(|c| c.id == s.criterion) else {
            let ids: Vec<&str> = program.rubric.iter().map(|c| c.id.as_str()).collect();
            return Err(Refusal::validation(format!(
                "The rubric has no criterion `{}`; its criteria are {}.",
                s.criterion,
                ids.join(", ")
            )));
        };
        if s.points > c.max_points {
            return Err(Refusal::validation(format!(
                "Criterion `{}` is worth at most {} points; {} were given.",
                c.id, c.max_points, s.points
            )));
        }
        if scores.iter().filter(|o| o.criterion == s.criterion).count() > 1 {
            return Err(Refusal::validation(format!(
                "Criterion `{}` is scored twice; score each criterion once.",
                c.id
            )));
        }
    }
    let missing: Vec<&str> = program
        .rubric
        .iter()
        .filter(|c| !scores.iter().any(|s| s.criterion == c.id))
        .map(|c| c.id.as_str())
        .collect();
    if !missing.is_empty() {
        return Err(Refusal::validation(format!(
            "Score every criterion of the rubric; missing: {}.",
            missing.join(", ")
        )));
    }
    Ok(())
}

pub fn total(scores: &[CriterionScore]) -> u32 {
    scores.iter().map(|s| s.points).sum()
}

/// The aggregate of the active seats' scores, once every one has scored.
pub fn aggregate(
    panel: &[PanelSeat],
    needed: u32,
    equity_points: u32,
    spread_flag: u32,
) -> Option<Aggregate> {
    let totals: Vec<u32> = panel
        .iter()
        .filter(|s| s.status == SeatStatus::Cleared)
        .filter_map(|s| s.scores.as_deref().map(total))
        .collect();
    if (totals.len() as u32) < needed || active_seats(panel) > totals.len() {
        return None;
    }
    let n = totals.len() as i64;
    let sum: i64 = totals.iter().map(|t| i64::from(*t)).sum();
    // Rounded half up, in hundredths.
    let mean_centipoints = (sum * 100 * 2 + n) / (2 * n);
    let spread =
        totals.iter().max().copied().unwrap_or(0) - totals.iter().min().copied().unwrap_or(0);
    Some(Aggregate {
        reviewers: totals.len() as u32,
        mean_centipoints,
        spread,
        disagreement: spread > spread_flag,
        reconciled: None,
        equity_points,
        total_centipoints: mean_centipoints + i64::from(equity_points) * 100,
    })
}

/// `42.5`, as a person reads a mean.
pub fn points(centipoints: i64) -> String {
    if centipoints % 100 == 0 {
        (centipoints / 100).to_string()
    } else {
        format!("{}.{:02}", centipoints / 100, centipoints % 100)
            .trim_end_matches('0')
            .to_string()
    }
}
