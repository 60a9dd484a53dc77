//! The innovation-waiver state machine: from draft through review and a
//! per-provision decision to an active term, and on to expiry, amendment,
//! renewal, withdrawal or revocation.
use super::content::WaiverDraft;
use super::rules::WaiverRules;
use crate::domain::actor::{Actor, Role};
use crate::domain::provision::ProvisionRuling;
use crate::engine::document::Snapshot;
use crate::engine::notice::{Audience, notice};
use crate::engine::refusal::Refusal;
use crate::engine::text::{FreeText, required_reasons};
use crate::engine::transition::{CommandInfo, StateInfo, TransitionRule};
use crate::engine::{CaseHeader, CaseMachine, Clock, Decision};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WaiverState {
    Draft,
    Submitted,
    Returned,
    Accepted,
    ReviewerAssigned,
    InReview,
    RevisionRequested,
    Recommended,
    Active,
    AmendmentProposed,
    RenewalRequested,
    Denied,
    Expired,
    Withdrawn,
    Revoked,
}

use WaiverState as S;

impl StateInfo for WaiverState {
    const ALL: &'static [WaiverState] = &[
        S::Draft,
        S::Submitted,
        S::Returned,
        S::Accepted,
        S::ReviewerAssigned,
        S::InReview,
        S::RevisionRequested,
        S::Recommended,
        S::Active,
        S::AmendmentProposed,
        S::RenewalRequested,
        S::Denied,
        S::Expired,
        S::Withdrawn,
        S::Revoked,
    ];

    fn name(self) -> &'static str {
        match self {
            S::Draft => "draft",
            S::Submitted => "submitted",
            S::Returned => "returned",
            S::Accepted => "accepted",
            S::ReviewerAssigned => "reviewer_assigned",
            S::InReview => "in_review",
            S::RevisionRequested => "revision_requested",
            S::Recommended => "recommended",
            S::Active => "active",
            S::AmendmentProposed => "amendment_proposed",
            S::RenewalRequested => "renewal_requested",
            S::Denied => "denied",
            S::Expired => "expired",
            S::Withdrawn => "withdrawn",
            S::Revoked => "revoked",
        }
    }

    /// How a clerk would say it: "while the request is ...".
    fn label(self) -> &'static str {
        match self {
            S::Draft => "a draft",
            S::Submitted => "submitted and awaiting the completeness check",
            S::Returned => "returned to the district as incomplete",
            S::Accepted => "complete and awaiting a reviewer",
            S::ReviewerAssigned => "with a reviewer who has not yet declared conflicts",
            S::InReview => "in review",
            S::RevisionRequested => "back with the district for revision",
            S::Recommended => "recommended and awaiting the approver's decision",
            S::Active => "an active waiver",
            S::AmendmentProposed => "active with an amendment awaiting decision",
            S::RenewalRequested => "active with a renewal awaiting decision",
            S::Denied => "denied",
            S::Expired => "expired",
            S::Withdrawn => "withdrawn",
            S::Revoked => "revoked",
        }
    }

    fn is_terminal(self) -> bool {
        matches!(self, S::Denied | S::Expired | S::Withdrawn | S::Revoked)
    }

    /// A reviewer's conflict statement stays with the SEA; the
    /// recommendation is the district's to read once the approver decides.
    fn withheld_from_applicant(self) -> &'static [&'static str] {
        match self {
            // Withdrawn, it may never have been decided.
            S::Recommended | S::Withdrawn => &["declare_conflict", "recommend"],
            _ => &["declare_conflict"],
        }
    }
}

impl WaiverState {
    /// The district may change the content in these states.
    pub fn is_editable(self) -> bool {
        matches!(self, S::Draft | S::Returned | S::RevisionRequested)
    }

    /// The SEA holds the case and the decision clock runs.
    pub fn awaits_sea(self) -> bool {
        matches!(
            self,
            S::Submitted | S::Accepted | S::ReviewerAssigned | S::InReview | S::Recommended
        )
    }

