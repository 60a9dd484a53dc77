//! A waiver's yearly progress report: for each provision's goal, the
//! measure's baseline and current value, for all students and by
//! subgroup (economically disadvantaged, English learners, students with
//! disabilities, race and ethnicity), with how many students each value is
//! over. The district's authorized representative submits it by the due
//! date (a reminder before, an escalation after); a reviewer accepts it or
//! records concerns. Concerns open a re-review within the profile's window
//! (West Virginia's practice), in which the district may answer with a
//! revised report; an approver concludes it, and a conclusion to revoke
//! sends the revocation to the waiver itself.
use crate::domain::actor::{Actor, Role};
use crate::domain::duration::ClockDuration;
use crate::engine::effect::{Effect, OutgoingCommand};
use crate::engine::notice::{Audience, notice};
use crate::engine::refusal::Refusal;
use crate::engine::text::{FreeText, TextSize, clean_text, required_reasons};
use crate::engine::transition::{CommandInfo, StateInfo, TransitionRule};
use crate::engine::{CaseHeader, CaseMachine, Clock, Decision};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The profile's clocks for progress reports (`[report.progress]`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProgressRules {
    /// How long a district has to report on a year, from when its report
    /// opens (the year's end, when the schedule opens them).
    pub due_after: ClockDuration,
    /// How long before the due date the district is reminded.
    pub reminder: ClockDuration,
    /// Concerns lead to a re-review concluded within this.
    pub re_review_within: ClockDuration,
}

impl ProgressRules {
    pub fn validate(&self) -> Result<(), String> {
        if self.reminder >= self.due_after {
            return Err(format!(
                "report.progress.reminder ({}) must be shorter than due_after ({})",
                self.reminder, self.due_after
            ));
        }
        Ok(())
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProgressState {
    Due,
    Submitted,
    Concerns,
    Accepted,
    Resolved,
    Revoked,
}

use ProgressState as S;

impl StateInfo for ProgressState {
    const ALL: &'static [ProgressState] = &[
        S::Due,
        S::Submitted,
        S::Concerns,
        S::Accepted,
        S::Resolved,
        S::Revoked,
    ];
    fn name(self) -> &'static str {
        match self {
            S::Due => "due",
            S::Submitted => "submitted",
            S::Concerns => "concerns",
            S::Accepted => "accepted",
            S::Resolved => "resolved",
            S::Revoked => "revoked",
        }
    }
    fn label(self) -> &'static str {
        match self {
            S::Due => "due from the district",
            S::Submitted => "submitted and awaiting review",
            S::Concerns => "under re-review after concerns",
            S::Accepted => "accepted",
            S::Resolved => "re-reviewed, and the waiver continues",
            S::Revoked => "re-reviewed, and the waiver revoked",
        }
    }
    fn is_terminal(self) -> bool {
        matches!(self, S::Accepted | S::Resolved | S::Revoked)
    }
}

/// A provision's goal as the approved request states it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Goal {
    pub citation: String,
    pub goal: String,
    pub measure: String,
}

/// The student subgroups a progress report breaks each value down by.
pub const SUBGROUPS: [&str; 3] = [
    "economically_disadvantaged",
    "english_learners",
    "students_with_disabilities",
];

/// One value of a measure, for a group of students.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GroupValue {
    /// `all`, one of `SUBGROUPS`, or `race_…` for a race or ethnicity.
    pub group: String,
    /// How many students the values are over (this year's).
    pub students: u32,
    pub baseline: f64,
    pub current: f64,
}

/// What the district reports on one goal.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GoalOutcome {
    pub citation: String,
    pub values: Vec<GroupValue>,
    /// What the district says about it.
    pub comment: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProgressCase {
    pub id: String,
    pub waiver_id: String,
    pub district_id: String,
    pub waiver_title: String,
    /// The year the reporting year ends in, and as people write it.
    pub year: i32,
    pub year_label: String,
    pub state: ProgressState,
    pub opened_at: DateTime<Utc>,
    /// When the district's report is due: the profile's `due_after` from
    /// opening.
    pub due_at: DateTime<Utc>,
    pub goals: Vec<Goal>,
    pub outcomes: Vec<GoalOutcome>,
    pub submitted_at: Option<DateTime<Utc>>,
    pub concerns: Vec<String>,
    pub re_review_due: Option<DateTime<Utc>>,
    pub conclusion: Vec<String>,
    pub reminded: bool,
    pub escalated: bool,
}

