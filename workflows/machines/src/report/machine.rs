//! One reporting year's annual report as a case the SEA holds. Opening it
//! compiles the first draft; staff recompile it or revise its words, each
//! time as a new numbered draft; an approver certifies one draft, which
//! delivers it to the legislature and publishes it. A reminder goes out
//! before the statutory due date, and the report escalates if it passes.
//!
//! The figures themselves are compiled by the record step (the machine
//! only says that a draft is due and whether its figures are fresh or
//! carried over), so this stays pure; the artefacts' hashes come back in
//! the certifying command, and the case keeps them.
use super::rules::ReportRules;
use crate::domain::actor::{Actor, Role};
use crate::engine::notice::{Audience, Notice, notice};
use crate::engine::refusal::Refusal;
use crate::engine::text::FreeText;
use crate::engine::transition::{CommandInfo, StateInfo, TransitionRule};
use crate::engine::{CaseHeader, CaseMachine, Clock, Decision};
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

/// How long before the due date the approvers are reminded.
pub const REMINDER_DAYS: i64 = 14;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReportState {
    Drafting,
    Published,
}

impl StateInfo for ReportState {
    const ALL: &'static [ReportState] = &[ReportState::Drafting, ReportState::Published];
    fn name(self) -> &'static str {
        match self {
            ReportState::Drafting => "drafting",
            ReportState::Published => "published",
        }
    }
    fn label(self) -> &'static str {
        match self {
            ReportState::Drafting => "being drafted",
            ReportState::Published => "certified, delivered and published",
        }
    }
    fn is_terminal(self) -> bool {
        self == ReportState::Published
    }
}

/// Where a draft's figures come from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "figures", rename_all = "snake_case")]
pub enum Figures {
    /// Compiled afresh from the records when the draft was made.
    Compiled,
    /// The same figures as an earlier draft: only the words changed.
    CarriedFrom { version: u32 },
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Draft {
    pub version: u32,
    pub made_at: DateTime<Utc>,
    pub made_by: String,
    pub figures: Figures,
}

/// The words SEA staff write around the figures.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Narrative {
    /// Paragraphs printed after the summary the figures give.
    pub paragraphs: Vec<String>,
    /// The policy audit's recommendations to the legislature.
    pub recommendations: Vec<String>,
}

/// One file of a certified report, as certified.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Artefact {
    pub name: String,
    pub sha256: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Certification {
    pub version: u32,
    pub by: String,
    pub at: DateTime<Utc>,
    pub artefacts: Vec<Artefact>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnnualReportCase {
    pub id: String,
    /// The year the reporting year ends in (2027 for 2026-27).
    pub year: i32,
    /// "2026-27".
    pub label: String,
    pub title: String,
    /// Who reports: the state agency's name, printed on the cover.
    pub agency: String,
    /// The report section of the profile the case opened under (also its
    /// workflow's rules), kept so that the record step can print it.
    pub rules: ReportRules,
    pub state: ReportState,
    pub drafts: Vec<Draft>,
    pub narrative: Narrative,
    pub certification: Option<Certification>,
    pub reminded: bool,
    pub escalated: bool,
}

impl AnnualReportCase {
    pub fn case_id(year: i32) -> String {
        format!("annual-report-{year}")
    }

    /// A new report for the year ending in `year`, opened by `by`.
    pub fn new(rules: &ReportRules, agency: &str, year: i32, by: &str, at: DateTime<Utc>) -> Self {
        let label = rules.year(year).label();
        Self {
            id: Self::case_id(year),
            year,
            title: format!("{}, {label}", rules.name),
            agency: agency.to_string(),
            rules: rules.clone(),
            label,
            state: ReportState::Drafting,
            drafts: vec![Draft {
                version: 1,
                made_at: at,
                made_by: by.to_string(),
                figures: Figures::Compiled,
            }],
            narrative: Narrative::default(),
            certification: None,
            reminded: false,
            escalated: false,
        }
    }

    pub fn latest(&self) -> Option<&Draft> {
        self.drafts.last()
    }

    /// The draft whose figures `version` prints: itself, or the one it
    /// carried them from.
    pub fn figures_of(&self, version: u32) -> Option<u32> {
        let draft = self.drafts.iter().find(|d| d.version == version)?;
        match draft.figures {
            Figures::Compiled => Some(version),
            Figures::CarriedFrom { version } => Some(version),
        }
    }

    /// A file of draft `version`: `annual-report-2027-v3.pdf`.
    pub fn artefact_name(&self, version: u32, extension: &str) -> String {
        format!("{}-v{version}.{extension}", self.id)
    }

    fn next_draft(&mut self, by: &Actor, at: DateTime<Utc>, figures: Figures) -> u32 {
        let version = self.latest().map_or(1, |d| d.version + 1);
        self.drafts.push(Draft {
            version,
            made_at: at,
            made_by: by.user_id.clone(),
            figures,
        });
        version
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "command", rename_all = "snake_case")]
pub enum ReportCommand {
    /// Compile the figures again (records changed since the last draft).
    Recompile,
    /// New words around the same figures.
    Revise {
        paragraphs: Vec<FreeText>,
        recommendations: Vec<FreeText>,
    },
    /// Certify draft `version`, whose files hash as `artefacts`.
    Certify {
        version: u32,
        artefacts: Vec<Artefact>,
    },
    Remind,
    Escalate,
}

impl CommandInfo for ReportCommand {
    fn name(&self) -> &'static str {
        match self {
            ReportCommand::Recompile => "recompile",
            ReportCommand::Revise { .. } => "revise",
            ReportCommand::Certify { .. } => "certify",
            ReportCommand::Remind => "remind",
            ReportCommand::Escalate => "escalate",
        }
    }
}

