//! One district's (or charter's) way into a network and its life there:
//! the application in a window, the completeness check and review, a seat
//! while seats remain or the wait list, the planning year, active
//! membership with a yearly re-commitment, and the ways out. A seat freed
//! by one member is offered to the next on the wait list.
use super::application::ApplicationDraft;
use super::rules::{NetworkRules, WaitListOrder};
use crate::domain::actor::{Actor, Role};
use crate::engine::document::Snapshot;
use crate::engine::effect::{Effect, OutgoingCommand};
use crate::engine::notice::{Audience, notice};
use crate::engine::refusal::Refusal;
use crate::engine::text::{FreeText, required_reasons, required_text};
use crate::engine::transition::{CommandInfo, StateInfo, TransitionRule};
use crate::engine::{CaseHeader, CaseMachine, Clock, Decision};
use chrono::{DateTime, Datelike, Utc};
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MembershipState {
    Draft,
    Submitted,
    Returned,
    InReview,
    Reviewed,
    WaitListed,
    Offered,
    Planning,
    Active,
    RecommitmentOverdue,
    Declined,
    OfferDeclined,
    OfferExpired,
    LeftWaitList,
    Withdrawn,
    Exited,
    Removed,
    Lapsed,
}

use MembershipState as S;

impl StateInfo for MembershipState {
    const ALL: &'static [MembershipState] = &[
        S::Draft,
        S::Submitted,
        S::Returned,
        S::InReview,
        S::Reviewed,
        S::WaitListed,
        S::Offered,
        S::Planning,
        S::Active,
        S::RecommitmentOverdue,
        S::Declined,
        S::OfferDeclined,
        S::OfferExpired,
        S::LeftWaitList,
        S::Withdrawn,
        S::Exited,
        S::Removed,
        S::Lapsed,
    ];

    fn name(self) -> &'static str {
        match self {
            S::Draft => "draft",
            S::Submitted => "submitted",
            S::Returned => "returned",
            S::InReview => "in_review",
            S::Reviewed => "reviewed",
            S::WaitListed => "wait_listed",
            S::Offered => "offered",
            S::Planning => "planning",
            S::Active => "active",
            S::RecommitmentOverdue => "recommitment_overdue",
            S::Declined => "declined",
            S::OfferDeclined => "offer_declined",
            S::OfferExpired => "offer_expired",
            S::LeftWaitList => "left_wait_list",
            S::Withdrawn => "withdrawn",
            S::Exited => "exited",
            S::Removed => "removed",
            S::Lapsed => "lapsed",
        }
    }

    /// "while the application is ...".
    fn label(self) -> &'static str {
        match self {
            S::Draft => "a draft",
            S::Submitted => "submitted and awaiting the completeness check",
            S::Returned => "returned to the district as incomplete",
            S::InReview => "in review",
            S::Reviewed => "reviewed and awaiting the approver's decision",
            S::WaitListed => "on the wait list",
            S::Offered => "offered a seat that awaits the district's answer",
            S::Planning => "a member in its planning year",
            S::Active => "an active member",
            S::RecommitmentOverdue => "a member whose yearly re-commitment is overdue",
            S::Declined => "declined",
            S::OfferDeclined => "closed because the district declined the seat offered",
            S::OfferExpired => "closed because the seat offered was not accepted in time",
            S::LeftWaitList => "off the wait list because interest was not re-confirmed",
            S::Withdrawn => "withdrawn",
            S::Exited => "a membership the district left",
            S::Removed => "a membership the state ended",
            S::Lapsed => "a membership that lapsed without re-commitment",
        }
    }

    fn is_terminal(self) -> bool {
        matches!(
            self,
            S::Declined
                | S::OfferDeclined
                | S::OfferExpired
                | S::LeftWaitList
                | S::Withdrawn
                | S::Exited
                | S::Removed
                | S::Lapsed
        )
    }

    /// The review's score and summary are the approver's to weigh first.
    fn withheld_from_applicant(self) -> &'static [&'static str] {
        match self {
            // Withdrawn, it may never have been decided.
            S::Reviewed | S::Withdrawn => &["review"],
            _ => &[],
        }
    }
}