impl ProgressCase {
    pub fn case_id(waiver_id: &str, year: i32) -> String {
        format!("progress-{year}-{waiver_id}")
    }
}

/// The facts a progress report opens on: the waiver, its goals and year.
pub struct Opening {
    pub waiver_id: String,
    pub district_id: String,
    pub waiver_title: String,
    pub year: i32,
    pub year_label: String,
    pub goals: Vec<Goal>,
}

impl ProgressCase {
    pub fn new(o: Opening, at: DateTime<Utc>, rules: &ProgressRules) -> Self {
        Self {
            id: Self::case_id(&o.waiver_id, o.year),
            waiver_id: o.waiver_id,
            district_id: o.district_id,
            waiver_title: o.waiver_title,
            year: o.year,
            year_label: o.year_label,
            state: S::Due,
            opened_at: at,
            due_at: at + rules.due_after.chrono(),
            goals: o.goals,
            outcomes: Vec::new(),
            submitted_at: None,
            concerns: Vec::new(),
            re_review_due: None,
            conclusion: Vec::new(),
            reminded: false,
            escalated: false,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "command", rename_all = "snake_case")]
pub enum ProgressCommand {
    Submit {
        outcomes: Vec<GoalOutcome>,
    },
    Accept,
    RecordConcerns {
        reasons: Vec<FreeText>,
    },
    ConcludeReReview {
        revoke: bool,
        reasons: Vec<FreeText>,
    },
    Remind,
    Escalate,
}

impl CommandInfo for ProgressCommand {
    fn name(&self) -> &'static str {
        match self {
            ProgressCommand::Submit { .. } => "submit",
            ProgressCommand::Accept => "accept",
            ProgressCommand::RecordConcerns { .. } => "record_concerns",
            ProgressCommand::ConcludeReReview { .. } => "conclude_re_review",
            ProgressCommand::Remind => "remind",
            ProgressCommand::Escalate => "escalate",
        }
    }
}

const REP: &[Role] = &[Role::DistrictAuthorizedRep];
const REVIEWER: &[Role] = &[Role::SeaReviewer, Role::SeaApprover];
const APPROVER: &[Role] = &[Role::SeaApprover];
const SYSTEM: &[Role] = &[Role::System];
const OPEN: &[ProgressState] = &[S::Due, S::Submitted, S::Concerns];

pub static TRANSITIONS: &[TransitionRule<ProgressState>] = &[
    TransitionRule {
        command: "submit",
        from: &[S::Due, S::Concerns],
        to: &[S::Submitted, S::Concerns],
        roles: REP,
        description: "submit the waiver's progress report",
    },
    TransitionRule {
        command: "accept",
        from: &[S::Submitted],
        to: &[S::Accepted],
        roles: REVIEWER,
        description: "accept the progress report",
    },
    TransitionRule {
        command: "record_concerns",
        from: &[S::Submitted],
        to: &[S::Concerns],
        roles: REVIEWER,
        description: "record concerns about the progress report, which opens a re-review",
    },
    TransitionRule {
        command: "conclude_re_review",
        from: &[S::Concerns],
        to: &[S::Resolved, S::Revoked],
        roles: APPROVER,
        description: "conclude the re-review: the waiver continues, or is revoked",
    },
    TransitionRule {
        command: "remind",
        from: &[S::Due],
        to: &[S::Due],
        roles: SYSTEM,
        description: "remind the district that its progress report is due",
    },
    TransitionRule {
        command: "escalate",
        from: OPEN,
        to: OPEN,
        roles: SYSTEM,
        description: "escalate a progress report or re-review that is overdue",
    },
];