const STAFF: &[Role] = &[Role::SeaReviewer, Role::SeaApprover, Role::Admin];
const DRAFTING: &[ReportState] = &[ReportState::Drafting];

pub static TRANSITIONS: &[TransitionRule<ReportState>] = &[
    TransitionRule {
        command: "recompile",
        from: DRAFTING,
        to: DRAFTING,
        roles: STAFF,
        description: "compile the report's figures again as a new draft",
    },
    TransitionRule {
        command: "revise",
        from: DRAFTING,
        to: DRAFTING,
        roles: STAFF,
        description: "revise the report's narrative and recommendations as a new draft",
    },
    TransitionRule {
        command: "certify",
        from: DRAFTING,
        to: &[ReportState::Published],
        roles: &[Role::SeaApprover],
        description: "certify a draft, which delivers it to the legislature and publishes it",
    },
    TransitionRule {
        command: "remind",
        from: DRAFTING,
        to: DRAFTING,
        roles: &[Role::System],
        description: "remind the approvers that the report is due soon",
    },
    TransitionRule {
        command: "escalate",
        from: DRAFTING,
        to: DRAFTING,
        roles: &[Role::System],
        description: "escalate a report that missed its statutory due date",
    },
];

/// Most paragraphs or recommendations a draft carries.
const MAX_ITEMS: usize = 50;

fn lines(items: &[FreeText], what: &str) -> Result<Vec<String>, Refusal> {
    if items.len() > MAX_ITEMS {
        return Err(Refusal::validation(format!(
            "Give at most {MAX_ITEMS} {what}; {} were sent.",
            items.len()
        )));
    }
    Ok(items
        .iter()
        .map(|t| t.trimmed().to_string())
        .filter(|t| !t.is_empty())
        .collect())
}

fn is_sha256(s: &str) -> bool {
    s.len() == 64
        && s.bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
}

fn delivery(case: &AnnualReportCase, rules: &ReportRules, c: &Certification) -> Notice {
    let files: Vec<String> = c
        .artefacts
        .iter()
        .map(|a| format!("{}  SHA-256 {}", a.name, a.sha256))
        .collect();
    let mut n = notice(
        &[
            Audience::Legislators,
            Audience::Approvers,
            Audience::Administrators,
        ],
        format!("{}, {}", rules.name, case.label),
        format!(
            "The {} for {}, required by {}, is attached as PDF, CSV and JSON. It was certified on {} and is published on the public page.\n\nEach file's SHA-256 fingerprint, also recorded in Leeway's audit trail and shown on the public page, lets anyone confirm that a copy is the one certified:\n{}",
            rules.name,
            case.label,
            rules.statute,
            c.at.format("%-d %B %Y"),
            files.join("\n")
        ),
    );
    n.addresses = rules.recipients.clone();
    n.attachments = c.artefacts.iter().map(|a| a.name.clone()).collect();
    n
}

pub struct AnnualReportMachine;

impl CaseMachine for AnnualReportMachine {
    const PROGRAM: &'static str = "annual_report";
    const NOUN: &'static str = "report";
    type State = ReportState;
    type Case = AnnualReportCase;
    type Command = ReportCommand;
    type Rules = ReportRules;