    /// A term is running.
    pub fn in_term(self) -> bool {
        matches!(self, S::Active | S::AmendmentProposed | S::RenewalRequested)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Approve,
    ApproveWithConditions,
    Deny,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Approve => "approved",
            Outcome::ApproveWithConditions => "approved_with_conditions",
            Outcome::Deny => "denied",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProvisionDecision {
    pub citation: String,
    pub outcome: Outcome,
    pub conditions: Option<FreeText>,
    pub reason: Option<FreeText>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recommendation {
    pub reviewer_id: String,
    pub summary: String,
    pub decisions: Vec<ProvisionDecision>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Term {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

/// Everything the machine knows about one case.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WaiverCase {
    pub id: String,
    pub district_id: String,
    pub created_by: String,
    pub state: WaiverState,
    /// The request as now written: the draft, or what was last submitted.
    pub draft: WaiverDraft,
    /// Submitted snapshots so far.
    pub version: u32,
    pub snapshot_hash: Option<String>,
    pub review_due: Option<DateTime<Utc>>,
    pub escalated: bool,
    pub assigned_reviewer: Option<String>,
    /// Reviewers who declared a conflict of interest on this case.
    pub recused: Vec<String>,
    pub recommendation: Option<Recommendation>,
    pub decisions: Vec<ProvisionDecision>,
    pub term: Option<Term>,
    pub pending_amendment: Option<WaiverDraft>,
    pub expiry_notice_sent: bool,
}

impl WaiverCase {
    pub fn new(id: String, district_id: String, created_by: String, draft: WaiverDraft) -> Self {
        Self {
            id,
            district_id,
            created_by,
            state: S::Draft,
            draft,
            version: 0,
            snapshot_hash: None,
            review_due: None,
            escalated: false,
            assigned_reviewer: None,
            recused: Vec::new(),
            recommendation: None,
            decisions: Vec::new(),
            term: None,
            pending_amendment: None,
            expiry_notice_sent: false,
        }
    }

    /// The title notices quote: the request's, or its id before it has one.
    pub fn title(&self) -> String {
        if self.draft.outline.title.trim().is_empty() {
            self.id.clone()
        } else {
            self.draft.outline.title.clone()
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "command", rename_all = "snake_case")]
pub enum WaiverCommand {
    EditDraft {
        draft: WaiverDraft,
    },
    Submit {
        rulings: Vec<ProvisionRuling>,
    },
    AcceptAsComplete,
    ReturnIncomplete {
        reasons: Vec<FreeText>,
    },
    AssignReviewer {
        reviewer_id: String,
    },
    DeclareConflict {
        has_conflict: bool,
        statement: FreeText,
    },
    RequestRevision {
        reasons: Vec<FreeText>,
    },
    Recommend {
        summary: FreeText,
        decisions: Vec<ProvisionDecision>,
    },
    Decide {
        decisions: Vec<ProvisionDecision>,
    },
    ProposeAmendment {
        draft: WaiverDraft,
        rulings: Vec<ProvisionRuling>,
    },
    /// On approval, a decision for every provision of the amended request.
    DecideAmendment {
        approve: bool,
        decisions: Vec<ProvisionDecision>,
        reasons: Vec<FreeText>,
    },
    RequestRenewal {
        reason: FreeText,
    },
    DecideRenewal {
        approve: bool,
        reasons: Vec<FreeText>,
    },
    Withdraw {
        reason: FreeText,
    },
    Revoke {
        reasons: Vec<FreeText>,
    },
    Escalate,
    SendExpiryNotice,
    Expire,
}

impl CommandInfo for WaiverCommand {
    fn name(&self) -> &'static str {
        match self {
            WaiverCommand::EditDraft { .. } => "edit_draft",
            WaiverCommand::Submit { .. } => "submit",
            WaiverCommand::AcceptAsComplete => "accept_as_complete",
            WaiverCommand::ReturnIncomplete { .. } => "return_incomplete",
            WaiverCommand::AssignReviewer { .. } => "assign_reviewer",
            WaiverCommand::DeclareConflict { .. } => "declare_conflict",
            WaiverCommand::RequestRevision { .. } => "request_revision",
            WaiverCommand::Recommend { .. } => "recommend",
            WaiverCommand::Decide { .. } => "decide",
            WaiverCommand::ProposeAmendment { .. } => "propose_amendment",
            WaiverCommand::DecideAmendment { .. } => "decide_amendment",
            WaiverCommand::RequestRenewal { .. } => "request_renewal",
            WaiverCommand::DecideRenewal { .. } => "decide_renewal",
            WaiverCommand::Withdraw { .. } => "withdraw",
            WaiverCommand::Revoke { .. } => "revoke",
            WaiverCommand::Escalate => "escalate",
            WaiverCommand::SendExpiryNotice => "send_expiry_notice",
            WaiverCommand::Expire => "expire",
        }
    }
}

const DISTRICT: &[Role] = &[Role::DistrictApplicant, Role::DistrictAuthorizedRep];
const REP: &[Role] = &[Role::DistrictAuthorizedRep];
const REVIEWER: &[Role] = &[Role::SeaReviewer];
const APPROVER: &[Role] = &[Role::SeaApprover];
const SYSTEM: &[Role] = &[Role::System];
const EDITABLE: &[S] = &[S::Draft, S::Returned, S::RevisionRequested];
const SEA_HOLDS: &[S] = &[
    S::Submitted,
    S::Accepted,
    S::ReviewerAssigned,
    S::InReview,
    S::Recommended,
];
const IN_TERM: &[S] = &[S::Active, S::AmendmentProposed, S::RenewalRequested];

/// The waiver machine's transition table.
pub static TRANSITIONS: &[TransitionRule<WaiverState>] = &[
    TransitionRule {
        command: "edit_draft",
        from: EDITABLE,
        to: EDITABLE,
        roles: DISTRICT,
        description: "edit the request",
    },
    TransitionRule {
        command: "submit",
        from: EDITABLE,
        to: &[S::Submitted],
        roles: REP,
        description: "certify and submit the request",
    },
    TransitionRule {
        command: "accept_as_complete",
        from: &[S::Submitted],
        to: &[S::Accepted],
        roles: REVIEWER,
        description: "accept the request as complete",
    },
    TransitionRule {
        command: "return_incomplete",
        from: &[S::Submitted],
        to: &[S::Returned],
        roles: REVIEWER,
        description: "return the request as incomplete",
    },
    TransitionRule {
        command: "assign_reviewer",
        from: &[S::Accepted],
        to: &[S::ReviewerAssigned],
        roles: APPROVER,
        description: "assign a reviewer",
    },
    TransitionRule {
        command: "declare_conflict",
        from: &[S::ReviewerAssigned],
        to: &[S::InReview, S::Accepted],
        roles: REVIEWER,
        description: "declare conflicts of interest",
    },
    TransitionRule {
        command: "request_revision",
        from: &[S::InReview],
        to: &[S::RevisionRequested],
        roles: REVIEWER,
        description: "ask the district for a revision",
    },
    TransitionRule {
        command: "recommend",
        from: &[S::InReview],
        to: &[S::Recommended],
        roles: REVIEWER,
        description: "recommend a decision",
    },
    TransitionRule {
        command: "decide",
        from: &[
            S::Recommended,
            S::Submitted,
            S::Accepted,
            S::ReviewerAssigned,
            S::InReview,
        ],
        to: &[S::Active, S::Denied],
        roles: APPROVER,
        description: "decide the request",
    },
    TransitionRule {
        command: "propose_amendment",
        from: &[S::Active],
        to: &[S::AmendmentProposed],
        roles: REP,
        description: "propose an amendment",
    },
    TransitionRule {
        command: "decide_amendment",
        from: &[S::AmendmentProposed],
        to: &[S::Active],
        roles: APPROVER,
        description: "decide the amendment",
    },
    TransitionRule {
        command: "request_renewal",
        from: &[S::Active],
        to: &[S::RenewalRequested],
        roles: REP,
        description: "request a renewal",
    },
    TransitionRule {
        command: "decide_renewal",
        from: &[S::RenewalRequested],
        to: &[S::Active],
        roles: APPROVER,
        description: "decide the renewal",
    },
    TransitionRule {
        command: "withdraw",
        from: &[
            S::Draft,
            S::Submitted,
            S::Returned,
            S::Accepted,
            S::ReviewerAssigned,
            S::InReview,
            S::RevisionRequested,
            S::Recommended,
        ],
        to: &[S::Withdrawn],
        roles: DISTRICT,
        description: "withdraw the request",
    },
    TransitionRule {
        command: "revoke",
        from: IN_TERM,
        to: &[S::Revoked],
        // The system, when an approver concludes a progress report's
        // re-review with revocation (sent from that case's step).
        roles: &[Role::SeaApprover, Role::System],
        description: "revoke the waiver",
    },
    TransitionRule {
        command: "escalate",
        from: SEA_HOLDS,
        to: SEA_HOLDS,
        roles: SYSTEM,
        description: "escalate an overdue review",
    },
    TransitionRule {
        command: "send_expiry_notice",
        from: IN_TERM,
        to: IN_TERM,
        roles: SYSTEM,
        description: "send the expiry notice",
    },
    TransitionRule {
        command: "expire",
        from: IN_TERM,
        to: &[S::Expired],
        roles: SYSTEM,
        description: "expire the waiver",
    },
];

fn trimmed(reasons: &[FreeText]) -> Vec<String> {
    reasons
        .iter()
        .map(|r| r.trimmed().to_string())
        .filter(|r| !r.is_empty())
        .collect()
}

fn check_rulings(draft: &WaiverDraft, rulings: &[ProvisionRuling]) -> Result<(), Refusal> {
    let mut problems = Vec::new();
    for citation in draft.outline.citations() {
        match rulings.iter().find(|r| r.citation == citation) {
            None => problems.push(format!(
                "{citation} was added while the request was being submitted; please submit it again"
            )),
            Some(r) if !r.waivable => problems.push(
                r.reason
                    .clone()
                    .unwrap_or_else(|| format!("{citation} cannot be waived")),
            ),
            Some(_) => {}
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(Refusal::validation(problems.join("; ")))
    }
}

fn check_decisions(draft: &WaiverDraft, decisions: &[ProvisionDecision]) -> Result<(), Refusal> {
    let mut problems = Vec::new();
    let citations = draft.outline.citations();
    for c in &citations {
        match decisions.iter().filter(|d| &d.citation == c).count() {
            0 => problems.push(format!("{c} has no decision; decide every provision")),
            1 => {}
            _ => problems.push(format!("{c} is decided more than once")),
        }
    }
    for d in decisions {
        if !citations.contains(&d.citation) {
            problems.push(format!("{} is not in this request", d.citation));
        }
        let blank = |s: &Option<FreeText>| s.as_ref().is_none_or(|s| s.is_blank());
        match d.outcome {
            Outcome::Deny if blank(&d.reason) => {
                problems.push(format!("give the reason for denying {}", d.citation))
            }
            Outcome::ApproveWithConditions if blank(&d.conditions) => {
                problems.push(format!("state the conditions for approving {}", d.citation))
            }
            _ => {}
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(Refusal::validation(problems.join("; ")))
    }
}

/// The denial reasons, as the audit entry records them.
fn decision_reasons(decisions: &[ProvisionDecision]) -> Vec<String> {
    decisions
        .iter()
        .filter_map(|d| {
            d.reason
                .as_ref()
                .map(|r| format!("{}: {}", d.citation, r.trimmed()))
        })
        .collect()
}

/// One line per provision for the decision email.
fn decision_lines(decisions: &[ProvisionDecision]) -> Vec<String> {
    decisions
        .iter()
        .map(|d| {
            let extra = d
                .conditions
                .as_ref()
                .or(d.reason.as_ref())
                .map(|s| format!(" ({})", s.trimmed()))
                .unwrap_or_default();
            format!(
                "- {}: {}{}",
                d.citation,
                d.outcome.as_str().replace('_', " "),
                extra
            )
        })
        .collect()
}

fn require_ready(draft: &WaiverDraft, rules: &WaiverRules) -> Result<(), Refusal> {
    let problems = draft.outline.check_ready_to_submit(rules);
    if problems.is_empty() {
        Ok(())
    } else {
        Err(Refusal::validation(format!(
            "The request cannot be submitted yet: {}",
            problems.join("; ")
        )))
    }
}

/// The innovation-waiver program on the case engine.
pub struct WaiverMachine;

impl CaseMachine for WaiverMachine {
    const PROGRAM: &'static str = "waiver";
    const NOUN: &'static str = "request";
    type State = WaiverState;
    type Case = WaiverCase;
    type Command = WaiverCommand;
    type Rules = WaiverRules;

    fn transitions() -> &'static [TransitionRule<WaiverState>] {
        TRANSITIONS
    }

    fn state(case: &WaiverCase) -> WaiverState {
        case.state
    }

    fn header(case: &WaiverCase) -> CaseHeader {
        CaseHeader {
            id: case.id.clone(),
            organisation_id: Some(case.district_id.clone()),
            title: case.draft.outline.title.clone(),
            assigned_reviewer: case.assigned_reviewer.clone(),
            document: Some(case.draft.document.clone()),
            version: case.version,
        }
    }

    fn opening(case: &WaiverCase, _rules: &WaiverRules) -> Decision<WaiverCase> {
        let title = case.title();
        let mut d = Decision::to(case.clone());
        d.notices.push(notice(
            &[Audience::District],
            format!("Draft opened: {title}"),
            format!(
                "A waiver request draft \"{title}\" was opened. It can be edited until the authorized representative submits it."
            ),
        ));
        d
    }

    fn decide(
        case: &WaiverCase,
        actor: &Actor,
        command: &WaiverCommand,
        now: DateTime<Utc>,
        rules: &WaiverRules,
    ) -> Result<Decision<WaiverCase>, Refusal> {
        decide(case, actor, command, now, rules)
    }

    fn clocks(case: &WaiverCase, rules: &WaiverRules) -> Vec<Clock<WaiverCommand>> {
        clocks(case, rules)
    }
}

fn decide(
    case: &WaiverCase,
    actor: &Actor,
    command: &WaiverCommand,
    now: DateTime<Utc>,
    profile: &WaiverRules,
) -> Result<Decision<WaiverCase>, Refusal> {
    let title = case.title();
    let mut next = case.clone();
    let mut reasons = Vec::new();
    let mut snapshot = None;
    let mut notices = Vec::new();
    let reviewer_only = |next: &WaiverCase| -> Result<(), Refusal> {
        if next.assigned_reviewer.as_deref() != Some(actor.user_id.as_str()) {
            Err(Refusal::forbidden(
                "Only the reviewer assigned to this request can do that.",
            ))
        } else {
            Ok(())
        }
    };
    match command {
        WaiverCommand::EditDraft { draft } => {
            next.draft = draft.clone();
        }
        WaiverCommand::Submit { rulings } => {
            require_ready(&case.draft, profile)?;
            check_rulings(&case.draft, rulings)?;
            next.version += 1;
            next.snapshot_hash = Some(case.draft.document.hash.clone());
            snapshot = Some(Snapshot {
                version: next.version,
                document: case.draft.document.clone(),
            });
            next.state = S::Submitted;
            next.review_due = Some(now + profile.clocks.review_decision.chrono());
            next.escalated = false;
            let due = next
                .review_due
                .map(|d| d.format("%Y-%m-%d").to_string())
                .unwrap_or_default();
            notices.push(notice(
                &[Audience::District],
                format!("Submitted: {title} (version {})", next.version),
                format!("Your waiver request \"{title}\" was certified and submitted as version {}. Under {} the state decides by {due}.", next.version, profile.statute),
            ));
            notices.push(notice(
                &[Audience::Reviewers],
                format!("New waiver request to check: {title}"),
                format!("Version {} of \"{title}\" from {} awaits the completeness check. Decision due {due}.", next.version, case.district_id),
            ));
        }
        WaiverCommand::AcceptAsComplete => {
            next.state = S::Accepted;
            notices.push(notice(
                &[Audience::District],
                format!("Accepted as complete: {title}"),
                format!("\"{title}\" is complete and will be assigned a reviewer."),
            ));
            notices.push(notice(
                &[Audience::Approvers, Audience::Reviewers],
                format!("Needs a reviewer: {title}"),
                format!("\"{title}\" passed the completeness check and needs a reviewer."),
            ));
        }
        WaiverCommand::ReturnIncomplete { reasons: r } => {
            reasons = required_reasons(r, "for returning the request")?;
            next.state = S::Returned;
            next.review_due = None;
            notices.push(notice(&[Audience::District], format!("Returned as incomplete: {title}"), format!("\"{title}\" was returned as incomplete:\n- {}\nEdit the request and submit it again.", reasons.join("\n- "))));
        }
        WaiverCommand::AssignReviewer { reviewer_id } => {
            let reviewer_id = reviewer_id.trim();
            if reviewer_id.is_empty() {
                return Err(Refusal::validation("name the reviewer to assign"));
            }
            if case.recused.iter().any(|r| r == reviewer_id) {
                return Err(Refusal::validation(format!(
                    "{reviewer_id} declared a conflict of interest on this request and cannot review it"
                )));
            }
            next.assigned_reviewer = Some(reviewer_id.to_string());
            next.state = S::ReviewerAssigned;
            notices.push(notice(&[Audience::AssignedReviewer], format!("Assigned to you: {title}"), format!("You are assigned to review \"{title}\". Declare any conflict of interest before you begin.")));
        }
        WaiverCommand::DeclareConflict {
            has_conflict,
            statement,
        } => {
            reviewer_only(&next)?;
            if *has_conflict {
                if statement.is_blank() {
                    return Err(Refusal::validation("describe the conflict of interest"));
                }
                next.recused.push(actor.user_id.clone());
                next.assigned_reviewer = None;
                next.state = S::Accepted;
                reasons = vec![statement.trimmed().to_string()];
                notices.push(notice(&[Audience::Approvers, Audience::Reviewers], format!("Reviewer recused: {title}"), format!("The assigned reviewer declared a conflict of interest on \"{title}\" and was recused. Assign another reviewer.")));
            } else {
                next.state = S::InReview;
                if !statement.is_blank() {
                    reasons = vec![statement.trimmed().to_string()];
                }
            }
        }
        WaiverCommand::RequestRevision { reasons: r } => {
            reviewer_only(&next)?;
            reasons = required_reasons(r, "for the revision")?;
            next.state = S::RevisionRequested;
            next.review_due = None;
            notices.push(notice(&[Audience::District], format!("Revision requested: {title}"), format!("The reviewer asks for a revision of \"{title}\":\n- {}\nEdit the request and submit it again.", reasons.join("\n- "))));
        }
        WaiverCommand::Recommend { summary, decisions } => {
            reviewer_only(&next)?;
            check_decisions(&case.draft, decisions)?;
            if summary.is_blank() {
                return Err(Refusal::validation("summarise the recommendation"));
            }
            next.recommendation = Some(Recommendation {
                reviewer_id: actor.user_id.clone(),
                summary: summary.trimmed().to_string(),
                decisions: decisions.clone(),
            });
            next.state = S::Recommended;
            reasons = vec![summary.trimmed().to_string()];
            notices.push(notice(
                &[Audience::Approvers],
                format!("Ready for decision: {title}"),
                format!(
                    "The reviewer recommends on \"{title}\": {}",
                    summary.trimmed()
                ),
            ));
        }
        WaiverCommand::Decide { decisions } => {
            if case.state != S::Recommended && !case.escalated {
                return Err(Refusal::invalid_transition(
                    "The approver decides after the reviewer's recommendation, or once the review clock has run out and the request has been escalated.",
                ));
            }
            check_decisions(&case.draft, decisions)?;
            next.decisions = decisions.clone();
            next.review_due = None;
            reasons = decision_reasons(decisions);
            let approved = decisions
                .iter()
                .filter(|d| d.outcome != Outcome::Deny)
                .count();
            let lines = decision_lines(decisions);
            if approved > 0 {
                let end = profile.term.end_from(now);
                next.term = Some(Term { start: now, end });
                next.state = S::Active;
                next.expiry_notice_sent = false;
                notices.push(notice(&[Audience::District, Audience::AssignedReviewer], format!("Decision: {title} approved ({approved} of {} provisions)", decisions.len()), format!("The state decided on \"{title}\":\n{}\nThe waiver is active until {} ({}).", lines.join("\n"), end.format("%Y-%m-%d"), profile.term.describe())));
            } else {
                next.state = S::Denied;
                notices.push(notice(&[Audience::District, Audience::AssignedReviewer], format!("Decision: {title} denied"), format!("The state denied \"{title}\":\n{}\nThe district may submit a new request at any time.", lines.join("\n"))));
            }
        }
        WaiverCommand::ProposeAmendment { draft, rulings } => {
            require_ready(draft, profile)?;
            check_rulings(draft, rulings)?;
            // An amendment is a submission too: reviewers see it frozen.
            next.version += 1;
            next.snapshot_hash = Some(draft.document.hash.clone());
            snapshot = Some(Snapshot {
                version: next.version,
                document: draft.document.clone(),
            });
            next.pending_amendment = Some(draft.clone());
            next.state = S::AmendmentProposed;
            notices.push(notice(
                &[Audience::Approvers],
                format!("Amendment proposed: {title}"),
                format!(
                    "{} proposes an amendment (version {}) to the active waiver \"{title}\".",
                    case.district_id, next.version
                ),
            ));
        }
        WaiverCommand::DecideAmendment {
            approve,
            decisions,
            reasons: r,
        } => {
            next.state = S::Active;
            let amended = next
                .pending_amendment
                .take()
                .unwrap_or_else(|| case.draft.clone());
            if *approve {
                // Every provision of the amended request is decided again,
                // so one denied before is not silently carried along.
                check_decisions(&amended, decisions)?;
                if decisions.iter().all(|d| d.outcome == Outcome::Deny) {
                    return Err(Refusal::validation(
                        "an approved amendment approves at least one provision; to refuse it, deny the amendment instead",
                    ));
                }
                next.decisions = decisions.clone();
                next.draft = amended;
                reasons = decision_reasons(decisions);
                let end = case
                    .term
                    .as_ref()
                    .map(|t| t.end.format("%Y-%m-%d").to_string())
                    .unwrap_or_default();
                notices.push(notice(
                    &[Audience::District],
                    format!("Amendment approved: {title}"),
                    format!(
                        "The amendment to \"{title}\" is approved:\n{}\nThe term still ends {end}.",
                        decision_lines(decisions).join("\n")
                    ),
                ));
            } else {
                reasons = required_reasons(r, "for denying the amendment")?;
                notices.push(notice(&[Audience::District], format!("Amendment denied: {title}"), format!("The amendment to \"{title}\" is denied:\n- {}\nThe waiver continues as approved.", reasons.join("\n- "))));
            }
        }
        WaiverCommand::RequestRenewal { reason } => {
            if reason.is_blank() {
                return Err(Refusal::validation(
                    "explain why the waiver should be renewed",
                ));
            }
            reasons = vec![reason.trimmed().to_string()];
            next.state = S::RenewalRequested;
            notices.push(notice(
                &[Audience::Approvers],
                format!("Renewal requested: {title}"),
                format!(
                    "{} asks to renew \"{title}\": {}",
                    case.district_id,
                    reason.trimmed()
                ),
            ));
        }
        WaiverCommand::DecideRenewal {
            approve,
            reasons: r,
        } => {
            next.state = S::Active;
            if *approve {
                let start = case.term.as_ref().map(|t| t.end).unwrap_or(now);
                let end = profile.term.end_from(start);
                next.term = Some(Term { start, end });
                next.expiry_notice_sent = false;
                reasons = trimmed(r);
                notices.push(notice(
                    &[Audience::District],
                    format!("Renewed: {title}"),
                    format!("\"{title}\" is renewed until {}.", end.format("%Y-%m-%d")),
                ));
            } else {
                reasons = required_reasons(r, "for denying the renewal")?;
                notices.push(notice(
                    &[Audience::District],
                    format!("Renewal denied: {title}"),
                    format!(
                        "The renewal of \"{title}\" is denied:\n- {}",
                        reasons.join("\n- ")
                    ),
                ));
            }
        }
        WaiverCommand::Withdraw { reason } => {
            if reason.is_blank() {
                return Err(Refusal::validation("say why the request is withdrawn"));
            }
            reasons = vec![reason.trimmed().to_string()];
            next.state = S::Withdrawn;
            next.review_due = None;
            notices.push(notice(
                &[Audience::District, Audience::AssignedReviewer],
                format!("Withdrawn: {title}"),
                format!(
                    "\"{title}\" was withdrawn by the district: {}",
                    reason.trimmed()
                ),
            ));
        }
        WaiverCommand::Revoke { reasons: r } => {
            reasons = required_reasons(r, "for revoking the waiver")?;
            next.state = S::Revoked;
            next.pending_amendment = None;
            notices.push(notice(
                &[Audience::District],
                format!("Revoked: {title}"),
                format!(
                    "The waiver \"{title}\" is revoked:\n- {}",
                    reasons.join("\n- ")
                ),
            ));
        }
        WaiverCommand::Escalate => {
            if case.escalated || case.review_due.is_none_or(|due| now < due) {
                return Err(Refusal::invalid_transition(
                    "The review clock has not run out.",
                ));
            }
            next.escalated = true;
            next.review_due = None;
            reasons = vec![format!(
                "the {} decision clock under {} ran out",
                profile.clocks.review_decision.adjective(),
                profile.statute
            )];
            notices.push(notice(&[Audience::Approvers, Audience::AssignedReviewer], format!("Overdue: {title} escalated to you"), format!("The decision clock for \"{title}\" ran out while it was {}. It is escalated to the approvers, who may now decide it. Nothing has been approved.", case.state.label())));
        }
        WaiverCommand::SendExpiryNotice => {
            let Some(term) = &case.term else {
                return Err(Refusal::invalid_transition(
                    "There is no term to give notice of.",
                ));
            };
            if case.expiry_notice_sent || now < term.end - profile.clocks.expiry_notice.chrono() {
                return Err(Refusal::invalid_transition(
                    "It is not yet time for the expiry notice.",
                ));
            }
            next.expiry_notice_sent = true;
            notices.push(notice(&[Audience::District], format!("Expires {}: {title}", term.end.format("%Y-%m-%d")), format!("The waiver \"{title}\" expires on {}. Request a renewal before then to keep it.", term.end.format("%Y-%m-%d"))));
        }
        WaiverCommand::Expire => {
            let Some(term) = &case.term else {
                return Err(Refusal::invalid_transition("There is no term to end."));
            };
            if now < term.end {
                return Err(Refusal::invalid_transition("The term has not ended."));
            }
            next.state = S::Expired;
            next.pending_amendment = None;
            notices.push(notice(
                &[Audience::District, Audience::Approvers],
                format!("Expired: {title}"),
                format!(
                    "The waiver \"{title}\" expired on {}.",
                    term.end.format("%Y-%m-%d")
                ),
            ));
        }
    }
    Ok(Decision {
        case: next,
        reasons,
        snapshot,
        notices,
        effects: Vec::new(),
    })
}

/// The clocks now running, soonest first.
fn clocks(case: &WaiverCase, profile: &WaiverRules) -> Vec<Clock<WaiverCommand>> {
    let mut out = Vec::new();
    if case.state.awaits_sea()
        && let Some(due) = case.review_due
    {
        out.push(Clock {
            kind: "review_decision",
            due_at: due,
            description: format!(
                "state decision due under {}; escalates to the approvers if missed",
                profile.statute
            ),
            command: WaiverCommand::Escalate,
        });
    }
    if case.state.in_term()
        && let Some(term) = &case.term
    {
        if !case.expiry_notice_sent {
            out.push(Clock {
                kind: "expiry_notice",
                due_at: term.end - profile.clocks.expiry_notice.chrono(),
                description: "the district is told the waiver will expire".into(),
                command: WaiverCommand::SendExpiryNotice,
            });
        }
        out.push(Clock {
            kind: "term_end",
            due_at: term.end,
            description: format!("the waiver expires ({})", profile.term.describe()),
            command: WaiverCommand::Expire,
        });
    }
    out.sort_by_key(|c| c.due_at);
    out
}

#[cfg(test)]
#[path = "machine_tests.rs"]
mod tests;
