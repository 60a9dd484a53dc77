//! One district's grant, from application to closeout: the draft and its
//! certified submission (eligibility and award limits checked), the
//! completeness check, a review panel whose members declare conflicts
//! before they see it and score it on the rubric, the approver's decision,
//! the district's acceptance, then claims, budget amendments and reports
//! until the period ends, and closeout. Every change to the appropriation
//! is an effect on its ledger, applied in the step's own transaction.
use super::award::{
    Amendment, AmendmentStatus, Award, Claim, ClaimStatus, ReportDue, ReportKind, claimed_in,
    next_report, overdue_report, paid, pending, remaining, scale_budget,
};
use super::money::Cents;
use super::proposal::{BudgetCategory, ProposalDraft};
use super::review::{
    Aggregate, CriterionScore, PanelSeat, RecordedTie, SeatStatus, active_seats, aggregate,
    check_scores, points,
};
use super::terms::{Eligibility, GrantTerms};
use crate::domain::actor::{Actor, Role};
use crate::engine::document::Snapshot;
use crate::engine::effect::{Bucket, Effect};
use crate::engine::notice::{Audience, notice};
use crate::engine::refusal::Refusal;
use crate::engine::text::{FreeText, required_reasons, required_text};
use crate::engine::transition::{CommandInfo, StateInfo, TransitionRule};
use crate::engine::{CaseHeader, CaseMachine, Clock, Decision};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GrantState {
    Draft,
    Submitted,
    Returned,
    InReview,
    Scored,
    Offered,
    Active,
    Closeout,
    ClosedOut,
    Declined,
    AwardDeclined,
    OfferExpired,
    Withdrawn,
}

use GrantState as S;

impl StateInfo for GrantState {
    const ALL: &'static [GrantState] = &[
        S::Draft,
        S::Submitted,
        S::Returned,
        S::InReview,
        S::Scored,
        S::Offered,
        S::Active,
        S::Closeout,
        S::ClosedOut,
        S::Declined,
        S::AwardDeclined,
        S::OfferExpired,
        S::Withdrawn,
    ];

    fn name(self) -> &'static str {
        match self {
            S::Draft => "draft",
            S::Submitted => "submitted",
            S::Returned => "returned",
            S::InReview => "in_review",
            S::Scored => "scored",
            S::Offered => "offered",
            S::Active => "active",
            S::Closeout => "closeout",
            S::ClosedOut => "closed_out",
            S::Declined => "declined",
            S::AwardDeclined => "award_declined",
            S::OfferExpired => "offer_expired",
            S::Withdrawn => "withdrawn",
        }
    }

    /// "while the grant is ...".
    fn label(self) -> &'static str {
        match self {
            S::Draft => "a draft application",
            S::Submitted => "submitted and awaiting the completeness check",
            S::Returned => "returned to the district as incomplete",
            S::InReview => "with its review panel",
            S::Scored => "scored and awaiting the approver's decision",
            S::Offered => "awarded and awaiting the district's acceptance",
            S::Active => "an active grant",
            S::Closeout => "in closeout, its period ended",
            S::ClosedOut => "closed out",
            S::Declined => "a declined application",
            S::AwardDeclined => "an award the district declined",
            S::OfferExpired => "an award not accepted in time",
            S::Withdrawn => "a withdrawn application",
        }
    }

    fn is_terminal(self) -> bool {
        matches!(
            self,
            S::ClosedOut | S::Declined | S::AwardDeclined | S::OfferExpired | S::Withdrawn
        )
    }

    /// The panel's work is the SEA's: applicants never see who was on it,
    /// what they declared, or who scored what.
    fn withheld_from_applicant(self) -> &'static [&'static str] {
        &["assign_reviewer", "declare_conflicts", "score", "reconcile"]
    }
}

impl GrantCase {
    /// Closed out with its final report accepted: what a later phase
    /// requires of an earlier grant.
    pub fn succeeded(&self) -> bool {
        self.state == S::ClosedOut
            && self
                .reports
                .iter()
                .any(|r| r.kind == ReportKind::Final && r.accepted)
    }
}

