//! The innovation-waiver state machine: from draft through review and a
//! per-provision decision to an active term, and on to expiry, amendment,
//! renewal, withdrawal or revocation.
use super::waiver_content::WaiverContent;
use super::{Audience, Notice, Refusal, TransitionRule};
use crate::domain::actor::{Actor, Role};
use crate::domain::provision::ProvisionRuling;
use crate::domain::state_profile::StateProfile;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

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

impl WaiverState {
    pub const ALL: [WaiverState; 15] = [
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

    pub fn as_str(self) -> &'static str {
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

    pub fn parse(s: &str) -> Option<WaiverState> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }

    /// How a clerk would say it: "while the request is ...".
    pub fn label(self) -> &'static str {
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

    pub fn is_terminal(self) -> bool {
        matches!(self, S::Denied | S::Expired | S::Withdrawn | S::Revoked)
    }

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
    pub conditions: Option<String>,
    pub reason: Option<String>,
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
    pub content: WaiverContent,
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
    pub pending_amendment: Option<WaiverContent>,
    pub expiry_notice_sent: bool,
}

impl WaiverCase {
    pub fn new(
        id: String,
        district_id: String,
        created_by: String,
        content: WaiverContent,
    ) -> Self {
        Self {
            id,
            district_id,
            created_by,
            state: S::Draft,
            content,
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
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "command", rename_all = "snake_case")]
pub enum WaiverCommand {
    EditDraft {
        content: WaiverContent,
    },
    Submit {
        rulings: Vec<ProvisionRuling>,
    },
    AcceptAsComplete,
    ReturnIncomplete {
        reasons: Vec<String>,
    },
    AssignReviewer {
        reviewer_id: String,
    },
    DeclareConflict {
        has_conflict: bool,
        statement: String,
    },
    RequestRevision {
        reasons: Vec<String>,
    },
    Recommend {
        summary: String,
        decisions: Vec<ProvisionDecision>,
    },
    Decide {
        decisions: Vec<ProvisionDecision>,
    },
    ProposeAmendment {
        content: WaiverContent,
        rulings: Vec<ProvisionRuling>,
    },
    /// On approval, a decision for every provision of the amended request.
    DecideAmendment {
        approve: bool,
        decisions: Vec<ProvisionDecision>,
        reasons: Vec<String>,
    },
    RequestRenewal {
        reason: String,
    },
    DecideRenewal {
        approve: bool,
        reasons: Vec<String>,
    },
    Withdraw {
        reason: String,
    },
    Revoke {
        reasons: Vec<String>,
    },
    Escalate,
    SendExpiryNotice,
    Expire,
}

impl WaiverCommand {
    pub fn name(&self) -> &'static str {
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
        roles: APPROVER,
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

pub fn rule_for(command: &str) -> Option<&'static TransitionRule<WaiverState>> {
    TRANSITIONS.iter().find(|r| r.command == command)
}

/// A snapshot frozen by a submission.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FrozenSnapshot {
    pub version: u32,
    pub content: WaiverContent,
    pub hash: String,
}

/// The result of an accepted command.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Step {
    pub case: WaiverCase,
    pub command: String,
    pub from: WaiverState,
    pub to: WaiverState,
    pub reasons: Vec<String>,
    pub snapshot: Option<FrozenSnapshot>,
    pub notices: Vec<Notice>,
}

pub fn content_hash(content: &WaiverContent) -> String {
    let bytes = serde_json::to_vec(content).unwrap_or_default();
    hex::encode(Sha256::digest(&bytes))
}

fn non_empty(reasons: &[String]) -> Vec<String> {
    reasons
        .iter()
        .map(|r| r.trim().to_string())
        .filter(|r| !r.is_empty())
        .collect()
}