    fn transitions() -> &'static [TransitionRule<ReportState>] {
        TRANSITIONS
    }

    fn state(case: &AnnualReportCase) -> ReportState {
        case.state
    }

    fn header(case: &AnnualReportCase) -> CaseHeader {
        CaseHeader {
            id: case.id.clone(),
            organisation_id: None,
            title: case.title.clone(),
            assigned_reviewer: None,
            document: None,
            version: case.latest().map_or(0, |d| d.version),
        }
    }

    fn opening(case: &AnnualReportCase, rules: &ReportRules) -> Decision<AnnualReportCase> {
        let year = rules.year(case.year);
        let mut d = Decision::to(case.clone());
        d.reasons = vec![format!(
            "compiled draft 1 of the report for {}, due {}",
            case.label,
            year.due_at.format("%Y-%m-%d")
        )];
        d
    }

    fn decide(
        case: &AnnualReportCase,
        actor: &Actor,
        command: &ReportCommand,
        now: DateTime<Utc>,
        rules: &ReportRules,
    ) -> Result<Decision<AnnualReportCase>, Refusal> {
        let mut d = Decision::to(case.clone());
        match command {
            ReportCommand::Recompile => {
                let v = d.case.next_draft(actor, now, Figures::Compiled);
                d.reasons = vec![format!("compiled the figures again as draft {v}")];
            }
            ReportCommand::Revise {
                paragraphs,
                recommendations,
            } => {
                let narrative = Narrative {
                    paragraphs: lines(paragraphs, "paragraphs")?,
                    recommendations: lines(recommendations, "recommendations")?,
                };
                if narrative == case.narrative {
                    return Err(Refusal::validation(
                        "The narrative and recommendations are the same as the current draft's; change something to make a new draft.",
                    ));
                }
                let carried = case
                    .latest()
                    .and_then(|l| case.figures_of(l.version))
                    .unwrap_or(1);
                d.case.narrative = narrative;
                let v = d
                    .case
                    .next_draft(actor, now, Figures::CarriedFrom { version: carried });
                d.reasons = vec![format!(
                    "revised the narrative as draft {v}, with the figures of draft {carried}"
                )];
            }
            ReportCommand::Certify { version, artefacts } => {
                let latest = case.latest().map_or(0, |l| l.version);
                if *version != latest {
                    return Err(Refusal::conflict(format!(
                        "Draft {version} is not the latest; draft {latest} is. Read draft {latest} and certify that one."
                    )));
                }
                if artefacts.is_empty()
                    || artefacts
                        .iter()
                        .any(|a| !is_sha256(&a.sha256) || !a.name.starts_with(&case.id))
                {
                    return Err(Refusal::validation(
                        "A certification names each file of the draft with its SHA-256 in lowercase hex.",
                    ));
                }
                let c = Certification {
                    version: *version,
                    by: actor.user_id.clone(),
                    at: now,
                    artefacts: artefacts.clone(),
                };
                d.reasons = std::iter::once(format!("certified draft {version}"))
                    .chain(
                        artefacts
                            .iter()
                            .map(|a| format!("{} SHA-256 {}", a.name, a.sha256)),
                    )
                    .collect();
                d.notices.push(delivery(case, rules, &c));
                d.case.certification = Some(c);
                d.case.state = ReportState::Published;
            }
            ReportCommand::Remind if now >= rules.year(case.year).due_at => {
                // Opened after its due date (a past year): the reminder
                // would come too late to help; the escalation says it all.
                d = Self::decide(case, actor, &ReportCommand::Escalate, now, rules)?;
                d.case.reminded = true;
            }
            ReportCommand::Remind => {
                d.case.reminded = true;
                let due = rules.year(case.year).due_at;
                d.reasons = vec![format!("due {}", due.format("%Y-%m-%d"))];
                d.notices.push(notice(
                    &[Audience::Approvers, Audience::Reviewers],
                    format!("Due in {REMINDER_DAYS} days: {}", case.title),
                    format!(
                        "The {} for {} is due on {} under {}. It has {} draft(s) and is not yet certified.",
                        rules.name,
                        case.label,
                        due.format("%-d %B %Y"),
                        rules.statute,
                        case.drafts.len()
                    ),
                ));
            }
            ReportCommand::Escalate => {
                d.case.escalated = true;
                let due = rules.year(case.year).due_at;
                d.reasons = vec![format!("the due date {} passed", due.format("%Y-%m-%d"))];
                d.notices.push(notice(
                    &[Audience::Approvers, Audience::Administrators],
                    format!("Overdue: {}", case.title),
                    format!(
                        "The {} for {} was due on {} under {} and has not been certified. Certify the latest draft, or tell the committees when it will come.",
                        rules.name,
                        case.label,
                        due.format("%-d %B %Y"),
                        rules.statute
                    ),
                ));
            }
        }
        Ok(d)
    }

    fn clocks(case: &AnnualReportCase, rules: &ReportRules) -> Vec<Clock<ReportCommand>> {
        if case.state.is_terminal() {
            return Vec::new();
        }
        let due = rules.year(case.year).due_at;
        let mut clocks = Vec::new();
        if !case.reminded && !case.escalated {
            clocks.push(Clock {
                kind: "report_reminder",
                due_at: due - Duration::days(REMINDER_DAYS),
                description: format!("{REMINDER_DAYS} days before the report is due"),
                command: ReportCommand::Remind,
            });
        }
        if !case.escalated {
            clocks.push(Clock {
                kind: "report_due",
                due_at: due,
                description: format!("the statutory due date ({})", rules.statute),
                command: ReportCommand::Escalate,
            });
        }
        clocks
    }
}