/// What Leeway knows of the applicant when it submits, looked up by the
/// API from the state's own data, never typed by the district.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApplicantFacts {
    /// Share of students in poverty, in tenths of a percent (652 = 65.2%),
    /// from the latest enrollment on record.
    pub poverty_permille: Option<u32>,
    pub equity_flags: Vec<String>,
    /// Codes of the networks it is an active member of.
    pub networks: Vec<String>,
    /// It holds an approved waiver in force.
    pub active_waiver: bool,
    /// Its grants in the program of the phase before.
    pub earlier_phase: Vec<EarlierGrant>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EarlierGrant {
    pub case_id: String,
    pub state: GrantState,
    /// Closed out with its final report accepted.
    pub succeeded: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GrantCase {
    pub id: String,
    /// The program's code.
    pub program: String,
    pub program_name: String,
    pub organisation_id: String,
    pub created_by: String,
    pub state: GrantState,
    pub proposal: ProposalDraft,
    pub version: u32,
    #[serde(default)]
    pub submitted_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub facts: Option<ApplicantFacts>,
    #[serde(default)]
    pub panel: Vec<PanelSeat>,
    #[serde(default)]
    pub aggregate: Option<Aggregate>,
    #[serde(default)]
    pub award: Option<Award>,
    #[serde(default)]
    pub claims: Vec<Claim>,
    #[serde(default)]
    pub amendments: Vec<Amendment>,
    #[serde(default)]
    pub reports: Vec<ReportDue>,
    #[serde(default)]
    pub closeout_due: Option<DateTime<Utc>>,
    /// What went back to the appropriation when the grant ended.
    #[serde(default)]
    pub returned: Option<Cents>,
}

impl GrantCase {
    pub fn new(
        id: String,
        terms: &GrantTerms,
        organisation_id: String,
        created_by: String,
        proposal: ProposalDraft,
    ) -> Self {
        Self {
            id,
            program: terms.program.code.clone(),
            program_name: terms.program.name.clone(),
            organisation_id,
            created_by,
            state: S::Draft,
            proposal,
            version: 0,
            submitted_at: None,
            facts: None,
            panel: Vec::new(),
            aggregate: None,
            award: None,
            claims: Vec::new(),
            amendments: Vec::new(),
            reports: Vec::new(),
            closeout_due: None,
            returned: None,
        }
    }

    pub fn seat(&self, reviewer: &str) -> Option<&PanelSeat> {
        self.panel.iter().find(|s| s.reviewer_id == reviewer)
    }

    /// A reviewer who may read the application: on the panel and cleared.
    pub fn cleared(&self, reviewer: &str) -> bool {
        self.seat(reviewer)
            .is_some_and(|s| s.status == SeatStatus::Cleared)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "command", rename_all = "snake_case")]
pub enum GrantCommand {
    EditProposal {
        proposal: ProposalDraft,
    },
    Submit {
        facts: ApplicantFacts,
    },
    AcceptAsComplete,
    ReturnIncomplete {
        reasons: Vec<FreeText>,
    },
    AssignReviewer {
        reviewer_id: String,
    },
    /// `conflict`: what the reviewer declares, if anything; `ties`: what
    /// Leeway holds on record between them and the applicant.
    DeclareConflicts {
        conflict: Option<FreeText>,
        ties: Vec<RecordedTie>,
    },
    Score {
        scores: Vec<CriterionScore>,
    },
    Reconcile {
        note: FreeText,
    },
    /// `amount: None` awards what was requested.
    Award {
        amount: Option<Cents>,
        reasons: Vec<FreeText>,
    },
    Decline {
        reasons: Vec<FreeText>,
    },
    AcceptAward,
    DeclineAward {
        reason: FreeText,
    },
    ExpireOffer,
    SubmitClaim {
        category: BudgetCategory,
        amount: Cents,
        incurred_on: NaiveDate,
        documentation: Vec<FreeText>,
    },
    ApproveClaim {
        claim: u32,
        payment_reference: FreeText,
    },
    DenyClaim {
        claim: u32,
        reasons: Vec<FreeText>,
    },
    RequestAmendment {
        from: BudgetCategory,
        to: BudgetCategory,
        amount: Cents,
        reason: FreeText,
    },
    ApproveAmendment {
        amendment: u32,
    },
    DenyAmendment {
        amendment: u32,
        reasons: Vec<FreeText>,
    },
    SubmitReport {
        narrative: FreeText,
    },
    AcceptFinalReport,
    RemindReport,
    MarkReportOverdue,
    EscalateReport,
    EndPeriod,
    CloseOut,
    Withdraw {
        reason: FreeText,
    },
}

impl CommandInfo for GrantCommand {
    fn name(&self) -> &'static str {
        use GrantCommand as C;
        match self {
            C::EditProposal { .. } => "edit_proposal",
            C::Submit { .. } => "submit",
            C::AcceptAsComplete => "accept_as_complete",
            C::ReturnIncomplete { .. } => "return_incomplete",
            C::AssignReviewer { .. } => "assign_reviewer",
            C::DeclareConflicts { .. } => "declare_conflicts",
            C::Score { .. } => "score",
            C::Reconcile { .. } => "reconcile",
            C::Award { .. } => "award",
            C::Decline { .. } => "decline",
            C::AcceptAward => "accept_award",
            C::DeclineAward { .. } => "decline_award",
            C::ExpireOffer => "expire_offer",
            C::SubmitClaim { .. } => "submit_claim",
            C::ApproveClaim { .. } => "approve_claim",
            C::DenyClaim { .. } => "deny_claim",
            C::RequestAmendment { .. } => "request_amendment",
            C::ApproveAmendment { .. } => "approve_amendment",
            C::DenyAmendment { .. } => "deny_amendment",
            C::SubmitReport { .. } => "submit_report",
            C::AcceptFinalReport => "accept_final_report",
            C::RemindReport => "remind_report",
            C::MarkReportOverdue => "mark_report_overdue",
            C::EscalateReport => "escalate_report",
            C::EndPeriod => "end_period",
            C::CloseOut => "close_out",
            C::Withdraw { .. } => "withdraw",
        }
    }
}

/// Bounds that keep a grant's case (carried whole by its workflow) small.
const MAX_CLAIMS: usize = 500;
const MAX_AMENDMENTS: usize = 100;

const DISTRICT: &[Role] = &[Role::DistrictApplicant, Role::DistrictAuthorizedRep];
const REP: &[Role] = &[Role::DistrictAuthorizedRep];
const REVIEWER: &[Role] = &[Role::SeaReviewer];
const APPROVER: &[Role] = &[Role::SeaApprover];
const STAFF: &[Role] = &[Role::SeaApprover, Role::Admin];
const FISCAL: &[Role] = &[Role::FiscalOfficer];
const SYSTEM: &[Role] = &[Role::System];
const EDITABLE: &[S] = &[S::Draft, S::Returned];
const RUNNING: &[S] = &[S::Active, S::Closeout];

const fn rule(
    command: &'static str,
    from: &'static [S],
    to: &'static [S],
    roles: &'static [Role],
    description: &'static str,
) -> TransitionRule<S> {
    TransitionRule {
        command,
        from,
        to,
        roles,
        description,
    }
}