fn check_rulings(content: &WaiverContent, rulings: &[ProvisionRuling]) -> Result<(), Refusal> {
    let mut problems = Vec::new();
    for citation in content.citations() {
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

fn check_decisions(
    content: &WaiverContent,
    decisions: &[ProvisionDecision],
) -> Result<(), Refusal> {
    let mut problems = Vec::new();
    let citations = content.citations();
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
        let blank = |s: &Option<String>| s.as_deref().is_none_or(|s| s.trim().is_empty());
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
                .map(|r| format!("{}: {}", d.citation, r.trim()))
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
                .map(|s| format!(" ({})", s.trim()))
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

fn require_reasons(reasons: &[String], what: &str) -> Result<Vec<String>, Refusal> {
    let reasons = non_empty(reasons);
    if reasons.is_empty() {
        Err(Refusal::validation(format!(
            "give at least one reason {what}"
        )))
    } else {
        Ok(reasons)
    }
}

fn require_ready(content: &WaiverContent, profile: &StateProfile) -> Result<(), Refusal> {
    let problems = content.check_ready_to_submit(profile);
    if problems.is_empty() {
        Ok(())
    } else {
        Err(Refusal::validation(format!(
            "The request cannot be submitted yet: {}",
            problems.join("; ")
        )))
    }
}

fn notice(audience: &[Audience], subject: String, body: String) -> Notice {
    Notice {
        audience: audience.to_vec(),
        subject,
        body,
    }
}

/// Runs one command against a case. Pure: `now` is the workflow's time.
pub fn step(
    case: &WaiverCase,
    actor: &Actor,
    command: &WaiverCommand,
    now: DateTime<Utc>,
    profile: &StateProfile,
) -> Result<Step, Refusal> {
    let name = command.name();
    let rule = rule_for(name)
        .ok_or_else(|| Refusal::invalid_transition(format!("unknown command {name}")))?;
    if !rule.roles.contains(&actor.role) {
        let who: Vec<String> = rule.roles.iter().map(|r| r.with_article()).collect();
        let mut actor_role = actor.role.with_article();
        actor_role[..1].make_ascii_uppercase();
        return Err(Refusal::forbidden(format!(
            "{actor_role} cannot {}; only {} can.",
            rule.description,
            who.join(" or ")
        )));
    }
    if actor.role.is_district() && actor.organisation_id != case.district_id {
        return Err(Refusal::forbidden(
            "This request belongs to another district; you can act only on your own district's requests.",
        ));
    }
    if !rule.from.contains(&case.state) {
        let allowed: Vec<&str> = rule.from.iter().map(|s| s.label()).collect();
        return Err(Refusal::invalid_transition(format!(
            "You cannot {} while the request is {}. This is possible only when it is {}.",
            rule.description,
            case.state.label(),
            allowed.join("; or ")
        )));
    }
    let title = if case.content.title.trim().is_empty() {
        case.id.clone()
    } else {
        case.content.title.clone()
    };
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
        WaiverCommand::EditDraft { content } => {
            let problems = content.check_shape();
            if !problems.is_empty() {
                return Err(Refusal::validation(problems.join("; ")));
            }
            next.content = content.clone();
        }
        WaiverCommand::Submit { rulings } => {
            require_ready(&case.content, profile)?;
            check_rulings(&case.content, rulings)?;
            next.version += 1;
            let hash = content_hash(&case.content);
            next.snapshot_hash = Some(hash.clone());
            snapshot = Some(FrozenSnapshot {
                version: next.version,
                content: case.content.clone(),
                hash,
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
            reasons = require_reasons(r, "for returning the request")?;
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
                if statement.trim().is_empty() {
                    return Err(Refusal::validation("describe the conflict of interest"));
                }
                next.recused.push(actor.user_id.clone());
                next.assigned_reviewer = None;
                next.state = S::Accepted;
                reasons = vec![statement.trim().to_string()];
                notices.push(notice(&[Audience::Approvers, Audience::Reviewers], format!("Reviewer recused: {title}"), format!("The assigned reviewer declared a conflict of interest on \"{title}\" and was recused. Assign another reviewer.")));
            } else {
                next.state = S::InReview;
                if !statement.trim().is_empty() {
                    reasons = vec![statement.trim().to_string()];
                }
            }
        }
        WaiverCommand::RequestRevision { reasons: r } => {
            reviewer_only(&next)?;
            reasons = require_reasons(r, "for the revision")?;
            next.state = S::RevisionRequested;
            next.review_due = None;
            notices.push(notice(&[Audience::District], format!("Revision requested: {title}"), format!("The reviewer asks for a revision of \"{title}\":\n- {}\nEdit the request and submit it again.", reasons.join("\n- "))));
        }
        WaiverCommand::Recommend { summary, decisions } => {
            reviewer_only(&next)?;
            check_decisions(&case.content, decisions)?;
            if summary.trim().is_empty() {
                return Err(Refusal::validation("summarise the recommendation"));
            }
            next.recommendation = Some(Recommendation {
                reviewer_id: actor.user_id.clone(),
                summary: summary.trim().to_string(),
                decisions: decisions.clone(),
            });
            next.state = S::Recommended;
            reasons = vec![summary.trim().to_string()];
            notices.push(notice(
                &[Audience::Approvers],
                format!("Ready for decision: {title}"),
                format!("The reviewer recommends on \"{title}\": {}", summary.trim()),
            ));
        }
        WaiverCommand::Decide { decisions } => {
            if case.state != S::Recommended && !case.escalated {
                return Err(Refusal::invalid_transition(
                    "The approver decides after the reviewer's recommendation, or once the review clock has run out and the request has been escalated.",
                ));
            }
            check_decisions(&case.content, decisions)?;
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
        WaiverCommand::ProposeAmendment { content, rulings } => {
            require_ready(content, profile)?;
            check_rulings(content, rulings)?;
            // An amendment is a submission too: reviewers see it frozen.
            next.version += 1;
            let hash = content_hash(content);
            next.snapshot_hash = Some(hash.clone());
            snapshot = Some(FrozenSnapshot {
                version: next.version,
                content: content.clone(),
                hash,
            });
            next.pending_amendment = Some(content.clone());
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
                .unwrap_or_else(|| case.content.clone());
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
                next.content = amended;
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
                reasons = require_reasons(r, "for denying the amendment")?;
                notices.push(notice(&[Audience::District], format!("Amendment denied: {title}"), format!("The amendment to \"{title}\" is denied:\n- {}\nThe waiver continues as approved.", reasons.join("\n- "))));
            }
        }
        WaiverCommand::RequestRenewal { reason } => {
            if reason.trim().is_empty() {
                return Err(Refusal::validation(
                    "explain why the waiver should be renewed",
                ));
            }
            reasons = vec![reason.trim().to_string()];
            next.state = S::RenewalRequested;
            notices.push(notice(
                &[Audience::Approvers],
                format!("Renewal requested: {title}"),
                format!(
                    "{} asks to renew \"{title}\": {}",
                    case.district_id,
                    reason.trim()
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
                reasons = non_empty(r);
                notices.push(notice(
                    &[Audience::District],
                    format!("Renewed: {title}"),
                    format!("\"{title}\" is renewed until {}.", end.format("%Y-%m-%d")),
                ));
            } else {
                reasons = require_reasons(r, "for denying the renewal")?;
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
            if reason.trim().is_empty() {
                return Err(Refusal::validation("say why the request is withdrawn"));
            }
            reasons = vec![reason.trim().to_string()];
            next.state = S::Withdrawn;
            next.review_due = None;
            notices.push(notice(
                &[Audience::District, Audience::AssignedReviewer],
                format!("Withdrawn: {title}"),
                format!(
                    "\"{title}\" was withdrawn by the district: {}",
                    reason.trim()
                ),
            ));
        }
        WaiverCommand::Revoke { reasons: r } => {
            reasons = require_reasons(r, "for revoking the waiver")?;
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
    Ok(Step {
        from: case.state,
        to: next.state,
        case: next,
        command: name.to_string(),
        reasons,
        snapshot,
        notices,
    })
}

/// A statutory clock the case is running.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deadline {
    pub kind: String,
    pub due_at: DateTime<Utc>,
    pub description: String,
}

/// The clocks now running, soonest first; the first one is what the
/// workflow's timer waits for.
pub fn open_deadlines(case: &WaiverCase, profile: &StateProfile) -> Vec<(Deadline, WaiverCommand)> {
    let mut out = Vec::new();
    if case.state.awaits_sea()
        && let Some(due) = case.review_due
    {
        out.push((
            Deadline {
                kind: "review_decision".into(),
                due_at: due,
                description: format!(
                    "state decision due under {}; escalates to the approvers if missed",
                    profile.statute
                ),
            },
            WaiverCommand::Escalate,
        ));
    }
    if case.state.in_term()
        && let Some(term) = &case.term
    {
        if !case.expiry_notice_sent {
            out.push((
                Deadline {
                    kind: "expiry_notice".into(),
                    due_at: term.end - profile.clocks.expiry_notice.chrono(),
                    description: "the district is told the waiver will expire".into(),
                },
                WaiverCommand::SendExpiryNotice,
            ));
        }
        out.push((
            Deadline {
                kind: "term_end".into(),
                due_at: term.end,
                description: format!("the waiver expires ({})", profile.term.describe()),
            },
            WaiverCommand::Expire,
        ));
    }
    out.sort_by_key(|(d, _)| d.due_at);
    out
}

#[cfg(test)]
#[path = "waiver_tests.rs"]
mod tests;