/// Every goal reported on, each with a value for all students, every
/// value finite, each group once.
fn check_outcomes(case: &ProgressCase, outcomes: &[GoalOutcome]) -> Result<(), Refusal> {
    let bad = |m: String| Err(Refusal::validation(m));
    for g in &case.goals {
        if !outcomes.iter().any(|o| o.citation == g.citation) {
            return bad(format!(
                "Report on the goal for {} ({}): every provision waived has one.",
                g.citation, g.measure
            ));
        }
    }
    for o in outcomes {
        if !case.goals.iter().any(|g| g.citation == o.citation) {
            return bad(format!("The waiver has no goal for {}.", o.citation));
        }
        clean_text("comment", &o.comment, TextSize::Reason)?;
        if !o.values.iter().any(|v| v.group == "all") {
            return bad(format!(
                "Give the value for all students (group `all`) for {}.",
                o.citation
            ));
        }
        let mut seen = Vec::new();
        for v in &o.values {
            let known = v.group == "all"
                || SUBGROUPS.contains(&v.group.as_str())
                || (v.group.starts_with("race_")
                    && v.group.len() <= 60
                    && v.group[5..]
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || c == '_'));
            if !known {
                return bad(format!(
                    "`{}` is not a subgroup: use all, {}, or race_… (e.g. race_hispanic_or_latino).",
                    v.group,
                    SUBGROUPS.join(", ")
                ));
            }
            if seen.contains(&v.group) {
                return bad(format!("{} gives `{}` twice.", o.citation, v.group));
            }
            seen.push(v.group.clone());
            if !v.baseline.is_finite() || !v.current.is_finite() {
                return bad(format!(
                    "{} `{}`: the baseline and current values must be numbers.",
                    o.citation, v.group
                ));
            }
        }
    }
    Ok(())
}

fn revocation(case: &ProgressCase, reasons: &[String]) -> Effect {
    Effect::Send {
        case_id: case.waiver_id.clone(),
        command: OutgoingCommand {
            program: "waiver".into(),
            command: serde_json::json!({
                "command": "revoke",
                "reasons": std::iter::once(format!(
                    "concluded in the re-review of the progress report {} for {}",
                    case.id, case.year_label
                ))
                .chain(reasons.iter().cloned())
                .collect::<Vec<_>>(),
            }),
        },
    }
}

pub struct ProgressMachine;

impl CaseMachine for ProgressMachine {
    const PROGRAM: &'static str = "waiver_progress";
    const NOUN: &'static str = "progress report";
    type State = ProgressState;
    type Case = ProgressCase;
    type Command = ProgressCommand;
    type Rules = ProgressRules;