pub static TRANSITIONS: &[TransitionRule<GrantState>] = &[
    rule(
        "edit_proposal",
        EDITABLE,
        EDITABLE,
        DISTRICT,
        "edit the grant application",
    ),
    rule(
        "submit",
        EDITABLE,
        &[S::Submitted],
        REP,
        "certify and submit the grant application",
    ),
    rule(
        "accept_as_complete",
        &[S::Submitted],
        &[S::InReview],
        REVIEWER,
        "accept the grant application as complete",
    ),
    rule(
        "return_incomplete",
        &[S::Submitted],
        &[S::Returned],
        REVIEWER,
        "return the grant application as incomplete",
    ),
    rule(
        "assign_reviewer",
        &[S::InReview],
        &[S::InReview],
        STAFF,
        "assign a reviewer to the panel",
    ),
    rule(
        "declare_conflicts",
        &[S::InReview],
        &[S::InReview],
        REVIEWER,
        "declare conflicts of interest",
    ),
    // Scoring closes when the last score is in: a reviewer who has seen
    // the others' scores does not revise their own (a disagreement is
    // reconciled by the approver, with a note).
    rule(
        "score",
        &[S::InReview],
        &[S::InReview, S::Scored],
        REVIEWER,
        "score the application on the rubric",
    ),
    rule(
        "reconcile",
        &[S::Scored],
        &[S::Scored],
        APPROVER,
        "reconcile the reviewers' scores",
    ),
    rule(
        "award",
        &[S::Scored],
        &[S::Offered],
        APPROVER,
        "award the grant",
    ),
    rule(
        "decline",
        &[S::InReview, S::Scored],
        &[S::Declined],
        APPROVER,
        "decline the grant application",
    ),
    rule(
        "accept_award",
        &[S::Offered],
        &[S::Active],
        REP,
        "accept the award",
    ),
    rule(
        "decline_award",
        &[S::Offered],
        &[S::AwardDeclined],
        REP,
        "decline the award",
    ),
    rule(
        "expire_offer",
        &[S::Offered],
        &[S::OfferExpired],
        SYSTEM,
        "close an award not accepted in time",
    ),
    rule(
        "submit_claim",
        RUNNING,
        RUNNING,
        DISTRICT,
        "submit a reimbursement claim",
    ),
    rule(
        "approve_claim",
        RUNNING,
        RUNNING,
        FISCAL,
        "approve and pay a claim",
    ),
    rule("deny_claim", RUNNING, RUNNING, FISCAL, "deny a claim"),
    rule(
        "request_amendment",
        &[S::Active],
        &[S::Active],
        DISTRICT,
        "request a budget amendment",
    ),
    rule(
        "approve_amendment",
        RUNNING,
        RUNNING,
        APPROVER,
        "approve a budget amendment",
    ),
    rule(
        "deny_amendment",
        RUNNING,
        RUNNING,
        APPROVER,
        "deny a budget amendment",
    ),
    rule(
        "submit_report",
        RUNNING,
        RUNNING,
        DISTRICT,
        "submit a report",
    ),
    rule(
        "accept_final_report",
        &[S::Closeout],
        &[S::Closeout],
        REVIEWER,
        "accept the final report",
    ),
    rule(
        "remind_report",
        RUNNING,
        RUNNING,
        SYSTEM,
        "remind the district of a report due",
    ),
    rule(
        "mark_report_overdue",
        RUNNING,
        RUNNING,
        SYSTEM,
        "mark a report overdue",
    ),
    rule(
        "escalate_report",
        RUNNING,
        RUNNING,
        SYSTEM,
        "escalate an overdue report",
    ),
    rule(
        "end_period",
        &[S::Active],
        &[S::Closeout],
        SYSTEM,
        "end the grant period and begin closeout",
    ),
    rule(
        "close_out",
        &[S::Closeout],
        &[S::ClosedOut],
        FISCAL,
        "close the grant out",
    ),
    rule(
        "withdraw",
        &[S::Draft, S::Submitted, S::Returned, S::InReview, S::Scored],
        &[S::Withdrawn],
        DISTRICT,
        "withdraw the grant application",
    ),
];

pub struct GrantMachine;

impl CaseMachine for GrantMachine {
    const PROGRAM: &'static str = "grant";
    const NOUN: &'static str = "grant";
    type State = GrantState;
    type Case = GrantCase;
    type Command = GrantCommand;
    type Rules = GrantTerms;

    fn transitions() -> &'static [TransitionRule<GrantState>] {
        TRANSITIONS
    }

    fn state(case: &GrantCase) -> GrantState {
        case.state
    }

    fn header(case: &GrantCase) -> CaseHeader {
        CaseHeader {
            id: case.id.clone(),
            organisation_id: Some(case.organisation_id.clone()),
            title: format!("{}: {}", case.program_name, case.organisation_id),
            // The reviewer told of an assignment: the newest seat still to
            // declare its conflicts.
            assigned_reviewer: case
                .panel
                .iter()
                .rev()
                .find(|s| s.status == SeatStatus::Assigned)
                .map(|s| s.reviewer_id.clone()),
            document: Some(case.proposal.document.clone()),
            version: case.version,
        }
    }

    fn opening(case: &GrantCase, terms: &GrantTerms) -> Decision<GrantCase> {
        let mut d = Decision::to(case.clone());
        d.notices.push(notice(
            &[Audience::District],
            format!("Grant application opened: {}", terms.program.name),
            format!(
                "An application to {} was opened. It can be edited until the authorized representative certifies and submits it, by {}.",
                terms.program.name,
                date(terms.program.window_closes)
            ),
        ));
        d
    }

    fn decide(
        case: &GrantCase,
        actor: &Actor,
        command: &GrantCommand,
        now: DateTime<Utc>,
        terms: &GrantTerms,
    ) -> Result<Decision<GrantCase>, Refusal> {
        decide(case, actor, command, now, terms)
    }

    fn clocks(case: &GrantCase, terms: &GrantTerms) -> Vec<Clock<GrantCommand>> {
        clocks(case, terms)
    }
}

fn date(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%d").to_string()
}

/// Under-resourced, as the profile defines it.
pub fn under_resourced(facts: &ApplicantFacts, terms: &GrantTerms) -> bool {
    let rules = &terms.rules;
    facts
        .poverty_permille
        .is_some_and(|p| p > rules.equity_poverty_threshold_percent * 10)
        || facts
            .equity_flags
            .iter()
            .any(|f| rules.equity_flags.iter().any(|r| r.eq_ignore_ascii_case(f)))
}

fn check_eligible(facts: &ApplicantFacts, terms: &GrantTerms) -> Result<(), Refusal> {
    let p = &terms.program;
    match &p.eligibility {
        Eligibility::AnyDistrict => {}
        Eligibility::NetworkMembers { network } => {
            let member = match network {
                Some(code) => facts.networks.iter().any(|n| n.eq_ignore_ascii_case(code)),
                None => !facts.networks.is_empty(),
            };
            if !member {
                return Err(Refusal::validation(format!(
                    "{} is open only to active members of {}; your district is not one.",
                    p.name,
                    network
                        .as_deref()
                        .map(|c| format!("the network {c}"))
                        .unwrap_or_else(|| "a learning network".into())
                )));
            }
        }
        Eligibility::WaiverHolders => {
            if !facts.active_waiver {
                return Err(Refusal::validation(format!(
                    "{} is open only to districts holding an approved innovation waiver in force; your district holds none.",
                    p.name
                )));
            }
        }
    }
    if let Some(earlier) = &p.follows
        && !facts.earlier_phase.iter().any(|g| g.succeeded)
    {
        let open = facts
            .earlier_phase
            .iter()
            .find(|g| !g.state.is_terminal())
            .map(|g| {
                format!(
                    " Your grant {} from {earlier} is still {}.",
                    g.case_id,
                    g.state.label()
                )
            })
            .unwrap_or_default();
        return Err(Refusal::validation(format!(
            "{} is a {} grant: it needs your district's grant from {earlier} closed out with an accepted final report first.{open}",
            p.name,
            p.phase.label()
        )));
    }
    Ok(())
}