impl MembershipState {
    /// A seat is held: by a member, or by an offer awaiting an answer.
    pub fn holds_seat(self) -> bool {
        matches!(
            self,
            S::Offered | S::Planning | S::Active | S::RecommitmentOverdue
        )
    }

    /// Members, as the public list shows them.
    pub fn is_member(self) -> bool {
        matches!(self, S::Planning | S::Active | S::RecommitmentOverdue)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApplicationReview {
    pub reviewer_id: String,
    /// 0 to 100; ranks the wait list where the network says so.
    pub score: u32,
    pub summary: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MembershipCase {
    pub id: String,
    /// The network's code.
    pub network: String,
    pub network_name: String,
    pub organisation_id: String,
    pub created_by: String,
    pub state: MembershipState,
    pub application: ApplicationDraft,
    /// Submitted versions so far.
    pub version: u32,
    pub submitted_at: Option<DateTime<Utc>>,
    pub review: Option<ApplicationReview>,
    /// The school year of the cohort the district joined with, e.g. `2026-27`.
    pub cohort: Option<String>,
    pub offer_expires: Option<DateTime<Utc>>,
    pub interest_due: Option<DateTime<Utc>>,
    pub interest_reminded: bool,
    pub planning_ends: Option<DateTime<Utc>>,
    pub member_since: Option<DateTime<Utc>>,
    pub recommit_due: Option<DateTime<Utc>>,
    pub recommit_reminded: bool,
}

impl MembershipCase {
    pub fn new(
        id: String,
        rules: &NetworkRules,
        organisation_id: String,
        created_by: String,
        application: ApplicationDraft,
    ) -> Self {
        Self {
            id,
            network: rules.code.clone(),
            network_name: rules.name.clone(),
            organisation_id,
            created_by,
            state: S::Draft,
            application,
            version: 0,
            submitted_at: None,
            review: None,
            cohort: None,
            offer_expires: None,
            interest_due: None,
            interest_reminded: false,
            planning_ends: None,
            member_since: None,
            recommit_due: None,
            recommit_reminded: false,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "command", rename_all = "snake_case")]
pub enum MembershipCommand {
    EditApplication { application: ApplicationDraft },
    Submit,
    AcceptAsComplete,
    ReturnIncomplete { reasons: Vec<FreeText> },
    Review { score: u32, summary: FreeText },
    Select,
    WaitList,
    Decline { reasons: Vec<FreeText> },
    OfferSeat,
    AcceptOffer,
    DeclineOffer { reason: FreeText },
    ExpireOffer,
    ConfirmInterest,
    RemindInterest,
    DropFromWaitList,
    BeginMembership,
    RemindRecommitment,
    Recommit { statement: FreeText },
    MarkRecommitmentOverdue,
    Lapse,
    Exit { reason: FreeText },
    Remove { reasons: Vec<FreeText> },
    Withdraw { reason: FreeText },
}

impl CommandInfo for MembershipCommand {
    fn name(&self) -> &'static str {
        use MembershipCommand as C;
        match self {
            C::EditApplication { .. } => "edit_application",
            C::Submit => "submit",
            C::AcceptAsComplete => "accept_as_complete",
            C::ReturnIncomplete { .. } => "return_incomplete",
            C::Review { .. } => "review",
            C::Select => "select",
            C::WaitList => "wait_list",
            C::Decline { .. } => "decline",
            C::OfferSeat => "offer_seat",
            C::AcceptOffer => "accept_offer",
            C::DeclineOffer { .. } => "decline_offer",
            C::ExpireOffer => "expire_offer",
            C::ConfirmInterest => "confirm_interest",
            C::RemindInterest => "remind_interest",
            C::DropFromWaitList => "drop_from_wait_list",
            C::BeginMembership => "begin_membership",
            C::RemindRecommitment => "remind_recommitment",
            C::Recommit { .. } => "recommit",
            C::MarkRecommitmentOverdue => "mark_recommitment_overdue",
            C::Lapse => "lapse",
            C::Exit { .. } => "exit",
            C::Remove { .. } => "remove",
            C::Withdraw { .. } => "withdraw",
        }
    }
}

const DISTRICT: &[Role] = &[Role::DistrictApplicant, Role::DistrictAuthorizedRep];
const REP: &[Role] = &[Role::DistrictAuthorizedRep];
const REVIEWER: &[Role] = &[Role::SeaReviewer];
const APPROVER: &[Role] = &[Role::SeaApprover];
const SYSTEM: &[Role] = &[Role::System];
const EDITABLE: &[S] = &[S::Draft, S::Returned];
const DECIDABLE: &[S] = &[S::InReview, S::Reviewed];
const MEMBER: &[S] = &[S::Planning, S::Active, S::RecommitmentOverdue];

pub static TRANSITIONS: &[TransitionRule<MembershipState>] = &[
    TransitionRule {
        command: "edit_application",
        from: EDITABLE,
        to: EDITABLE,
        roles: DISTRICT,
        description: "edit the application",
    },
    TransitionRule {
        command: "submit",
        from: EDITABLE,
        to: &[S::Submitted],
        roles: REP,
        description: "certify the letter of commitment and submit the application",
    },
    TransitionRule {
        command: "accept_as_complete",
        from: &[S::Submitted],
        to: &[S::InReview],
        roles: REVIEWER,
        description: "accept the application as complete",
    },
    TransitionRule {
        command: "return_incomplete",
        from: &[S::Submitted],
        to: &[S::Returned],
        roles: REVIEWER,
        description: "return the application as incomplete",
    },
    TransitionRule {
        command: "review",
        from: &[S::InReview],
        to: &[S::Reviewed],
        roles: REVIEWER,
        description: "score and review the application",
    },
    TransitionRule {
        command: "select",
        from: DECIDABLE,
        to: &[S::Planning],
        roles: APPROVER,
        description: "select the applicant into the network",
    },
    TransitionRule {
        command: "wait_list",
        from: DECIDABLE,
        to: &[S::WaitListed],
        roles: APPROVER,
        description: "put the applicant on the wait list",
    },
    TransitionRule {
        command: "decline",
        from: DECIDABLE,
        to: &[S::Declined],
        roles: APPROVER,
        description: "decline the application",
    },
    TransitionRule {
        command: "offer_seat",
        from: &[S::WaitListed],
        to: &[S::Offered],
        roles: SYSTEM,
        description: "offer a freed seat",
    },
    TransitionRule {
        command: "accept_offer",
        from: &[S::Offered],
        to: &[S::Planning],
        roles: REP,
        description: "accept the seat offered",
    },
    TransitionRule {
        command: "decline_offer",
        from: &[S::Offered],
        to: &[S::OfferDeclined],
        roles: REP,
        description: "decline the seat offered",
    },
    TransitionRule {
        command: "expire_offer",
        from: &[S::Offered],
        to: &[S::OfferExpired],
        roles: SYSTEM,
        description: "close an offer that was not answered in time",
    },
    TransitionRule {
        command: "confirm_interest",
        from: &[S::WaitListed],
        to: &[S::WaitListed],
        roles: REP,
        description: "re-confirm interest in a seat",
    },
    TransitionRule {
        command: "remind_interest",
        from: &[S::WaitListed],
        to: &[S::WaitListed],
        roles: SYSTEM,
        description: "remind the district to re-confirm its interest",
    },
    TransitionRule {
        command: "drop_from_wait_list",
        from: &[S::WaitListed],
        to: &[S::LeftWaitList],
        roles: SYSTEM,
        description: "take the applicant off the wait list",
    },
    TransitionRule {
        command: "begin_membership",
        from: &[S::Planning],
        to: &[S::Active],
        roles: SYSTEM,
        description: "end the planning year and begin active membership",
    },
    TransitionRule {
        command: "remind_recommitment",
        from: &[S::Active],
        to: &[S::Active],
        roles: SYSTEM,
        description: "remind the member to re-commit",
    },
    TransitionRule {
        command: "recommit",
        from: &[S::Active, S::RecommitmentOverdue],
        to: &[S::Active],
        roles: REP,
        description: "re-commit for another year",
    },
    TransitionRule {
        command: "mark_recommitment_overdue",
        from: &[S::Active],
        to: &[S::RecommitmentOverdue],
        roles: SYSTEM,
        description: "escalate a missed re-commitment",
    },
    TransitionRule {
        command: "lapse",
        from: &[S::RecommitmentOverdue],
        to: &[S::Lapsed],
        roles: SYSTEM,
        description: "end a membership that was not renewed",
    },
    TransitionRule {
        command: "exit",
        from: MEMBER,
        to: &[S::Exited],
        roles: REP,
        description: "leave the network",
    },
    TransitionRule {
        command: "remove",
        from: MEMBER,
        to: &[S::Removed],
        roles: APPROVER,
        description: "remove the member from the network",
    },
    TransitionRule {
        command: "withdraw",
        from: &[
            S::Draft,
            S::Submitted,
            S::Returned,
            S::InReview,
            S::Reviewed,
            S::WaitListed,
        ],
        to: &[S::Withdrawn],
        roles: DISTRICT,
        description: "withdraw the application",
    },
];

/// The command a freed seat sends to the next case on the wait list.
pub fn seat_offer() -> OutgoingCommand {
    OutgoingCommand {
        program: MembershipMachine::PROGRAM.to_string(),
        command: serde_json::json!({ "command": "offer_seat" }),
    }
}

/// The school year a date falls in, as cohorts are named: July to June.
pub fn school_year(at: DateTime<Utc>) -> String {
    let d = at.date_naive();
    let start = if d.month() >= 7 {
        d.year()
    } else {
        d.year() - 1
    };
    format!("{start}-{:02}", (start + 1) % 100)
}

fn date(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%d").to_string()
}

/// Network membership on the case engine.
pub struct MembershipMachine;

impl CaseMachine for MembershipMachine {
    const PROGRAM: &'static str = "network_membership";
    const NOUN: &'static str = "application";
    type State = MembershipState;
    type Case = MembershipCase;
    type Command = MembershipCommand;
    type Rules = NetworkRules;

    fn transitions() -> &'static [TransitionRule<MembershipState>] {
        TRANSITIONS
    }

    fn state(case: &MembershipCase) -> MembershipState {
        case.state
    }

    fn header(case: &MembershipCase) -> CaseHeader {
        CaseHeader {
            id: case.id.clone(),
            organisation_id: Some(case.organisation_id.clone()),
            title: format!("{}: {}", case.network_name, case.organisation_id),
            assigned_reviewer: case.review.as_ref().map(|r| r.reviewer_id.clone()),
            document: Some(case.application.document.clone()),
            version: case.version,
        }
    }

    fn opening(case: &MembershipCase, rules: &NetworkRules) -> Decision<MembershipCase> {
        let mut d = Decision::to(case.clone());
        d.notices.push(notice(
            &[Audience::District],
            format!("Application opened: {}", rules.name),
            format!(
                "An application to join the {} was opened. It can be edited until the authorized representative certifies the letter of commitment and submits it.",
                rules.name
            ),
        ));
        d
    }

    fn decide(
        case: &MembershipCase,
        actor: &Actor,
        command: &MembershipCommand,
        now: DateTime<Utc>,
        rules: &NetworkRules,
    ) -> Result<Decision<MembershipCase>, Refusal> {
        decide(case, actor, command, now, rules)
    }

    fn clocks(case: &MembershipCase, rules: &NetworkRules) -> Vec<Clock<MembershipCommand>> {
        clocks(case, rules)
    }

    fn checkpoint(command: &MembershipCommand) -> bool {
        // A membership lives for years; each re-commitment starts a fresh
        // workflow history.
        matches!(command, MembershipCommand::Recommit { .. })
    }
}

fn decide(
    case: &MembershipCase,
    actor: &Actor,
    command: &MembershipCommand,
    now: DateTime<Utc>,
    rules: &NetworkRules,
) -> Result<Decision<MembershipCase>, Refusal> {
    use MembershipCommand as C;
    let network = &rules.name;
    let org = &case.organisation_id;
    let pool = rules.seat_pool();
    let mut d = Decision::to(case.clone());
    let next = &mut d.case;
    match command {
        C::EditApplication { application } => {
            next.application = application.clone();
        }
        C::Submit => {
            if !rules.window_open(now) {
                let windows: Vec<String> = rules.windows.iter().map(|w| w.describe()).collect();
                return Err(Refusal::invalid_transition(format!(
                    "The {network} accepts applications only in its window ({}); today is {}.",
                    windows.join("; "),
                    date(now)
                )));
            }
            let problems = case.application.outline.check_ready(rules);
            if !problems.is_empty() {
                return Err(Refusal::validation(format!(
                    "The application cannot be submitted yet: {}",
                    problems.join("; ")
                )));
            }
            next.version += 1;
            next.state = S::Submitted;
            next.submitted_at = Some(now);
            d.snapshot = Some(Snapshot {
                version: next.version,
                document: case.application.document.clone(),
            });
            d.notices.push(notice(
                &[Audience::District],
                format!("Application submitted: {network}"),
                format!(
                    "Your authorized representative certified the letter of commitment and submitted the application to the {network} (version {}).",
                    next.version
                ),
            ));
            d.notices.push(notice(
                &[Audience::Reviewers],
                format!("New network application to check: {org}"),
                format!("{org} applied to join the {network}; the application awaits the completeness check."),
            ));
        }
        C::AcceptAsComplete => {
            next.state = S::InReview;
            d.notices.push(notice(
                &[Audience::District],
                format!("Application complete: {network}"),
                format!("Your application to the {network} is complete and in review."),
            ));
        }
        C::ReturnIncomplete { reasons } => {
            d.reasons = required_reasons(reasons, "for returning the application")?;
            next.state = S::Returned;
            d.notices.push(notice(
                &[Audience::District],
                format!("Application returned: {network}"),
                format!(
                    "Your application to the {network} was returned as incomplete:\n- {}\nEdit it and submit it again.",
                    d.reasons.join("\n- ")
                ),
            ));
        }
        C::Review { score, summary } => {
            if *score > 100 {
                return Err(Refusal::validation(format!(
                    "a review score runs from 0 to 100; {score} was given"
                )));
            }
            d.reasons = vec![required_text(summary, "summarise the review")?];
            next.review = Some(ApplicationReview {
                reviewer_id: actor.user_id.clone(),
                score: *score,
                summary: summary.trimmed().to_string(),
            });
            next.state = S::Reviewed;
            d.notices.push(notice(
                &[Audience::Approvers],
                format!("Network application reviewed: {org}"),
                format!("The application of {org} to the {network} was reviewed and awaits your decision."),
            ));
        }
        C::Select => {
            next.state = S::Planning;
            join(next, now, rules);
            d.effects.push(Effect::Reserve {
                pool,
                amount: 1,
                refusal: Refusal::conflict(format!(
                    "No seat is free in the {network}: members and open offers hold every seat under its cap. Put the applicant on the wait list instead."
                )),
            });
            d.notices.push(selected_notice(next, rules));
        }
        C::WaitList => {
            if rules.cap.is_none() {
                return Err(Refusal::invalid_transition(format!(
                    "The {network} has no cap, so there is no wait list; select the applicant instead."
                )));
            }
            let rank = match rules.wait_list_order {
                WaitListOrder::SubmissionTime => 0,
                WaitListOrder::ReviewRanking => match &case.review {
                    Some(r) => -i64::from(r.score),
                    None => {
                        return Err(Refusal::invalid_transition(format!(
                            "The {network} ranks its wait list by review score; record the review before wait-listing."
                        )));
                    }
                },
            };
            next.state = S::WaitListed;
            next.interest_due = rules.clocks.wait_list_reconfirm.map(|c| now + c.chrono());
            next.interest_reminded = false;
            d.effects.push(Effect::Enqueue {
                pool: pool.clone(),
                rank,
                since: case.submitted_at.unwrap_or(now),
            });
            // A seat free at this moment goes to the first waiting, which
            // may be this applicant: no seat stays empty while one waits.
            d.effects.push(Effect::FillFromQueue {
                pool,
                amount: 1,
                offer: seat_offer(),
            });
            d.notices.push(notice(
                &[Audience::District],
                format!("Wait-listed: {network}"),
                format!(
                    "Every seat in the {network} is taken, so your application is on the wait list. When a seat is freed it is offered to the next on the list{}.",
                    match rules.wait_list_order {
                        WaitListOrder::SubmissionTime => ", in the order applications were submitted",
                        WaitListOrder::ReviewRanking => ", in the order of the review scores",
                    }
                ),
            ));
        }
        C::Decline { reasons } => {
            d.reasons = required_reasons(reasons, "for declining the application")?;
            next.state = S::Declined;
            d.notices.push(notice(
                &[Audience::District],
                format!("Application declined: {network}"),
                format!(
                    "The state declined your application to the {network}:\n- {}\nYou may apply again in a later window.",
                    d.reasons.join("\n- ")
                ),
            ));
        }
        C::OfferSeat => {
            let expires = now + rules.clocks.offer_acceptance.chrono();
            next.state = S::Offered;
            next.offer_expires = Some(expires);
            next.interest_due = None;
            d.notices.push(notice(
                &[Audience::District],
                format!("A seat is offered to you: {network}"),
                format!(
                    "A seat in the {network} is free and offered to you as the next on the wait list. Your authorized representative can accept or decline it until {}; after that it passes to the next applicant.",
                    date(expires)
                ),
            ));
            d.notices.push(notice(
                &[Audience::Approvers],
                format!("Seat offered: {org}"),
                format!(
                    "A freed seat in the {network} was offered to {org}, the next on the wait list."
                ),
            ));
        }
        C::AcceptOffer => {
            next.state = S::Planning;
            next.offer_expires = None;
            join(next, now, rules);
            d.notices.push(selected_notice(next, rules));
        }
        C::DeclineOffer { reason } => {
            d.reasons = vec![required_text(reason, "say why the seat is declined")?];
            next.state = S::OfferDeclined;
            next.offer_expires = None;
            d.effects.push(pass_on(&pool));
            d.notices.push(notice(
                &[Audience::District, Audience::Approvers],
                format!("Seat declined: {network}"),
                format!("{org} declined the seat offered in the {network}; it passes to the next on the wait list."),
            ));
        }
        C::ExpireOffer => {
            if case.offer_expires.is_none_or(|e| now < e) {
                return Err(Refusal::invalid_transition(
                    "The offer has not expired yet.",
                ));
            }
            next.state = S::OfferExpired;
            next.offer_expires = None;
            d.reasons = vec![format!(
                "the {} acceptance clock ran out",
                rules.clocks.offer_acceptance.adjective()
            )];
            d.effects.push(pass_on(&pool));
            d.notices.push(notice(
                &[Audience::District, Audience::Approvers],
                format!("Seat offer expired: {network}"),
                format!("The seat offered to {org} in the {network} was not accepted in time; it passes to the next on the wait list."),
            ));
        }
        C::ConfirmInterest => {
            let Some(every) = rules.clocks.wait_list_reconfirm else {
                return Err(Refusal::invalid_transition(format!(
                    "The {network} does not ask wait-listed districts to re-confirm their interest."
                )));
            };
            next.interest_due = Some(now + every.chrono());
            next.interest_reminded = false;
            d.notices.push(notice(
                &[Audience::District],
                format!("Interest re-confirmed: {network}"),
                format!(
                    "You stay on the wait list of the {network}. Re-confirm again by {}.",
                    next.interest_due.map(date).unwrap_or_default()
                ),
            ));
        }
        C::RemindInterest => {
            let due = case.interest_due.ok_or_else(|| {
                Refusal::invalid_transition("There is no interest deadline to remind of.")
            })?;
            if case.interest_reminded || now < due - rules.clocks.recommitment_reminder.chrono() {
                return Err(Refusal::invalid_transition(
                    "It is not yet time for the reminder.",
                ));
            }
            next.interest_reminded = true;
            d.notices.push(notice(
                &[Audience::District],
                format!("Re-confirm your interest by {}: {network}", date(due)),
                format!(
                    "Your application is on the wait list of the {network}. Re-confirm your interest by {}, or it leaves the list.",
                    date(due)
                ),
            ));
        }
        C::DropFromWaitList => {
            if case.interest_due.is_none_or(|due| now < due) {
                return Err(Refusal::invalid_transition(
                    "The deadline to re-confirm interest has not passed.",
                ));
            }
            next.state = S::LeftWaitList;
            d.reasons = vec!["interest in a seat was not re-confirmed in time".into()];
            d.effects.push(leave_queue(&pool));
            d.notices.push(notice(
                &[Audience::District],
                format!("Off the wait list: {network}"),
                format!("Your interest in the {network} was not re-confirmed in time, so the application left the wait list. You may apply again in a later window."),
            ));
        }
        C::BeginMembership => {
            if case.planning_ends.is_none_or(|e| now < e) {
                return Err(Refusal::invalid_transition(
                    "The planning year has not ended.",
                ));
            }
            next.state = S::Active;
            next.planning_ends = None;
            next.recommit_due = Some(now + rules.clocks.recommitment_every.chrono());
            next.recommit_reminded = false;
            d.notices.push(notice(
                &[Audience::District, Audience::Approvers],
                format!("Active member: {network}"),
                format!(
                    "{org} finished its planning year and is an active member of the {network}. Its first re-commitment is due {}.",
                    next.recommit_due.map(date).unwrap_or_default()
                ),
            ));
        }
        C::RemindRecommitment => {
            let due = case.recommit_due.ok_or_else(|| {
                Refusal::invalid_transition("There is no re-commitment deadline to remind of.")
            })?;
            if case.recommit_reminded || now < due - rules.clocks.recommitment_reminder.chrono() {
                return Err(Refusal::invalid_transition(
                    "It is not yet time for the reminder.",
                ));
            }
            next.recommit_reminded = true;
            d.notices.push(notice(
                &[Audience::District],
                format!("Re-commit by {}: {network}", date(due)),
                format!(
                    "Your yearly re-commitment to the {network} is due {}. Your authorized representative re-commits in Leeway.",
                    date(due)
                ),
            ));
        }
        C::Recommit { statement } => {
            d.reasons = vec![required_text(
                statement,
                "say what the district commits to for the coming year",
            )?];
            let from = case.recommit_due.unwrap_or(now);
            next.state = S::Active;
            next.recommit_due = Some(from + rules.clocks.recommitment_every.chrono());
            next.recommit_reminded = false;
            d.notices.push(notice(
                &[Audience::District],
                format!("Re-committed: {network}"),
                format!(
                    "{org} re-committed to the {network}. The next re-commitment is due {}.",
                    next.recommit_due.map(date).unwrap_or_default()
                ),
            ));
        }
        C::MarkRecommitmentOverdue => {
            if case.recommit_due.is_none_or(|due| now < due) {
                return Err(Refusal::invalid_transition(
                    "The re-commitment deadline has not passed.",
                ));
            }
            next.state = S::RecommitmentOverdue;
            let lapses = case
                .recommit_due
                .map(|due| due + rules.clocks.recommitment_grace.chrono());
            d.reasons = vec!["the yearly re-commitment deadline passed".into()];
            d.notices.push(notice(
                &[Audience::District, Audience::Approvers],
                format!("Re-commitment overdue: {network}"),
                format!(
                    "{org} has not re-committed to the {network}. Unless it re-commits by {}, the membership lapses and its seat passes to the wait list.",
                    lapses.map(date).unwrap_or_default()
                ),
            ));
        }
        C::Lapse => {
            let lapses = case
                .recommit_due
                .map(|due| due + rules.clocks.recommitment_grace.chrono());
            if lapses.is_none_or(|l| now < l) {
                return Err(Refusal::invalid_transition(
                    "The grace period for re-commitment has not ended.",
                ));
            }
            next.state = S::Lapsed;
            d.reasons = vec!["no re-commitment by the end of the grace period".into()];
            d.effects.push(pass_on(&pool));
            d.notices.push(notice(
                &[Audience::District, Audience::Approvers],
                format!("Membership lapsed: {network}"),
                format!("The membership of {org} in the {network} lapsed without a re-commitment; its seat passes to the next on the wait list."),
            ));
        }
        C::Exit { reason } => {
            d.reasons = vec![required_text(
                reason,
                "say why the district leaves the network",
            )?];
            next.state = S::Exited;
            d.effects.push(pass_on(&pool));
            d.notices.push(notice(
                &[Audience::District, Audience::Approvers],
                format!("Left the network: {network}"),
                format!("{org} left the {network}: {}", d.reasons.join("; ")),
            ));
        }
        C::Remove { reasons } => {
            d.reasons = required_reasons(reasons, "for removing the member")?;
            next.state = S::Removed;
            d.effects.push(pass_on(&pool));
            d.notices.push(notice(
                &[Audience::District, Audience::Approvers],
                format!("Membership ended: {network}"),
                format!(
                    "The state ended the membership of {org} in the {network}:\n- {}",
                    d.reasons.join("\n- ")
                ),
            ));
        }
        C::Withdraw { reason } => {
            d.reasons = vec![required_text(
                reason,
                "say why the application is withdrawn",
            )?];
            if case.state == S::WaitListed {
                d.effects.push(leave_queue(&pool));
            }
            next.state = S::Withdrawn;
            next.interest_due = None;
            d.notices.push(notice(
                &[Audience::District, Audience::Reviewers],
                format!("Application withdrawn: {network}"),
                format!(
                    "{org} withdrew its application to the {network}: {}",
                    d.reasons.join("; ")
                ),
            ));
        }
    }
    Ok(d)
}

/// Selection or an accepted offer: the cohort and the planning year begin.
fn join(case: &mut MembershipCase, now: DateTime<Utc>, rules: &NetworkRules) {
    case.cohort = Some(school_year(now));
    case.member_since = Some(now);
    case.planning_ends = Some(now + rules.clocks.planning_year.chrono());
    case.interest_due = None;
}

fn selected_notice(case: &MembershipCase, rules: &NetworkRules) -> crate::engine::notice::Notice {
    notice(
        &[Audience::District, Audience::Approvers],
        format!("Welcome to the {}", rules.name),
        format!(
            "{} joins the {} with the {} cohort. The planning year runs until {}; active membership begins then.",
            case.organisation_id,
            rules.name,
            case.cohort.clone().unwrap_or_default(),
            case.planning_ends.map(date).unwrap_or_default()
        ),
    )
}

fn pass_on(pool: &str) -> Effect {
    Effect::PassOn {
        pool: pool.to_string(),
        amount: 1,
        offer: seat_offer(),
    }
}

fn leave_queue(pool: &str) -> Effect {
    Effect::LeaveQueue {
        pool: pool.to_string(),
        refusal: Refusal::conflict(
            "A freed seat has just been offered to this application; accept or decline the offer instead.",
        ),
    }
}

fn clocks(case: &MembershipCase, rules: &NetworkRules) -> Vec<Clock<MembershipCommand>> {
    use MembershipCommand as C;
    let mut out = Vec::new();
    let reminder = rules.clocks.recommitment_reminder.chrono();
    match case.state {
        S::Offered => {
            if let Some(e) = case.offer_expires {
                out.push(Clock {
                    kind: "offer_acceptance",
                    due_at: e,
                    description:
                        "the seat offered passes to the next on the wait list unless accepted"
                            .into(),
                    command: C::ExpireOffer,
                });
            }
        }
        S::WaitListed => {
            if let Some(due) = case.interest_due {
                if !case.interest_reminded {
                    out.push(Clock {
                        kind: "interest_reminder",
                        due_at: due - reminder,
                        description: "the district is reminded to re-confirm its interest".into(),
                        command: C::RemindInterest,
                    });
                }
                out.push(Clock {
                    kind: "interest_reconfirmation",
                    due_at: due,
                    description:
                        "the application leaves the wait list unless interest is re-confirmed"
                            .into(),
                    command: C::DropFromWaitList,
                });
            }
        }
        S::Planning => {
            if let Some(e) = case.planning_ends {
                out.push(Clock {
                    kind: "planning_year",
                    due_at: e,
                    description: "the planning year ends and active membership begins".into(),
                    command: C::BeginMembership,
                });
            }
        }
        S::Active => {
            if let Some(due) = case.recommit_due {
                if !case.recommit_reminded {
                    out.push(Clock {
                        kind: "recommitment_reminder",
                        due_at: due - reminder,
                        description: "the member is reminded to re-commit".into(),
                        command: C::RemindRecommitment,
                    });
                }
                out.push(Clock {
                    kind: "recommitment",
                    due_at: due,
                    description: "the yearly re-commitment is due; a missed one escalates".into(),
                    command: C::MarkRecommitmentOverdue,
                });
            }
        }
        S::RecommitmentOverdue => {
            if let Some(due) = case.recommit_due {
                out.push(Clock {
                    kind: "recommitment_grace",
                    due_at: due + rules.clocks.recommitment_grace.chrono(),
                    description: "the membership lapses unless the member re-commits".into(),
                    command: C::Lapse,
                });
            }
        }
        _ => {}
    }
    out.sort_by_key(|c| c.due_at);
    out
}

#[cfg(test)]
#[path = "membership_tests.rs"]
mod tests;