    fn transitions() -> &'static [TransitionRule<ProgressState>] {
        TRANSITIONS
    }

    fn state(case: &ProgressCase) -> ProgressState {
        case.state
    }

    fn header(case: &ProgressCase) -> CaseHeader {
        CaseHeader {
            id: case.id.clone(),
            organisation_id: Some(case.district_id.clone()),
            title: format!("Progress report {}: {}", case.year_label, case.waiver_title),
            assigned_reviewer: None,
            document: None,
            version: u32::from(case.submitted_at.is_some()),
        }
    }

    fn opening(case: &ProgressCase, _rules: &ProgressRules) -> Decision<ProgressCase> {
        let due = case.due_at;
        let mut d = Decision::to(case.clone());
        d.reasons = vec![format!("due {}", due.format("%Y-%m-%d"))];
        d.notices.push(notice(
            &[Audience::District],
            format!("Progress report due: {}", case.waiver_title),
            format!(
                "The waiver \"{}\" was in force in {}. Its yearly progress report is due on {}: for each provision's goal, the measure's baseline and current value for all students and by subgroup.",
                case.waiver_title,
                case.year_label,
                due.format("%-d %B %Y")
            ),
        ));
        d
    }

    fn decide(
        case: &ProgressCase,
        _actor: &Actor,
        command: &ProgressCommand,
        now: DateTime<Utc>,
        rules: &ProgressRules,
    ) -> Result<Decision<ProgressCase>, Refusal> {
        let mut d = Decision::to(case.clone());
        match command {
            ProgressCommand::Submit { outcomes } => {
                check_outcomes(case, outcomes)?;
                d.case.outcomes = outcomes.clone();
                d.case.submitted_at = Some(now);
                // A revised report answers the concerns: the re-review
                // goes on until the approver concludes it.
                if case.state == S::Due {
                    d.case.state = S::Submitted;
                }
                d.notices.push(notice(
                    &[Audience::Reviewers],
                    format!("Progress report submitted: {}", case.waiver_title),
                    format!(
                        "The district submitted the progress report for {} on \"{}\".",
                        case.year_label, case.waiver_title
                    ),
                ));
            }
            ProgressCommand::Accept => {
                d.case.state = S::Accepted;
                d.notices.push(notice(
                    &[Audience::District],
                    format!("Progress report accepted: {}", case.waiver_title),
                    format!(
                        "The state accepted the progress report for {}.",
                        case.year_label
                    ),
                ));
            }
            ProgressCommand::RecordConcerns { reasons } => {
                let reasons = required_reasons(reasons, "for the concerns")?;
                let due = now + rules.re_review_within.chrono();
                d.case.state = S::Concerns;
                d.case.concerns = reasons.clone();
                d.case.re_review_due = Some(due);
                d.case.escalated = false;
                d.reasons = reasons.clone();
                d.notices.push(notice(
                    &[Audience::District, Audience::Approvers],
                    format!("Concerns about a waiver's progress: {}", case.waiver_title),
                    format!(
                        "The state recorded concerns about the progress report for {}:\n{}\nThe waiver will be re-reviewed by {}. The district may answer with a revised report; the re-review may end in the waiver's revocation.",
                        case.year_label,
                        reasons.join("\n"),
                        due.format("%-d %B %Y")
                    ),
                ));
            }
            ProgressCommand::ConcludeReReview { revoke, reasons } => {
                let reasons = required_reasons(reasons, "for the conclusion")?;
                d.case.conclusion = reasons.clone();
                d.reasons = reasons.clone();
                if *revoke {
                    d.case.state = S::Revoked;
                    d.effects.push(revocation(case, &reasons));
                } else {
                    d.case.state = S::Resolved;
                }
                d.notices.push(notice(
                    &[Audience::District],
                    format!(
                        "Re-review concluded: {} {}",
                        case.waiver_title,
                        if *revoke { "revoked" } else { "continues" }
                    ),
                    format!(
                        "The state concluded the re-review of \"{}\": the waiver {}.\n{}",
                        case.waiver_title,
                        if *revoke { "is revoked" } else { "continues" },
                        reasons.join("\n")
                    ),
                ));
            }
            ProgressCommand::Remind => {
                d.case.reminded = true;
                d.notices.push(notice(
                    &[Audience::District],
                    format!("Progress report due soon: {}", case.waiver_title),
                    format!(
                        "The progress report for {} on \"{}\" is due on {}.",
                        case.year_label,
                        case.waiver_title,
                        case.due_at.format("%-d %B %Y")
                    ),
                ));
            }
            ProgressCommand::Escalate => {
                d.case.escalated = true;
                let what = if case.state == S::Concerns {
                    "re-review"
                } else {
                    "progress report"
                };
                d.notices.push(notice(
                    &[Audience::Approvers, Audience::District],
                    format!("Overdue {what}: {}", case.waiver_title),
                    format!(
                        "The {what} for {} on \"{}\" is overdue.",
                        case.year_label, case.waiver_title
                    ),
                ));
            }
        }
        Ok(d)
    }

    fn clocks(case: &ProgressCase, rules: &ProgressRules) -> Vec<Clock<ProgressCommand>> {
        let mut clocks = Vec::new();
        match case.state {
            S::Due if !case.escalated => {
                let due = case.due_at;
                if !case.reminded {
                    clocks.push(Clock {
                        kind: "progress_reminder",
                        due_at: due - rules.reminder.chrono(),
                        description: "a reminder before the progress report is due".into(),
                        command: ProgressCommand::Remind,
                    });
                }
                clocks.push(Clock {
                    kind: "progress_due",
                    due_at: due,
                    description: "the progress report is due".into(),
                    command: ProgressCommand::Escalate,
                });
            }
            S::Concerns if !case.escalated => {
                if let Some(due) = case.re_review_due {
                    clocks.push(Clock {
                        kind: "re_review_due",
                        due_at: due,
                        description: "the re-review is to be concluded".into(),
                        command: ProgressCommand::Escalate,
                    });
                }
            }
            _ => {}
        }
        clocks
    }
}