fn decide(
    case: &GrantCase,
    actor: &Actor,
    command: &GrantCommand,
    now: DateTime<Utc>,
    terms: &GrantTerms,
) -> Result<Decision<GrantCase>, Refusal> {
    use GrantCommand as C;
    let p = &terms.program;
    let rules = &terms.rules;
    let program = &p.name;
    let org = &case.organisation_id;
    let mut d = Decision::to(case.clone());
    let next = &mut d.case;
    match command {
        C::EditProposal { proposal } => next.proposal = proposal.clone(),
        C::Submit { facts } => {
            if !p.window_open(now) {
                return Err(Refusal::invalid_transition(format!(
                    "{program} takes applications from {} to {}; today is {}.",
                    date(p.window_opens),
                    date(p.window_closes),
                    date(now)
                )));
            }
            let problems = case.proposal.outline.check_ready();
            if !problems.is_empty() {
                return Err(Refusal::validation(format!(
                    "The application cannot be submitted yet: {}",
                    problems.join("; ")
                )));
            }
            let requested = case.proposal.outline.requested;
            if requested < p.min_award || requested > p.max_award {
                return Err(Refusal::validation(format!(
                    "The budget asks for {requested}; {program} awards from {} to {}.",
                    p.min_award, p.max_award
                )));
            }
            check_eligible(facts, terms)?;
            next.facts = Some(facts.clone());
            next.version += 1;
            next.state = S::Submitted;
            next.submitted_at = Some(now);
            d.reasons = vec![format!("{requested} requested")];
            d.snapshot = Some(Snapshot {
                version: next.version,
                document: case.proposal.document.clone(),
            });
            d.notices.push(notice(
                &[Audience::District],
                format!("Grant application submitted: {program}"),
                format!(
                    "Your authorized representative certified and submitted the application to {program} for {requested} (version {}).",
                    next.version
                ),
            ));
            d.notices.push(notice(
                &[Audience::Reviewers],
                format!("New grant application to check: {org}"),
                format!("{org} applied to {program} for {requested}; the application awaits the completeness check."),
            ));
        }
        C::AcceptAsComplete => {
            next.state = S::InReview;
            d.notices.push(notice(
                &[Audience::District],
                format!("Grant application complete: {program}"),
                format!("Your application to {program} is complete and goes to a review panel."),
            ));
            d.notices.push(notice(
                &[Audience::Approvers],
                format!("Grant application needs a panel: {org}"),
                format!(
                    "The application of {org} to {program} is complete; assign {} reviewers.",
                    p.reviewers_per_application
                ),
            ));
        }
        C::ReturnIncomplete { reasons } => {
            d.reasons = required_reasons(reasons, "for returning the application")?;
            next.state = S::Returned;
            d.notices.push(notice(
                &[Audience::District],
                format!("Grant application returned: {program}"),
                format!(
                    "Your application to {program} was returned as incomplete:\n- {}\nEdit it and submit it again.",
                    d.reasons.join("\n- ")
                ),
            ));
        }
        C::AssignReviewer { reviewer_id } => {
            if case.seat(reviewer_id).is_some() {
                return Err(Refusal::conflict(format!(
                    "{reviewer_id} is already on this application's panel, or was recused from it."
                )));
            }
            if active_seats(&case.panel) >= p.reviewers_per_application as usize {
                return Err(Refusal::invalid_transition(format!(
                    "The panel already has its {} reviewers.",
                    p.reviewers_per_application
                )));
            }
            next.panel.push(PanelSeat {
                reviewer_id: reviewer_id.clone(),
                status: SeatStatus::Assigned,
                scores: None,
            });
            d.reasons = vec![format!("{reviewer_id} assigned")];
            d.notices.push(notice(
                &[Audience::AssignedReviewer],
                format!("Grant application to review: {org}"),
                format!(
                    "You are on the panel for the application of {org} to {program}. Declare any conflict of interest first; the application opens to you once you are cleared."
                ),
            ));
        }
        C::DeclareConflicts { conflict, ties } => {
            let seat = panel_seat(next, &actor.user_id)?;
            if seat.status != SeatStatus::Assigned {
                return Err(Refusal::invalid_transition(
                    "You have already declared your conflicts for this application.",
                ));
            }
            let declared = conflict
                .as_ref()
                .filter(|c| !c.is_blank())
                .map(|c| c.trimmed().to_string());
            let recorded: Vec<String> = ties
                .iter()
                .filter(|t| t.organisation_id == *org)
                .map(|t| {
                    format!(
                        "a recorded {} tie to {}",
                        t.kind.as_str().replace('_', " "),
                        t.organisation_id
                    )
                })
                .collect();
            if declared.is_none() && recorded.is_empty() {
                seat.status = SeatStatus::Cleared;
                d.reasons = vec!["no conflict declared".into()];
            } else {
                let reason = declared
                    .into_iter()
                    .chain(recorded.iter().cloned())
                    .collect::<Vec<_>>()
                    .join("; ");
                seat.status = SeatStatus::Recused {
                    reason: reason.clone(),
                };
                d.reasons = vec![format!("recused: {reason}")];
                d.notices.push(notice(
                    &[Audience::Approvers],
                    format!("Reviewer recused, replacement needed: {org}"),
                    format!(
                        "{} was recused from the panel for the application of {org} to {program} ({reason}). Assign a replacement reviewer.",
                        actor.user_id
                    ),
                ));
            }
        }
        C::Score { scores } => {
            let seat = panel_seat(next, &actor.user_id)?;
            if seat.status != SeatStatus::Cleared {
                return Err(Refusal::forbidden(
                    "Only a reviewer who declared no conflict and was cleared can score this application.",
                ));
            }
            check_scores(p, scores)?;
            if scores.iter().any(|s| s.comment.is_blank()) {
                return Err(Refusal::validation(
                    "Comment on every criterion you score: the comments are what the applicant learns from.",
                ));
            }
            seat.scores = Some(scores.clone());
            // The points stay out of the audit reasons, which every SEA
            // reader sees: other reviewers see them only once all are in.
            d.reasons = vec![format!(
                "scored all {} criteria of the rubric",
                p.rubric.len()
            )];
            let equity = next
                .facts
                .as_ref()
                .filter(|f| under_resourced(f, terms))
                .map_or(0, |_| p.equity_points);
            next.aggregate = aggregate(
                &next.panel,
                p.reviewers_per_application,
                equity,
                rules.score_spread_flag,
            );
            if let Some(a) = &next.aggregate {
                next.state = S::Scored;
                d.notices.push(notice(
                    &[Audience::Approvers],
                    format!("Grant application scored: {org}"),
                    format!(
                        "The panel has scored the application of {org} to {program}: a mean of {} of {}, {} equity points, total {}.{}",
                        points(a.mean_centipoints),
                        p.max_score(),
                        a.equity_points,
                        points(a.total_centipoints),
                        if a.disagreement {
                            format!(
                                " The reviewers' totals differ by {} points, more than {}: reconcile them before deciding.",
                                a.spread, rules.score_spread_flag
                            )
                        } else {
                            String::new()
                        }
                    ),
                ));
            }
        }
        C::Reconcile { note } => {
            let note = required_text(note, "say how the scores were reconciled")?;
            let Some(a) = next.aggregate.as_mut() else {
                return Err(Refusal::invalid_transition(
                    "There are no scores to reconcile yet.",
                ));
            };
            if !a.disagreement {
                return Err(Refusal::invalid_transition(
                    "The reviewers' scores agree; there is nothing to reconcile.",
                ));
            }
            a.reconciled = Some(note.clone());
            d.reasons = vec![note];
        }
        C::Award { amount, reasons } => {
            if now >= p.appropriation.lapses_at {
                return Err(Refusal::invalid_transition(format!(
                    "The appropriation for {} lapsed on {}; nothing more can be awarded from it.",
                    p.appropriation.fiscal_year,
                    date(p.appropriation.lapses_at)
                )));
            }
            let requested = case.proposal.outline.requested;
            let amount = amount.unwrap_or(requested);
            if let Some(a) = &case.aggregate
                && a.disagreement
                && a.reconciled.is_none()
            {
                return Err(Refusal::invalid_transition(format!(
                    "The reviewers' totals differ by {} points, more than {}: reconcile the scores before deciding.",
                    a.spread, rules.score_spread_flag
                )));
            }
            if amount > requested {
                return Err(Refusal::validation(format!(
                    "The district asked for {requested}; an award cannot be more."
                )));
            }
            if amount < p.min_award || amount > p.max_award {
                return Err(Refusal::validation(format!(
                    "{program} awards from {} to {}; {amount} is outside that.",
                    p.min_award, p.max_award
                )));
            }
            let reductions = if amount < requested {
                required_reasons(reasons, "for awarding less than was requested")?
            } else {
                reasons
                    .iter()
                    .filter(|r| !r.is_blank())
                    .map(|r| r.trimmed().to_string())
                    .collect()
            };
            let accept_by = now + rules.clocks.award_acceptance.chrono();
            next.award = Some(Award {
                amount,
                reductions: if amount < requested {
                    reductions.clone()
                } else {
                    Vec::new()
                },
                accept_by,
                accepted_at: None,
                budget: scale_budget(&case.proposal.outline.budget, amount),
            });
            next.state = S::Offered;
            d.reasons = std::iter::once(format!("{amount} awarded of {requested} requested"))
                .chain(reductions.iter().cloned())
                .collect();
            d.effects.push(Effect::MoveMoney {
                ledger: p.ledger(),
                amount: amount.get(),
                from: Bucket::Available,
                to: Bucket::Committed,
                refusal: Refusal::conflict(format!(
                    "Only {{available}} of the {program} appropriation is uncommitted, so an award of {amount} does not fit. Award less, or decline."
                )),
            });
            d.notices.push(notice(
                &[Audience::District],
                format!("Grant awarded: {program}"),
                format!(
                    "The state awards your district {amount} from {program}{}. Your authorized representative can accept or decline it until {}.{}",
                    if amount < requested {
                        format!(" (you asked for {requested})")
                    } else {
                        String::new()
                    },
                    date(accept_by),
                    if amount < requested {
                        format!(" Why less:\n- {}", reductions.join("\n- "))
                    } else {
                        String::new()
                    }
                ),
            ));
        }
        C::Decline { reasons } => {
            d.reasons = required_reasons(reasons, "for declining the application")?;
            next.state = S::Declined;
            d.notices.push(notice(
                &[Audience::District],
                format!("Grant application declined: {program}"),
                format!(
                    "The state declined your application to {program}:\n- {}",
                    d.reasons.join("\n- ")
                ),
            ));
        }
        C::AcceptAward => {
            let award = next.award.as_mut().ok_or_else(no_award)?;
            if now > award.accept_by {
                return Err(Refusal::invalid_transition(format!(
                    "The award had to be accepted by {}; it has closed.",
                    date(award.accept_by)
                )));
            }
            award.accepted_at = Some(now);
            next.state = S::Active;
            let mut due = now + p.report_every.chrono();
            let mut no = 1;
            while due < p.period_ends && no <= 120 {
                next.reports.push(ReportDue {
                    no,
                    kind: ReportKind::Progress,
                    due,
                    reminded: false,
                    overdue: false,
                    escalated: false,
                    submitted_at: None,
                    narrative: None,
                    accepted: false,
                });
                no += 1;
                due += p.report_every.chrono();
            }
            d.notices.push(notice(
                &[Audience::District, Audience::Approvers],
                format!("Grant accepted: {program}"),
                format!(
                    "{org} accepted its award of {} from {program}. Costs may be claimed until {}; a progress and expenditure report is due every {}, and the period ends on {}.",
                    award.amount,
                    date(p.spend_by),
                    p.report_every.adjective(),
                    date(p.period_ends)
                ),
            ));
        }
        C::DeclineAward { reason } => {
            d.reasons = vec![required_text(reason, "say why the award is declined")?];
            let amount = next.award.as_ref().ok_or_else(no_award)?.amount;
            next.state = S::AwardDeclined;
            next.returned = Some(amount);
            d.effects.push(give_back(terms, amount));
            d.notices.push(notice(
                &[Audience::District, Audience::Approvers],
                format!("Award declined: {program}"),
                format!("{org} declined its award of {amount} from {program}; the money goes back to the appropriation."),
            ));
        }
        C::ExpireOffer => {
            let award = next.award.as_ref().ok_or_else(no_award)?;
            not_before(now, award.accept_by, "the award's answer is due")?;
            let amount = award.amount;
            next.state = S::OfferExpired;
            next.returned = Some(amount);
            d.effects.push(give_back(terms, amount));
            d.notices.push(notice(
                &[Audience::District, Audience::Approvers],
                format!("Award not accepted in time: {program}"),
                format!("The award of {amount} from {program} to {org} was not accepted in time and has closed; the money goes back to the appropriation."),
            ));
        }
        C::SubmitClaim {
            category,
            amount,
            incurred_on,
            documentation,
        } => {
            let award = case.award.as_ref().ok_or_else(no_award)?;
            if *amount <= Cents::ZERO {
                return Err(Refusal::validation("A claim must be for more than $0.00."));
            }
            if let Some(r) = overdue_report(&case.reports, now) {
                return Err(Refusal::invalid_transition(format!(
                    "New claims are held while {} is overdue; submit it first.",
                    r.describe()
                )));
            }
            if let Some(due) = case.closeout_due
                && now > due
            {
                return Err(Refusal::invalid_transition(format!(
                    "The final claim was due by {}; closeout is past it.",
                    date(due)
                )));
            }
            if incurred_on > &p.spend_by.date_naive() {
                return Err(Refusal::validation(format!(
                    "{program} reimburses costs incurred by {}; these were incurred on {incurred_on}.",
                    date(p.spend_by)
                )));
            }
            let docs: Vec<String> = documentation
                .iter()
                .filter(|t| !t.is_blank())
                .map(|t| t.trimmed().to_string())
                .collect();
            if docs.len() > 20 {
                return Err(Refusal::validation(
                    "A claim lists at most 20 documentation references.",
                ));
            }
            if docs.is_empty() {
                return Err(Refusal::validation(
                    "Give at least one documentation reference (an invoice, a receipt, a payroll record).",
                ));
            }
            let left = remaining(award, &case.claims);
            if *amount > left {
                return Err(Refusal::validation(format!(
                    "This claim of {amount} is more than the award's remaining balance of {left}."
                )));
            }
            let budget = award.budget.get(category).copied().unwrap_or_default();
            let ceiling = budget + budget.percent(rules.claim_overrun_percent);
            let after = claimed_in(&case.claims, *category) + *amount;
            if after > ceiling {
                return Err(Refusal::validation(format!(
                    "This claim would bring {} to {after} against a budget of {budget}, more than {}% over; request a budget amendment first.",
                    category.label(),
                    rules.claim_overrun_percent
                )));
            }
            if case.claims.len() >= MAX_CLAIMS {
                return Err(Refusal::validation(format!(
                    "A grant takes at most {MAX_CLAIMS} claims; combine costs into fewer claims."
                )));
            }
            let no = case.claims.len() as u32 + 1;
            next.claims.push(Claim {
                no,
                category: *category,
                amount: *amount,
                incurred_on: *incurred_on,
                documentation: docs,
                submitted_at: now,
                status: ClaimStatus::Pending,
            });
            d.reasons = vec![format!("claim {no}: {amount} for {}", category.label())];
            d.notices.push(notice(
                &[Audience::District],
                format!("Claim {no} received: {program}"),
                format!(
                    "Claim {no} for {amount} of {} was received and awaits the fiscal officer. What remains of the award after it: {}.",
                    category.label(),
                    left - *amount
                ),
            ));
        }
        C::ApproveClaim {
            claim,
            payment_reference,
        } => {
            let reference = required_text(payment_reference, "give the payment's reference")?;
            let c = pending_claim(next, *claim)?;
            c.status = ClaimStatus::Paid {
                payment_reference: reference.clone(),
                paid_at: now,
            };
            let amount = c.amount;
            d.reasons = vec![format!("claim {claim}: {amount} paid, {reference}")];
            d.effects.push(Effect::MoveMoney {
                ledger: p.ledger(),
                amount: amount.get(),
                from: Bucket::Committed,
                to: Bucket::Disbursed,
                refusal: Refusal::conflict(format!(
                    "The appropriation's ledger holds only {{committed}} committed, less than this claim of {amount}; nothing was paid. Tell an administrator."
                )),
            });
            d.notices.push(notice(
                &[Audience::District],
                format!("Claim {claim} paid: {program}"),
                format!("Claim {claim} for {amount} was approved and paid ({reference})."),
            ));
        }
        C::DenyClaim { claim, reasons } => {
            d.reasons = required_reasons(reasons, "for denying the claim")?;
            let c = pending_claim(next, *claim)?;
            c.status = ClaimStatus::Denied {
                reasons: d.reasons.clone(),
            };
            d.notices.push(notice(
                &[Audience::District],
                format!("Claim {claim} denied: {program}"),
                format!(
                    "Claim {claim} for {} was denied:\n- {}",
                    c.amount,
                    d.reasons.join("\n- ")
                ),
            ));
        }
        C::RequestAmendment {
            from,
            to,
            amount,
            reason,
        } => {
            let reason = required_text(reason, "say why the budget changes")?;
            if from == to || *amount <= Cents::ZERO {
                return Err(Refusal::validation(
                    "An amendment moves more than $0.00 from one category to another.",
                ));
            }
            if case.amendments.len() >= MAX_AMENDMENTS {
                return Err(Refusal::validation(format!(
                    "A grant takes at most {MAX_AMENDMENTS} budget amendments."
                )));
            }
            if next
                .amendments
                .iter()
                .any(|a| a.status == AmendmentStatus::Pending)
            {
                return Err(Refusal::invalid_transition(
                    "An amendment already awaits the approver; wait for its decision.",
                ));
            }
            let award = next.award.as_mut().ok_or_else(no_award)?;
            let has = award.budget.get(from).copied().unwrap_or_default();
            let free = has - claimed_in(&case.claims, *from);
            if *amount > free {
                return Err(Refusal::validation(format!(
                    "{} has {free} not yet claimed; an amendment cannot move {amount} from it.",
                    from.label()
                )));
            }
            let no = case.amendments.len() as u32 + 1;
            // The threshold counts every move out of the category since
            // the award (as 2 CFR 200.308 counts transfers), so that small
            // amendments cannot add up to a large one unapproved.
            let moved = |f: &dyn Fn(&Amendment) -> bool| -> Cents {
                case.amendments
                    .iter()
                    .filter(|a| {
                        matches!(
                            a.status,
                            AmendmentStatus::Applied | AmendmentStatus::Approved
                        ) && f(a)
                    })
                    .map(|a| a.amount)
                    .sum()
            };
            let out_before = moved(&|a| a.from == *from);
            let awarded = has + out_before - moved(&|a| a.to == *from);
            let at_once = out_before + *amount <= awarded.percent(rules.amendment_approval_percent);
            if at_once {
                move_budget(award, *from, *to, *amount);
            }
            next.amendments.push(Amendment {
                no,
                from: *from,
                to: *to,
                amount: *amount,
                reason: reason.clone(),
                status: if at_once {
                    AmendmentStatus::Applied
                } else {
                    AmendmentStatus::Pending
                },
            });
            d.reasons = vec![
                format!(
                    "amendment {no}: {amount} from {} to {}",
                    from.label(),
                    to.label()
                ),
                reason,
            ];
            if !at_once {
                d.notices.push(notice(
                    &[Audience::Approvers],
                    format!("Budget amendment to approve: {org}"),
                    format!(
                        "{org} asks to move {amount} from {} to {} in its {program} grant, more than {}% of the category: it needs your approval.",
                        from.label(),
                        to.label(),
                        rules.amendment_approval_percent
                    ),
                ));
            }
        }
        C::ApproveAmendment { amendment } => {
            let a = pending_amendment(next, *amendment)?.clone();
            let award = next.award.as_mut().ok_or_else(no_award)?;
            let free = award.budget.get(&a.from).copied().unwrap_or_default()
                - claimed_in(&case.claims, a.from);
            if a.amount > free {
                return Err(Refusal::invalid_transition(format!(
                    "{} has only {free} left unclaimed now; the amendment no longer fits. Deny it and ask for a new one.",
                    a.from.label()
                )));
            }
            move_budget(award, a.from, a.to, a.amount);
            pending_amendment(next, *amendment)?.status = AmendmentStatus::Approved;
            d.reasons = vec![format!("amendment {amendment} approved")];
            d.notices.push(notice(
                &[Audience::District],
                format!("Budget amendment {amendment} approved: {program}"),
                format!(
                    "Moving {} from {} to {} was approved.",
                    a.amount,
                    a.from.label(),
                    a.to.label()
                ),
            ));
        }
        C::DenyAmendment { amendment, reasons } => {
            d.reasons = required_reasons(reasons, "for denying the amendment")?;
            pending_amendment(next, *amendment)?.status = AmendmentStatus::Denied;
            d.notices.push(notice(
                &[Audience::District],
                format!("Budget amendment {amendment} denied: {program}"),
                format!(
                    "The budget amendment was denied:\n- {}",
                    d.reasons.join("\n- ")
                ),
            ));
        }
        C::SubmitReport { narrative } => {
            let narrative = required_text(narrative, "write the report")?;
            let Some(r) = next.reports.iter_mut().find(|r| r.submitted_at.is_none()) else {
                return Err(Refusal::invalid_transition(
                    "No report is due from this grant now.",
                ));
            };
            if r.kind == ReportKind::Progress && r.due > now + p.report_every.chrono() {
                return Err(Refusal::invalid_transition(format!(
                    "The next report is due {}; it cannot be submitted this early.",
                    date(r.due)
                )));
            }
            r.submitted_at = Some(now);
            r.narrative = Some(narrative);
            r.accepted = r.kind == ReportKind::Progress;
            d.reasons = vec![format!("report {} submitted", r.no)];
            let what = r.describe();
            let audience = if r.kind == ReportKind::Final {
                &[Audience::Reviewers][..]
            } else {
                &[Audience::Approvers][..]
            };
            d.notices.push(notice(
                audience,
                format!("Grant report received: {org}"),
                format!(
                    "{org} submitted {what} for its {program} grant, with {} paid and {} claimed pending.",
                    paid(&case.claims),
                    pending(&case.claims)
                ),
            ));
        }
        C::AcceptFinalReport => {
            let Some(r) = next
                .reports
                .iter_mut()
                .find(|r| r.kind == ReportKind::Final && r.submitted_at.is_some())
            else {
                return Err(Refusal::invalid_transition(
                    "The final report has not been submitted yet.",
                ));
            };
            if r.accepted {
                return Err(Refusal::invalid_transition(
                    "The final report is already accepted.",
                ));
            }
            r.accepted = true;
            d.notices.push(notice(
                &[Audience::District],
                format!("Final report accepted: {program}"),
                format!("Your final report for {program} was accepted."),
            ));
        }
        C::RemindReport => {
            let r = due_report(next)?;
            r.reminded = true;
            let what = r.describe();
            d.notices.push(notice(
                &[Audience::District],
                format!("Report due soon: {program}"),
                format!("Reminder: {what} for your {program} grant. Claims are held while a report is overdue."),
            ));
        }
        C::MarkReportOverdue => {
            let r = due_report(next)?;
            not_before(now, r.due, "the report is due")?;
            r.overdue = true;
            let what = r.describe();
            d.reasons = vec![format!("{what} is overdue")];
            d.notices.push(notice(
                &[Audience::District],
                format!("Report overdue: {program}"),
                format!("{what} for your {program} grant has not been received. New claims are held until it is."),
            ));
        }
        C::EscalateReport => {
            let r = due_report(next)?;
            r.escalated = true;
            let what = r.describe();
            d.reasons = vec![format!("{what} escalated")];
            d.notices.push(notice(
                &[Audience::District, Audience::Approvers],
                format!("Overdue report escalated: {org}"),
                format!("{org} has not submitted {what} for its {program} grant. Its claims are held; the approvers are told."),
            ));
        }
        C::EndPeriod => {
            not_before(now, p.period_ends, "the grant period ends")?;
            // Counted from the period's end, however late the clock fired.
            let due = p.period_ends + rules.clocks.closeout.chrono();
            next.state = S::Closeout;
            next.closeout_due = Some(due);
            next.reports.push(ReportDue {
                no: case.reports.len() as u32 + 1,
                kind: ReportKind::Final,
                due,
                reminded: false,
                overdue: false,
                escalated: false,
                submitted_at: None,
                narrative: None,
                accepted: false,
            });
            d.notices.push(notice(
                &[Audience::District, Audience::Approvers],
                format!("Grant period ended: {program}"),
                format!(
                    "The {program} grant of {org} has ended its period. The final report and the final claim are due by {} ({} days, 2 CFR 200.344).",
                    date(due),
                    rules.clocks.closeout.seconds() / 86_400
                ),
            ));
        }
        C::CloseOut => {
            if pending(&case.claims) > Cents::ZERO
                || case
                    .amendments
                    .iter()
                    .any(|a| a.status == AmendmentStatus::Pending)
            {
                return Err(Refusal::invalid_transition(
                    "Decide every pending claim and budget amendment before closing the grant out.",
                ));
            }
            let final_accepted = case
                .reports
                .iter()
                .any(|r| r.kind == ReportKind::Final && r.accepted);
            // Past the closeout deadline the grant is closed out without
            // it, so that its money is not held for ever; the grant then
            // does not count as a success for a later phase.
            let past_due = case.closeout_due.is_some_and(|due| now > due);
            if !final_accepted && !past_due {
                return Err(Refusal::invalid_transition(
                    "The final report must be accepted before the grant is closed out, until the closeout deadline passes.",
                ));
            }
            let award = case.award.as_ref().ok_or_else(no_award)?;
            let unspent = award.amount - paid(&case.claims);
            next.state = S::ClosedOut;
            next.returned = Some(unspent);
            d.reasons = vec![format!(
                "{} paid of {}; {unspent} unspent returned",
                paid(&case.claims),
                award.amount
            )];
            if !final_accepted {
                d.reasons
                    .push("closed out without an accepted final report".into());
            }
            if unspent > Cents::ZERO {
                d.effects.push(give_back(terms, unspent));
            }
            d.notices.push(notice(
                &[Audience::District, Audience::Approvers],
                format!("Grant closed out: {program}"),
                format!(
                    "The {program} grant of {org} is closed out: {} was paid of {}, and the {unspent} unspent goes back to the appropriation ({}).",
                    paid(&case.claims),
                    award.amount,
                    if now >= p.appropriation.lapses_at {
                        "it lapses, as the fiscal year has ended".to_string()
                    } else {
                        format!("available until {} ends", p.appropriation.fiscal_year)
                    }
                ),
            ));
        }
        C::Withdraw { reason } => {
            d.reasons = vec![required_text(
                reason,
                "say why the application is withdrawn",
            )?];
            next.state = S::Withdrawn;
            d.notices.push(notice(
                &[Audience::District],
                format!("Grant application withdrawn: {program}"),
                format!("The application to {program} was withdrawn."),
            ));
        }
    }
    Ok(d)
}

/// A clock's command arriving before its time (a clock is never early;
/// this is the second line of defence).
fn not_before(now: DateTime<Utc>, at: DateTime<Utc>, what: &str) -> Result<(), Refusal> {
    if now < at {
        return Err(Refusal::invalid_transition(format!(
            "Not yet: {what} on {}.",
            date(at)
        )));
    }
    Ok(())
}

fn no_award() -> Refusal {
    Refusal::invalid_transition("This grant has no award.")
}

fn give_back(terms: &GrantTerms, amount: Cents) -> Effect {
    Effect::ReturnMoney {
        ledger: terms.program.ledger(),
        amount: amount.get(),
    }
}

fn panel_seat<'a>(case: &'a mut GrantCase, reviewer: &str) -> Result<&'a mut PanelSeat, Refusal> {
    case.panel
        .iter_mut()
        .find(|s| s.reviewer_id == reviewer)
        .ok_or_else(|| Refusal::forbidden("You are not on this application's review panel."))
}

fn pending_claim(case: &mut GrantCase, no: u32) -> Result<&mut Claim, Refusal> {
    let c = case
        .claims
        .iter_mut()
        .find(|c| c.no == no)
        .ok_or_else(|| Refusal::validation(format!("This grant has no claim {no}.")))?;
    if c.status != ClaimStatus::Pending {
        return Err(Refusal::invalid_transition(format!(
            "Claim {no} is already decided."
        )));
    }
    Ok(c)
}

fn pending_amendment(case: &mut GrantCase, no: u32) -> Result<&mut Amendment, Refusal> {
    let a = case
        .amendments
        .iter_mut()
        .find(|a| a.no == no)
        .ok_or_else(|| Refusal::validation(format!("This grant has no amendment {no}.")))?;
    if a.status != AmendmentStatus::Pending {
        return Err(Refusal::invalid_transition(format!(
            "Amendment {no} does not await a decision."
        )));
    }
    Ok(a)
}

fn move_budget(award: &mut Award, from: BudgetCategory, to: BudgetCategory, amount: Cents) {
    let f = award.budget.entry(from).or_default();
    *f = *f - amount;
    let t = award.budget.entry(to).or_default();
    *t = *t + amount;
}

fn due_report(case: &mut GrantCase) -> Result<&mut ReportDue, Refusal> {
    case.reports
        .iter_mut()
        .find(|r| r.submitted_at.is_none())
        .ok_or_else(|| Refusal::invalid_transition("No report is outstanding."))
}

fn clocks(case: &GrantCase, terms: &GrantTerms) -> Vec<Clock<GrantCommand>> {
    let p = &terms.program;
    let c = &terms.rules.clocks;
    let mut out = Vec::new();
    match case.state {
        S::Offered => {
            if let Some(a) = &case.award {
                out.push(Clock {
                    kind: "award_acceptance",
                    due_at: a.accept_by,
                    description: "the district's answer to the award is due".into(),
                    command: GrantCommand::ExpireOffer,
                });
            }
        }
        S::Active | S::Closeout => {
            if case.state == S::Active {
                out.push(Clock {
                    kind: "grant_period",
                    due_at: p.period_ends,
                    description: "the grant period ends and closeout begins".into(),
                    command: GrantCommand::EndPeriod,
                });
            }
            if let Some(r) = next_report(&case.reports) {
                let what = r.describe();
                if !r.overdue {
                    if !r.reminded {
                        out.push(Clock {
                            kind: "report_reminder",
                            due_at: r.due - c.report_reminder.chrono(),
                            description: format!("a reminder of {what}"),
                            command: GrantCommand::RemindReport,
                        });
                    }
                    out.push(Clock {
                        kind: "report_due",
                        due_at: r.due,
                        description: what,
                        command: GrantCommand::MarkReportOverdue,
                    });
                } else if !r.escalated {
                    out.push(Clock {
                        kind: "report_escalation",
                        due_at: r.due + c.report_escalation.chrono(),
                        description: format!("escalation of {what}"),
                        command: GrantCommand::EscalateReport,
                    });
                }
            }
        }
        _ => {}
    }
    out.sort_by_key(|c| c.due_at);
    out
}
