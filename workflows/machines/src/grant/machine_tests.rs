//! Every state x every command against a table written from the grant
//! program's description, then the guards inside the allowed transitions:
//! submission, the panel and its recusals, scoring, the award and the money
//! it moves, claims, amendments, reports and their clocks, closeout. Then
//! the program machine and the program's terms.
use super::award::{Amendment, AmendmentStatus, Award, Claim, ClaimStatus, ReportDue, ReportKind};
use super::machine::{
    ApplicantFacts, EarlierGrant, GrantCase, GrantCommand, GrantMachine, GrantState, TRANSITIONS,
    under_resourced,
};
use super::money::Cents;
use super::program::{
    GrantProgramCase, GrantProgramCommand, GrantProgramMachine, GrantProgramState,
};
use super::proposal::{BudgetCategory, BudgetLine, Goal, GrantProposal, ProposalDraft};
use super::review::{Aggregate, CriterionScore, PanelSeat, RecordedTie, SeatStatus};
use super::rules::GrantRules;
use super::terms::{Appropriation, Criterion, Eligibility, GrantProgramTerms, GrantTerms, Phase};
use crate::domain::actor::{Actor, Role};
use crate::domain::affiliation::AffiliationKind;
use crate::domain::duration::ClockDuration;
use crate::engine::document::DocumentRef;
use crate::engine::effect::{Bucket, Effect};
use crate::engine::notice::Audience;
use crate::engine::refusal::{Refusal, RefusalCode};
use crate::engine::text::FreeText;
use crate::engine::transition::{CommandInfo, StateInfo};
use crate::engine::{CaseMachine, Step, step as engine_step};
use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use std::collections::BTreeSet;

use BudgetCategory as B;
use GrantState as S;

const ORG: &str = "district-a";
const CASE_ID: &str = "grant-mastery-27-district-a";
const LEDGER: &str = "appropriation-mastery-27";

// ---------------------------------------------------------------------------
// Fixture
// ---------------------------------------------------------------------------

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 9, 15, 12, 0, 0).unwrap()
}

/// When a command is sent in the table tests: a clock's command once its
/// clock has run out, any other now.
fn sent_at(command: &GrantCommand) -> DateTime<Utc> {
    match command {
        GrantCommand::ExpireOffer | GrantCommand::MarkReportOverdue | GrantCommand::EndPeriod => {
            now() + days(400)
        }
        _ => now(),
    }
}

fn days(n: i64) -> chrono::Duration {
    chrono::Duration::days(n)
}

fn usd(dollars: i64) -> Cents {
    Cents(dollars * 100)
}

fn ft(text: &str) -> FreeText {
    FreeText::parse("x", text).unwrap()
}

/// A first-come implementation program: $1M appropriated, awards of
/// $10,000 to $200,000, a three-criterion rubric worth 100 points, two
/// reviewers, the window open around `now`, quarterly reports for a year.
fn program() -> GrantProgramTerms {
    GrantProgramTerms {
        code: "MASTERY-27".into(),
        name: "Mastery Learning Grants".into(),
        purpose: "Competency-based learning pilots".into(),
        appropriation: Appropriation {
            amount: usd(1_000_000),
            fiscal_year: "FY2027".into(),
            source: "HB 2026-101".into(),
            lapses_at: now() + days(400),
        },
        eligibility: Eligibility::AnyDistrict,
        min_award: usd(10_000),
        max_award: usd(200_000),
        phase: Phase::Implementation,
        follows: None,
        rubric: vec![
            criterion("need", 40),
            criterion("plan", 40),
            criterion("capacity", 20),
        ],
        equity_points: 5,
        window_opens: now() - days(10),
        window_closes: now() + days(20),
        reviewers_per_application: 2,
        period_ends: now() + days(365),
        spend_by: now() + days(335),
        report_every: ClockDuration::days(90),
    }
}

fn criterion(id: &str, max_points: u32) -> Criterion {
    Criterion {
        id: id.into(),
        name: format!("The {id}"),
        max_points,
        guidance: format!("How strong the {id} is"),
    }
}

fn terms() -> GrantTerms {
    GrantTerms {
        program: program(),
        rules: GrantRules::default(),
    }
}

fn terms_with(f: impl FnOnce(&mut GrantProgramTerms)) -> GrantTerms {
    let mut t = terms();
    f(&mut t.program);
    t
}

/// $60,000 personnel (two lines), $30,000 supplies, $10,000 travel:
/// $100,000 requested.
fn proposal() -> GrantProposal {
    proposal_with(&[
        (B::Personnel, 40_000),
        (B::Personnel, 20_000),
        (B::Supplies, 30_000),
        (B::Travel, 10_000),
    ])
}

fn proposal_with(lines: &[(BudgetCategory, i64)]) -> GrantProposal {
    GrantProposal {
        narrative: "Students advance on mastery.".into(),
        budget: lines
            .iter()
            .map(|(category, dollars)| BudgetLine {
                category: *category,
                description: format!("{} line", category.label()),
                amount: usd(*dollars),
            })
            .collect(),
        school_ids: vec![],
        students_served: 420,
        goals: vec![Goal {
            measure: "Cohort graduation rate".into(),
            baseline: "81%".into(),
            target: "86%".into(),
        }],
    }
}

fn draft_of(p: &GrantProposal) -> ProposalDraft {
    ProposalDraft {
        document: DocumentRef {
            hash: "h".into(),
            bytes: 1,
        },
        outline: p.outline(),
    }
}

fn draft() -> ProposalDraft {
    draft_of(&proposal())
}

fn requested() -> Cents {
    usd(100_000)
}

fn new_case(t: &GrantTerms, p: &GrantProposal) -> GrantCase {
    GrantCase::new(CASE_ID.into(), t, ORG.into(), "u-app".into(), draft_of(p))
}

fn actor(role: Role) -> Actor {
    Actor {
        user_id: if role == Role::SeaReviewer {
            "rev-1".into()
        } else {
            format!("u-{role}")
        },
        role,
        organisation_id: if role.is_district() {
            ORG.into()
        } else {
            "sea".into()
        },
    }
}

fn reviewer(id: &str) -> Actor {
    Actor {
        user_id: id.into(),
        role: Role::SeaReviewer,
        organisation_id: "sea".into(),
    }
}

fn applicant() -> Actor {
    actor(Role::DistrictApplicant)
}
fn rep() -> Actor {
    actor(Role::DistrictAuthorizedRep)
}
fn approver() -> Actor {
    actor(Role::SeaApprover)
}
fn fiscal() -> Actor {
    actor(Role::FiscalOfficer)
}
fn system() -> Actor {
    Actor::system()
}

fn step_at(
    case: &GrantCase,
    actor: &Actor,
    command: &GrantCommand,
    at: DateTime<Utc>,
    t: &GrantTerms,
) -> Result<Step<GrantMachine>, Refusal> {
    engine_step::<GrantMachine>(case, actor, command, at, t)
}

fn step(
    case: &GrantCase,
    actor: &Actor,
    command: &GrantCommand,
) -> Result<Step<GrantMachine>, Refusal> {
    step_at(case, actor, command, now(), &terms())
}

/// Runs a step that must be accepted and returns the case after it.
#[track_caller]
fn apply_at(
    case: &GrantCase,
    actor: &Actor,
    command: &GrantCommand,
    at: DateTime<Utc>,
    t: &GrantTerms,
) -> GrantCase {
    match step_at(case, actor, command, at, t) {
        Ok(s) => s.decision.case,
        Err(r) => panic!("{} refused: {r:?}", command.name()),
    }
}

#[track_caller]
fn apply(case: &GrantCase, actor: &Actor, command: &GrantCommand) -> GrantCase {
    apply_at(case, actor, command, now(), &terms())
}

#[track_caller]
fn refused(result: Result<Step<GrantMachine>, Refusal>) -> Refusal {
    match result {
        Ok(s) => panic!("{} was accepted, to {:?}", s.command, s.to),
        Err(r) => r,
    }
}

fn scores(need: u32, plan: u32, capacity: u32) -> Vec<CriterionScore> {
    [("need", need), ("plan", plan), ("capacity", capacity)]
        .into_iter()
        .map(|(criterion, points)| CriterionScore {
            criterion: criterion.into(),
            points,
            comment: ft("Clear evidence in the narrative."),
        })
        .collect()
}

fn score(s: Vec<CriterionScore>) -> GrantCommand {
    GrantCommand::Score { scores: s }
}

fn no_conflict() -> GrantCommand {
    GrantCommand::DeclareConflicts {
        conflict: None,
        ties: vec![],
    }
}

fn assign(id: &str) -> GrantCommand {
    GrantCommand::AssignReviewer {
        reviewer_id: id.into(),
    }
}

fn submit(facts: ApplicantFacts) -> GrantCommand {
    GrantCommand::Submit { facts }
}

fn seat(id: &str, status: SeatStatus, s: Option<Vec<CriterionScore>>) -> PanelSeat {
    PanelSeat {
        reviewer_id: id.into(),
        status,
        scores: s,
    }
}

// Cases built by running the machine's own steps.

fn submitted_with(t: &GrantTerms, facts: ApplicantFacts) -> GrantCase {
    let case = new_case(t, &proposal());
    apply_at(&case, &rep(), &submit(facts), now(), t)
}

/// Submitted, complete, with rev-1 and rev-2 assigned (not yet declared).
fn in_review_with(t: &GrantTerms, facts: ApplicantFacts) -> GrantCase {
    let mut case = submitted_with(t, facts);
    case = apply_at(
        &case,
        &reviewer("rev-9"),
        &GrantCommand::AcceptAsComplete,
        now(),
        t,
    );
    case = apply_at(&case, &approver(), &assign("rev-1"), now(), t);
    apply_at(&case, &approver(), &assign("rev-2"), now(), t)
}

fn in_review() -> GrantCase {
    in_review_with(&terms(), ApplicantFacts::default())
}

/// Both reviewers cleared and not yet scored.
fn cleared_panel_with(t: &GrantTerms, facts: ApplicantFacts) -> GrantCase {
    let mut case = in_review_with(t, facts);
    case = apply_at(&case, &reviewer("rev-1"), &no_conflict(), now(), t);
    apply_at(&case, &reviewer("rev-2"), &no_conflict(), now(), t)
}

fn scored_with(
    t: &GrantTerms,
    facts: ApplicantFacts,
    first: Vec<CriterionScore>,
    second: Vec<CriterionScore>,
) -> GrantCase {
    let mut case = cleared_panel_with(t, facts);
    case = apply_at(&case, &reviewer("rev-1"), &score(first), now(), t);
    apply_at(&case, &reviewer("rev-2"), &score(second), now(), t)
}

/// Scored 80 and 71: the reviewers agree.
fn scored() -> GrantCase {
    scored_with(
        &terms(),
        ApplicantFacts::default(),
        scores(35, 30, 15),
        scores(30, 28, 13),
    )
}

fn award_full() -> GrantCommand {
    GrantCommand::Award {
        amount: None,
        reasons: vec![],
    }
}

fn offered() -> GrantCase {
    apply(&scored(), &approver(), &award_full())
}

/// Accepted at `now`: $100,000 awarded, reports every 90 days.
fn active() -> GrantCase {
    apply(&offered(), &rep(), &GrantCommand::AcceptAward)
}

fn claim(category: BudgetCategory, amount: Cents, incurred_on: NaiveDate) -> GrantCommand {
    GrantCommand::SubmitClaim {
        category,
        amount,
        incurred_on,
        documentation: vec![ft("invoice 17")],
    }
}

fn today() -> NaiveDate {
    now().date_naive()
}

fn amendment(from: BudgetCategory, to: BudgetCategory, amount: Cents) -> GrantCommand {
    GrantCommand::RequestAmendment {
        from,
        to,
        amount,
        reason: ft("Fewer trips, more books."),
    }
}

fn report(text: &str) -> GrantCommand {
    GrantCommand::SubmitReport {
        narrative: ft(text),
    }
}

// ---------------------------------------------------------------------------
// 1. State x command against an independent table
// ---------------------------------------------------------------------------

const DISTRICT: &[Role] = &[Role::DistrictApplicant, Role::DistrictAuthorizedRep];
const REP: &[Role] = &[Role::DistrictAuthorizedRep];
const REVIEWER: &[Role] = &[Role::SeaReviewer];
const APPROVER: &[Role] = &[Role::SeaApprover];
const FISCAL: &[Role] = &[Role::FiscalOfficer];
const SYSTEM: &[Role] = &[Role::System];

/// A command, the roles that send it, and its moves (from, to).
type Expected = (&'static str, &'static [Role], &'static [(S, S)]);

/// Who sends each command, and from which state it goes where, written
/// from the program's description (an application is edited and submitted
/// by the district, checked and reviewed by SEA reviewers, decided by an
/// approver, accepted by the district's representative, paid by the fiscal
/// officer, and timed by Leeway's clocks), not read from `TRANSITIONS`.
/// From every state not listed the command is an invalid transition.
const EXPECTED: &[Expected] = &[
    (
        "edit_proposal",
        DISTRICT,
        &[(S::Draft, S::Draft), (S::Returned, S::Returned)],
    ),
    (
        "submit",
        REP,
        &[(S::Draft, S::Submitted), (S::Returned, S::Submitted)],
    ),
    (
        "accept_as_complete",
        REVIEWER,
        &[(S::Submitted, S::InReview)],
    ),
    (
        "return_incomplete",
        REVIEWER,
        &[(S::Submitted, S::Returned)],
    ),
    (
        "assign_reviewer",
        &[Role::SeaApprover, Role::Admin],
        &[(S::InReview, S::InReview)],
    ),
    ("declare_conflicts", REVIEWER, &[(S::InReview, S::InReview)]),
    // The sample panel in review has a second reviewer still to score; a
    // scored application may be re-scored until it is decided.
    (
        "score",
        REVIEWER,
        // Scoring closes with the last score: no re-scoring once scored.
        &[(S::InReview, S::InReview)],
    ),
    ("reconcile", APPROVER, &[(S::Scored, S::Scored)]),
    ("award", APPROVER, &[(S::Scored, S::Offered)]),
    (
        "decline",
        APPROVER,
        &[(S::InReview, S::Declined), (S::Scored, S::Declined)],
    ),
    ("accept_award", REP, &[(S::Offered, S::Active)]),
    ("decline_award", REP, &[(S::Offered, S::AwardDeclined)]),
    ("expire_offer", SYSTEM, &[(S::Offered, S::OfferExpired)]),
    (
        "submit_claim",
        DISTRICT,
        &[(S::Active, S::Active), (S::Closeout, S::Closeout)],
    ),
    (
        "approve_claim",
        FISCAL,
        &[(S::Active, S::Active), (S::Closeout, S::Closeout)],
    ),
    (
        "deny_claim",
        FISCAL,
        &[(S::Active, S::Active), (S::Closeout, S::Closeout)],
    ),
    ("request_amendment", DISTRICT, &[(S::Active, S::Active)]),
    (
        "approve_amendment",
        APPROVER,
        &[(S::Active, S::Active), (S::Closeout, S::Closeout)],
    ),
    (
        "deny_amendment",
        APPROVER,
        &[(S::Active, S::Active), (S::Closeout, S::Closeout)],
    ),
    (
        "submit_report",
        DISTRICT,
        &[(S::Active, S::Active), (S::Closeout, S::Closeout)],
    ),
    (
        "accept_final_report",
        REVIEWER,
        &[(S::Closeout, S::Closeout)],
    ),
    (
        "remind_report",
        SYSTEM,
        &[(S::Active, S::Active), (S::Closeout, S::Closeout)],
    ),
    (
        "mark_report_overdue",
        SYSTEM,
        &[(S::Active, S::Active), (S::Closeout, S::Closeout)],
    ),
    (
        "escalate_report",
        SYSTEM,
        &[(S::Active, S::Active), (S::Closeout, S::Closeout)],
    ),
    ("end_period", SYSTEM, &[(S::Active, S::Closeout)]),
    ("close_out", FISCAL, &[(S::Closeout, S::ClosedOut)]),
    (
        "withdraw",
        DISTRICT,
        &[
            (S::Draft, S::Withdrawn),
            (S::Submitted, S::Withdrawn),
            (S::Returned, S::Withdrawn),
            (S::InReview, S::Withdrawn),
            (S::Scored, S::Withdrawn),
        ],
    ),
];

fn expected(name: &str) -> (&'static [Role], &'static [(S, S)]) {
    EXPECTED
        .iter()
        .find(|(n, _, _)| *n == name)
        .map(|(_, roles, moves)| (*roles, *moves))
        .unwrap_or_else(|| panic!("{name} is not in the expected table"))
}

fn sample_commands() -> Vec<GrantCommand> {
    use GrantCommand as C;
    vec![
        C::EditProposal { proposal: draft() },
        submit(ApplicantFacts::default()),
        C::AcceptAsComplete,
        C::ReturnIncomplete {
            reasons: vec![ft("No letter of support.")],
        },
        assign("rev-3"),
        no_conflict(),
        score(scores(35, 30, 15)),
        C::Reconcile {
            note: ft("Discussed; the lower score stands."),
        },
        award_full(),
        C::Decline {
            reasons: vec![ft("Below the funding line.")],
        },
        C::AcceptAward,
        C::DeclineAward {
            reason: ft("The board voted against."),
        },
        C::ExpireOffer,
        claim(B::Supplies, usd(1_000), today()),
        C::ApproveClaim {
            claim: 1,
            payment_reference: ft("EFT 5521"),
        },
        C::DenyClaim {
            claim: 1,
            reasons: vec![ft("No receipt.")],
        },
        amendment(B::Personnel, B::Supplies, usd(1_000)),
        C::ApproveAmendment { amendment: 1 },
        C::DenyAmendment {
            amendment: 1,
            reasons: vec![ft("Personnel is the program.")],
        },
        report("On track."),
        C::AcceptFinalReport,
        C::RemindReport,
        C::MarkReportOverdue,
        C::EscalateReport,
        C::EndPeriod,
        C::CloseOut,
        C::Withdraw {
            reason: ft("Plans changed."),
        },
    ]
}

fn report_due(no: u32, kind: ReportKind, due: DateTime<Utc>) -> ReportDue {
    ReportDue {
        no,
        kind,
        due,
        reminded: false,
        overdue: false,
        escalated: false,
        submitted_at: None,
        narrative: None,
        accepted: false,
    }
}

/// A case sitting in `state`, with what that state implies and what
/// `command` needs already there: a panel, scores, an award, a pending
/// claim or amendment, a report due.
fn case_in(state: S, command: &GrantCommand) -> GrantCase {
    let t = terms();
    let mut case = new_case(&t, &proposal());
    let name = command.name();
    case.state = state;
    if state != S::Draft {
        case.version = 1;
        case.submitted_at = Some(now() - days(60));
        case.facts = Some(ApplicantFacts::default());
    }
    let reviewed = matches!(
        state,
        S::Scored
            | S::Offered
            | S::Active
            | S::Closeout
            | S::ClosedOut
            | S::Declined
            | S::AwardDeclined
            | S::OfferExpired
    );
    case.panel = match (state, name) {
        (S::InReview, "declare_conflicts") => vec![seat("rev-1", SeatStatus::Assigned, None)],
        (S::InReview, "assign_reviewer") => vec![seat("rev-1", SeatStatus::Cleared, None)],
        (S::InReview, _) => vec![
            seat("rev-1", SeatStatus::Cleared, None),
            seat("rev-2", SeatStatus::Cleared, None),
        ],
        _ if reviewed => vec![
            seat("rev-1", SeatStatus::Cleared, Some(scores(35, 30, 15))),
            seat("rev-2", SeatStatus::Cleared, Some(scores(30, 28, 13))),
        ],
        _ => vec![],
    };
    if reviewed {
        let disagree = name == "reconcile";
        case.aggregate = Some(Aggregate {
            reviewers: 2,
            mean_centipoints: 7550,
            spread: if disagree { 30 } else { 9 },
            disagreement: disagree,
            reconciled: None,
            equity_points: 0,
            total_centipoints: 7550,
        });
    }
    if matches!(
        state,
        S::Offered | S::Active | S::Closeout | S::ClosedOut | S::AwardDeclined | S::OfferExpired
    ) {
        case.award = Some(Award {
            amount: requested(),
            reductions: vec![],
            accept_by: now() + days(20),
            accepted_at: (state != S::Offered).then(|| now() - days(60)),
            budget: draft().outline.budget,
        });
    }
    if matches!(name, "approve_claim" | "deny_claim") {
        case.claims.push(Claim {
            no: 1,
            category: B::Supplies,
            amount: usd(1_000),
            incurred_on: today() - days(3),
            documentation: vec!["invoice 17".into()],
            submitted_at: now() - days(1),
            status: ClaimStatus::Pending,
        });
    }
    if matches!(name, "approve_amendment" | "deny_amendment") {
        case.amendments.push(Amendment {
            no: 1,
            from: B::Personnel,
            to: B::Supplies,
            amount: usd(10_000),
            reason: "Books".into(),
            status: AmendmentStatus::Pending,
        });
    }
    match state {
        S::Active => case.reports = vec![report_due(1, ReportKind::Progress, now() + days(30))],
        S::Closeout | S::ClosedOut => {
            let mut progress = report_due(1, ReportKind::Progress, now() - days(60));
            progress.submitted_at = Some(now() - days(61));
            progress.accepted = true;
            let mut last = report_due(2, ReportKind::Final, now() + days(60));
            if matches!(name, "accept_final_report" | "close_out") {
                last.submitted_at = Some(now() - days(1));
                last.narrative = Some("Done.".into());
            }
            last.accepted = name == "close_out";
            case.reports = vec![progress, last];
            case.closeout_due = Some(now() + days(60));
        }
        _ => {}
    }
    case
}

#[test]
fn the_expected_table_and_transitions_name_the_same_commands() {
    let table: BTreeSet<&str> = EXPECTED.iter().map(|(n, _, _)| *n).collect();
    let machine: BTreeSet<&str> = TRANSITIONS.iter().map(|r| r.command).collect();
    assert_eq!(table, machine);
    assert_eq!(EXPECTED.len(), table.len(), "no command twice in the table");
    let samples: BTreeSet<&str> = sample_commands().iter().map(|c| c.name()).collect();
    assert_eq!(samples, table, "one sample command per command");
}

#[test]
fn every_state_and_command_against_the_expected_table() {
    let t = terms();
    for command in &sample_commands() {
        let (roles, moves) = expected(command.name());
        let who = actor(roles[0]);
        for &state in GrantState::ALL {
            let case = case_in(state, command);
            let result = step_at(&case, &who, command, sent_at(command), &t);
            match moves.iter().find(|(from, _)| *from == state) {
                Some((_, to)) => {
                    let s = result.unwrap_or_else(|r| {
                        panic!("{} from {state:?} refused: {r:?}", command.name())
                    });
                    assert_eq!((s.from, s.to), (state, *to), "{}", command.name());
                    assert_eq!(s.decision.case.state, *to, "{}", command.name());
                }
                None => {
                    let r = match result {
                        Ok(s) => panic!(
                            "{} from {state:?} should be refused, went to {:?}",
                            command.name(),
                            s.to
                        ),
                        Err(r) => r,
                    };
                    assert_eq!(
                        r.code,
                        RefusalCode::InvalidTransition,
                        "{} from {state:?}: {}",
                        command.name(),
                        r.message
                    );
                    assert!(
                        r.message.contains(state.label()),
                        "the refusal names the state: {}",
                        r.message
                    );
                }
            }
        }
    }
}

#[test]
fn every_command_is_forbidden_to_every_other_role() {
    let t = terms();
    for command in &sample_commands() {
        let (roles, moves) = expected(command.name());
        let (from, _) = moves[0];
        for role in Role::ALL {
            // Whatever the state, the role is checked first.
            for &state in [from, S::Draft, S::ClosedOut].iter() {
                let case = case_in(state, command);
                let result = step_at(&case, &actor(role), command, sent_at(command), &t);
                if roles.contains(&role) {
                    match &result {
                        Err(r) if state == from => {
                            panic!("{} by {role} from {state:?}: {r:?}", command.name())
                        }
                        Err(r) => assert_eq!(
                            r.code,
                            RefusalCode::InvalidTransition,
                            "{} by {role} from {state:?}: {}",
                            command.name(),
                            r.message
                        ),
                        Ok(_) => {}
                    }
                } else {
                    let r = match result {
                        Ok(_) => panic!("{} by {role} accepted", command.name()),
                        Err(r) => r,
                    };
                    assert_eq!(
                        r.code,
                        RefusalCode::Forbidden,
                        "{} by {role} from {state:?}: {}",
                        command.name(),
                        r.message
                    );
                }
            }
        }
    }
}

#[test]
fn terminal_states_accept_nothing() {
    let terminal: Vec<S> = GrantState::ALL
        .iter()
        .copied()
        .filter(|s| s.is_terminal())
        .collect();
    assert_eq!(
        terminal,
        vec![
            S::ClosedOut,
            S::Declined,
            S::AwardDeclined,
            S::OfferExpired,
            S::Withdrawn
        ]
    );
    for (name, _, moves) in EXPECTED {
        assert!(
            moves.iter().all(|(from, _)| !from.is_terminal()),
            "{name} leaves a terminal state"
        );
    }
}

#[test]
fn another_districts_staff_are_forbidden() {
    let case = new_case(&terms(), &proposal());
    let other = Actor {
        user_id: "u-b".into(),
        role: Role::DistrictAuthorizedRep,
        organisation_id: "district-b".into(),
    };
    let r = refused(step(&case, &other, &submit(ApplicantFacts::default())));
    assert_eq!(r.code, RefusalCode::Forbidden);
    assert!(r.message.contains("another district"), "{}", r.message);
    let r = refused(step(
        &case,
        &applicant(),
        &submit(ApplicantFacts::default()),
    ));
    assert_eq!(
        r.code,
        RefusalCode::Forbidden,
        "an applicant cannot certify"
    );
    assert!(
        r.message.contains("district authorized representative"),
        "{}",
        r.message
    );
}

// ---------------------------------------------------------------------------
// 2. Submission
// ---------------------------------------------------------------------------

#[test]
fn submission_records_the_facts_a_version_and_a_snapshot() {
    let facts = ApplicantFacts {
        poverty_permille: Some(652),
        ..Default::default()
    };
    let case = new_case(&terms(), &proposal());
    let s = step(&case, &rep(), &submit(facts.clone())).unwrap();
    assert_eq!(s.to, S::Submitted);
    assert_eq!(s.decision.case.facts, Some(facts));
    assert_eq!(s.decision.case.version, 1);
    assert_eq!(s.decision.case.submitted_at, Some(now()));
    assert_eq!(s.decision.snapshot.as_ref().map(|x| x.version), Some(1));
    assert!(
        s.decision
            .notices
            .iter()
            .any(|n| n.audience.contains(&Audience::Reviewers)),
        "reviewers hear of a new application"
    );
}

#[test]
fn submission_outside_the_window_is_refused() {
    let case = new_case(&terms(), &proposal());
    let p = program();
    for at in [
        p.window_closes + chrono::Duration::seconds(1),
        p.window_opens - chrono::Duration::seconds(1),
    ] {
        let r = refused(step_at(
            &case,
            &rep(),
            &submit(ApplicantFacts::default()),
            at,
            &terms(),
        ));
        assert_eq!(r.code, RefusalCode::InvalidTransition, "{}", r.message);
        assert!(
            r.message.contains("2026-10-05"),
            "names the close: {}",
            r.message
        );
    }
    // The last moment of the window still counts.
    step_at(
        &case,
        &rep(),
        &submit(ApplicantFacts::default()),
        p.window_closes,
        &terms(),
    )
    .unwrap();
}

#[test]
fn submission_with_a_budget_outside_the_award_limits_is_refused() {
    for dollars in [9_999, 200_001] {
        let case = new_case(&terms(), &proposal_with(&[(B::Personnel, dollars)]));
        let r = refused(step(&case, &rep(), &submit(ApplicantFacts::default())));
        assert_eq!(r.code, RefusalCode::Validation);
        assert!(r.message.contains("$10,000.00"), "min: {}", r.message);
        assert!(r.message.contains("$200,000.00"), "max: {}", r.message);
        assert!(
            r.message.contains(&usd(dollars).to_string()),
            "names the request: {}",
            r.message
        );
    }
    for dollars in [10_000, 200_000] {
        let case = new_case(&terms(), &proposal_with(&[(B::Personnel, dollars)]));
        step(&case, &rep(), &submit(ApplicantFacts::default())).unwrap();
    }
}

#[test]
fn an_incomplete_proposal_cannot_be_submitted() {
    let mut p = proposal();
    p.goals.clear();
    p.students_served = 0;
    let case = new_case(&terms(), &p);
    let r = refused(step(&case, &rep(), &submit(ApplicantFacts::default())));
    assert_eq!(r.code, RefusalCode::Validation);
    assert!(r.message.contains("goal"), "{}", r.message);
    assert!(r.message.contains("students"), "{}", r.message);
}

#[test]
fn network_member_eligibility_needs_the_membership() {
    let t = terms_with(|p| {
        p.eligibility = Eligibility::NetworkMembers {
            network: Some("CBE-NET".into()),
        }
    });
    let case = new_case(&t, &proposal());
    let r = refused(step_at(
        &case,
        &rep(),
        &submit(ApplicantFacts::default()),
        now(),
        &t,
    ));
    assert_eq!(r.code, RefusalCode::Validation);
    assert!(r.message.contains("CBE-NET"), "{}", r.message);
    let elsewhere = ApplicantFacts {
        networks: vec!["OTHER-NET".into()],
        ..Default::default()
    };
    refused(step_at(&case, &rep(), &submit(elsewhere), now(), &t));
    let member = ApplicantFacts {
        networks: vec!["cbe-net".into()],
        ..Default::default()
    };
    let s = step_at(&case, &rep(), &submit(member), now(), &t).unwrap();
    assert_eq!(s.to, S::Submitted);

    // Of any network.
    let t = terms_with(|p| p.eligibility = Eligibility::NetworkMembers { network: None });
    refused(step_at(
        &case,
        &rep(),
        &submit(ApplicantFacts::default()),
        now(),
        &t,
    ));
    let any = ApplicantFacts {
        networks: vec!["OTHER-NET".into()],
        ..Default::default()
    };
    step_at(&case, &rep(), &submit(any), now(), &t).unwrap();
}

#[test]
fn waiver_holder_eligibility_needs_a_waiver_in_force() {
    let t = terms_with(|p| p.eligibility = Eligibility::WaiverHolders);
    let case = new_case(&t, &proposal());
    let r = refused(step_at(
        &case,
        &rep(),
        &submit(ApplicantFacts::default()),
        now(),
        &t,
    ));
    assert_eq!(r.code, RefusalCode::Validation);
    assert!(r.message.contains("waiver"), "{}", r.message);
    let holder = ApplicantFacts {
        active_waiver: true,
        ..Default::default()
    };
    let s = step_at(&case, &rep(), &submit(holder), now(), &t).unwrap();
    assert_eq!(s.to, S::Submitted);
}

#[test]
fn a_later_phase_needs_the_earlier_grant_closed_out_successfully() {
    let t = terms_with(|p| p.follows = Some("PLAN-26".into()));
    let case = new_case(&t, &proposal());

    let none = refused(step_at(
        &case,
        &rep(),
        &submit(ApplicantFacts::default()),
        now(),
        &t,
    ));
    assert_eq!(none.code, RefusalCode::Validation);
    assert!(none.message.contains("PLAN-26"), "{}", none.message);

    let open = ApplicantFacts {
        earlier_phase: vec![EarlierGrant {
            case_id: "grant-plan-26-district-a".into(),
            state: S::Active,
            succeeded: false,
        }],
        ..Default::default()
    };
    let r = refused(step_at(&case, &rep(), &submit(open), now(), &t));
    assert_eq!(r.code, RefusalCode::Validation);
    assert!(
        r.message.contains("grant-plan-26-district-a"),
        "names the earlier case: {}",
        r.message
    );
    assert!(r.message.contains(S::Active.label()), "{}", r.message);

    let done = ApplicantFacts {
        earlier_phase: vec![EarlierGrant {
            case_id: "grant-plan-26-district-a".into(),
            state: S::ClosedOut,
            succeeded: true,
        }],
        ..Default::default()
    };
    let s = step_at(&case, &rep(), &submit(done), now(), &t).unwrap();
    assert_eq!(s.to, S::Submitted);
}

#[test]
fn a_returned_application_is_edited_and_submitted_again() {
    let case = submitted_with(&terms(), ApplicantFacts::default());
    let case = apply(
        &case,
        &reviewer("rev-9"),
        &GrantCommand::ReturnIncomplete {
            reasons: vec![ft("No goals"), ft("  ")],
        },
    );
    assert_eq!(case.state, S::Returned);
    let blank = refused(step(
        &submitted_with(&terms(), ApplicantFacts::default()),
        &reviewer("rev-9"),
        &GrantCommand::ReturnIncomplete {
            reasons: vec![ft(" ")],
        },
    ));
    assert_eq!(blank.code, RefusalCode::Validation);
    let p = proposal_with(&[(B::Personnel, 50_000)]);
    let case = apply(
        &case,
        &applicant(),
        &GrantCommand::EditProposal {
            proposal: draft_of(&p),
        },
    );
    assert_eq!(case.proposal.outline.requested, usd(50_000));
    let s = step(&case, &rep(), &submit(ApplicantFacts::default())).unwrap();
    assert_eq!(s.decision.case.version, 2);
}

// ---------------------------------------------------------------------------
// 3. Recusal
// ---------------------------------------------------------------------------

fn tie(kind: AffiliationKind, org: &str) -> RecordedTie {
    RecordedTie {
        kind,
        organisation_id: org.into(),
    }
}

#[test]
fn a_recorded_tie_to_the_applicant_recuses_whatever_is_declared() {
    let case = in_review();
    let s = step(
        &case,
        &reviewer("rev-1"),
        &GrantCommand::DeclareConflicts {
            conflict: None,
            ties: vec![tie(AffiliationKind::BoardSeat, ORG)],
        },
    )
    .unwrap();
    let seat = s.decision.case.seat("rev-1").unwrap();
    match &seat.status {
        SeatStatus::Recused { reason } => {
            assert!(reason.contains("board seat"), "{reason}");
            assert!(reason.contains(ORG), "{reason}");
        }
        other => panic!("not recused: {other:?}"),
    }
    assert!(!s.decision.case.cleared("rev-1"));
    let n = s
        .decision
        .notices
        .iter()
        .find(|n| n.audience.contains(&Audience::Approvers))
        .expect("the approvers are told");
    assert!(
        n.subject.contains("replacement") || n.body.contains("replacement"),
        "{n:?}"
    );
    assert!(n.body.contains("rev-1"), "{n:?}");
}

#[test]
fn a_tie_to_another_organisation_does_not_recuse() {
    let case = in_review();
    let s = step(
        &case,
        &reviewer("rev-1"),
        &GrantCommand::DeclareConflicts {
            conflict: Some(ft("   ")),
            ties: vec![tie(AffiliationKind::FormerEmployer, "district-b")],
        },
    )
    .unwrap();
    assert_eq!(
        s.decision.case.seat("rev-1").unwrap().status,
        SeatStatus::Cleared
    );
    assert!(s.decision.case.cleared("rev-1"));
    assert!(s.decision.notices.is_empty(), "{:?}", s.decision.notices);
}

#[test]
fn a_declared_conflict_recuses() {
    let case = in_review();
    let s = step(
        &case,
        &reviewer("rev-2"),
        &GrantCommand::DeclareConflicts {
            conflict: Some(ft("My sister teaches there.")),
            ties: vec![],
        },
    )
    .unwrap();
    match &s.decision.case.seat("rev-2").unwrap().status {
        SeatStatus::Recused { reason } => assert!(reason.contains("sister"), "{reason}"),
        other => panic!("not recused: {other:?}"),
    }
    // Declaring twice is refused.
    let again = refused(step(&s.decision.case, &reviewer("rev-2"), &no_conflict()));
    assert_eq!(again.code, RefusalCode::InvalidTransition);
}

#[test]
fn a_recused_reviewer_cannot_score_and_is_replaced_by_another() {
    let mut case = in_review();
    case = apply(
        &case,
        &reviewer("rev-1"),
        &GrantCommand::DeclareConflicts {
            conflict: None,
            ties: vec![tie(AffiliationKind::FamilyMember, ORG)],
        },
    );
    case = apply(&case, &reviewer("rev-2"), &no_conflict());

    let r = refused(step(&case, &reviewer("rev-1"), &score(scores(30, 30, 15))));
    assert_eq!(r.code, RefusalCode::Forbidden, "{}", r.message);

    // The full panel counts only seats not recused.
    let again = refused(step(&case, &approver(), &assign("rev-1")));
    assert_eq!(again.code, RefusalCode::Conflict, "{}", again.message);
    let s = step(&case, &approver(), &assign("rev-3")).unwrap();
    assert_eq!(s.decision.case.panel.len(), 3);
    assert_eq!(
        GrantMachine::header(&s.decision.case)
            .assigned_reviewer
            .as_deref(),
        Some("rev-3")
    );
    case = s.decision.case;
    let full = refused(step(&case, &actor(Role::Admin), &assign("rev-4")));
    assert_eq!(
        full.code,
        RefusalCode::InvalidTransition,
        "{}",
        full.message
    );

    // The replacement's score completes the panel.
    case = apply(&case, &reviewer("rev-2"), &score(scores(30, 30, 15)));
    assert_eq!(case.state, S::InReview);
    assert_eq!(case.aggregate, None);
    case = apply(&case, &reviewer("rev-3"), &no_conflict());
    case = apply(&case, &reviewer("rev-3"), &score(scores(32, 30, 15)));
    assert_eq!(case.state, S::Scored);
    let a = case.aggregate.unwrap();
    assert_eq!(a.reviewers, 2);
    assert_eq!(a.mean_centipoints, 7600);
}

// ---------------------------------------------------------------------------
// 4. Scoring and aggregation
// ---------------------------------------------------------------------------

#[test]
fn the_panel_is_scored_once_every_reviewer_has_scored() {
    let mut case = cleared_panel_with(&terms(), ApplicantFacts::default());
    // An assigned reviewer who has not yet been cleared cannot score.
    let early = in_review();
    let r = refused(step(&early, &reviewer("rev-1"), &score(scores(1, 1, 1))));
    assert_eq!(r.code, RefusalCode::Forbidden);

    case = apply(&case, &reviewer("rev-1"), &score(scores(35, 30, 15)));
    assert_eq!(case.state, S::InReview);
    assert_eq!(case.aggregate, None);
    let s = step(&case, &reviewer("rev-2"), &score(scores(30, 28, 13))).unwrap();
    assert_eq!(s.to, S::Scored);
    let a = s.decision.case.aggregate.clone().unwrap();
    assert_eq!(a.reviewers, 2);
    // (80 + 71) / 2 = 75.5
    assert_eq!(a.mean_centipoints, 7550);
    assert_eq!(a.spread, 9);
    assert!(!a.disagreement);
    assert_eq!(a.equity_points, 0);
    assert_eq!(a.total_centipoints, 7550);
    assert!(
        s.decision
            .notices
            .iter()
            .any(|n| n.audience.contains(&Audience::Approvers) && n.body.contains("75.5")),
        "{:?}",
        s.decision.notices
    );
}

#[test]
fn the_mean_rounds_half_up_in_hundredths() {
    let t = terms_with(|p| {
        p.reviewers_per_application = 3;
    });
    let mut case = submitted_with(&t, ApplicantFacts::default());
    case = apply_at(
        &case,
        &reviewer("rev-9"),
        &GrantCommand::AcceptAsComplete,
        now(),
        &t,
    );
    for id in ["rev-1", "rev-2", "rev-3"] {
        case = apply_at(&case, &approver(), &assign(id), now(), &t);
        case = apply_at(&case, &reviewer(id), &no_conflict(), now(), &t);
    }
    // 34 + 33 + 34 = 101: a mean of 33.666...
    case = apply_at(
        &case,
        &reviewer("rev-1"),
        &score(scores(20, 10, 4)),
        now(),
        &t,
    );
    case = apply_at(
        &case,
        &reviewer("rev-2"),
        &score(scores(20, 10, 3)),
        now(),
        &t,
    );
    assert_eq!(case.state, S::InReview);
    case = apply_at(
        &case,
        &reviewer("rev-3"),
        &score(scores(20, 10, 4)),
        now(),
        &t,
    );
    let a = case.aggregate.unwrap();
    assert_eq!(a.mean_centipoints, 3367);
    assert_eq!(a.spread, 1);
}

fn equity_of(facts: ApplicantFacts) -> Aggregate {
    scored_with(&terms(), facts, scores(35, 30, 15), scores(30, 28, 13))
        .aggregate
        .unwrap()
}

#[test]
fn equity_points_go_to_under_resourced_applicants_only() {
    let threshold = GrantRules::default().equity_poverty_threshold_percent * 10;
    let above = equity_of(ApplicantFacts {
        poverty_permille: Some(threshold + 1),
        ..Default::default()
    });
    assert_eq!(above.equity_points, 5);
    assert_eq!(above.total_centipoints, 7550 + 500);
    assert_eq!(above.mean_centipoints, 7550);

    let at = equity_of(ApplicantFacts {
        poverty_permille: Some(threshold),
        ..Default::default()
    });
    assert_eq!(at.equity_points, 0, "at the threshold is not above it");
    assert_eq!(at.total_centipoints, 7550);

    let flagged = equity_of(ApplicantFacts {
        poverty_permille: Some(100),
        equity_flags: vec!["Under_Resourced".into()],
        ..Default::default()
    });
    assert_eq!(flagged.equity_points, 5);
    assert_eq!(flagged.total_centipoints, 8050);

    let other_flag = equity_of(ApplicantFacts {
        equity_flags: vec!["rural".into()],
        ..Default::default()
    });
    assert_eq!(other_flag.equity_points, 0);

    let t = terms();
    assert!(!under_resourced(&ApplicantFacts::default(), &t));
}

#[test]
fn a_wide_spread_must_be_reconciled_before_the_award() {
    // 90 and 60: 30 points apart, more than the flag of 20.
    let case = scored_with(
        &terms(),
        ApplicantFacts::default(),
        scores(40, 35, 15),
        scores(25, 25, 10),
    );
    let a = case.aggregate.clone().unwrap();
    assert_eq!(a.spread, 30);
    assert!(a.disagreement);
    assert_eq!(a.mean_centipoints, 7500);

    let r = refused(step(&case, &approver(), &award_full()));
    assert_eq!(r.code, RefusalCode::InvalidTransition);
    assert!(r.message.contains("reconcile"), "{}", r.message);

    let blank = refused(step(
        &case,
        &approver(),
        &GrantCommand::Reconcile { note: ft(" ") },
    ));
    assert_eq!(blank.code, RefusalCode::Validation);
    let case = apply(
        &case,
        &approver(),
        &GrantCommand::Reconcile {
            note: ft("Talked it through; the plan is sound."),
        },
    );
    assert_eq!(
        case.aggregate.as_ref().unwrap().reconciled.as_deref(),
        Some("Talked it through; the plan is sound.")
    );
    let s = step(&case, &approver(), &award_full()).unwrap();
    assert_eq!(s.to, S::Offered);
}

#[test]
fn a_spread_at_the_flag_is_no_disagreement() {
    // 80 and 60: exactly 20 apart.
    let case = scored_with(
        &terms(),
        ApplicantFacts::default(),
        scores(35, 30, 15),
        scores(25, 25, 10),
    );
    let a = case.aggregate.clone().unwrap();
    assert_eq!(a.spread, 20);
    assert!(!a.disagreement);
    let r = refused(step(
        &case,
        &approver(),
        &GrantCommand::Reconcile { note: ft("n/a") },
    ));
    assert_eq!(r.code, RefusalCode::InvalidTransition);
    step(&case, &approver(), &award_full()).unwrap();
}

#[test]
fn scores_must_cover_the_rubric_within_its_points_with_comments() {
    let case = cleared_panel_with(&terms(), ApplicantFacts::default());
    let rev = reviewer("rev-1");

    let mut missing = scores(35, 30, 15);
    missing.retain(|s| s.criterion != "plan");
    let r = refused(step(&case, &rev, &score(missing)));
    assert_eq!(r.code, RefusalCode::Validation);
    assert!(r.message.contains("plan"), "{}", r.message);

    let r = refused(step(&case, &rev, &score(scores(41, 30, 15))));
    assert_eq!(r.code, RefusalCode::Validation);
    assert!(
        r.message.contains("need") && r.message.contains("40"),
        "{}",
        r.message
    );

    let mut blank = scores(35, 30, 15);
    blank[1].comment = ft("  ");
    let r = refused(step(&case, &rev, &score(blank)));
    assert_eq!(r.code, RefusalCode::Validation);
    assert!(r.message.contains("Comment"), "{}", r.message);

    let mut unknown = scores(35, 30, 15);
    unknown[2].criterion = "charm".into();
    let r = refused(step(&case, &rev, &score(unknown)));
    assert_eq!(r.code, RefusalCode::Validation);

    let mut twice = scores(35, 30, 15);
    twice.push(twice[0].clone());
    let r = refused(step(&case, &rev, &score(twice)));
    assert_eq!(r.code, RefusalCode::Validation);

    let r = refused(step(&case, &reviewer("rev-9"), &score(scores(35, 30, 15))));
    assert_eq!(r.code, RefusalCode::Forbidden);
    assert!(r.message.contains("panel"), "{}", r.message);

    // Exactly the maximum is fine.
    step(&case, &rev, &score(scores(40, 40, 20))).unwrap();
}

// ---------------------------------------------------------------------------
// 5. Award and money
// ---------------------------------------------------------------------------

#[test]
fn the_full_award_commits_the_requested_amount() {
    let s = step(&scored(), &approver(), &award_full()).unwrap();
    assert_eq!(s.to, S::Offered);
    let award = s.decision.case.award.clone().unwrap();
    assert_eq!(award.amount, requested());
    assert!(award.reductions.is_empty());
    assert_eq!(award.accept_by, now() + days(30));
    assert_eq!(award.budget, draft().outline.budget);
    assert_eq!(s.decision.effects.len(), 1, "{:?}", s.decision.effects);
    match &s.decision.effects[0] {
        Effect::MoveMoney {
            ledger,
            amount,
            from,
            to,
            refusal,
        } => {
            assert_eq!(ledger, LEDGER);
            assert_eq!(*amount, requested().get());
            assert_eq!((*from, *to), (Bucket::Available, Bucket::Committed));
            assert_eq!(refusal.code, RefusalCode::Conflict);
            assert!(
                refusal.message.contains("{available}"),
                "{}",
                refusal.message
            );
        }
        other => panic!("not a move: {other:?}"),
    }
    let clocks = GrantMachine::clocks(&s.decision.case, &terms());
    assert_eq!(clocks.len(), 1);
    assert_eq!(clocks[0].command, GrantCommand::ExpireOffer);
    assert_eq!(clocks[0].due_at, award.accept_by);
}

#[test]
fn a_reduced_award_needs_reasons_and_scales_the_budget() {
    let case = scored();
    let reduced = |reasons: Vec<FreeText>| GrantCommand::Award {
        amount: Some(usd(75_000)),
        reasons,
    };
    let r = refused(step(&case, &approver(), &reduced(vec![])));
    assert_eq!(r.code, RefusalCode::Validation);
    let r = refused(step(&case, &approver(), &reduced(vec![ft("  ")])));
    assert_eq!(r.code, RefusalCode::Validation);

    let s = step(&case, &approver(), &reduced(vec![ft("Travel is high.")])).unwrap();
    let award = s.decision.case.award.clone().unwrap();
    assert_eq!(award.amount, usd(75_000));
    assert_eq!(award.reductions, vec!["Travel is high.".to_string()]);
    assert_eq!(award.budget.get(&B::Personnel), Some(&usd(45_000)));
    assert_eq!(award.budget.get(&B::Supplies), Some(&usd(22_500)));
    assert_eq!(award.budget.get(&B::Travel), Some(&usd(7_500)));
    assert_eq!(award.budget.values().copied().sum::<Cents>(), usd(75_000));
    assert!(matches!(
        s.decision.effects.as_slice(),
        [Effect::MoveMoney { amount, .. }] if *amount == usd(75_000).get()
    ));

    // Amounts that do not divide evenly still sum to the award exactly.
    for cents in [9_999_999, 3_333_333, 1_000_001, 7_777_777] {
        let s = step(
            &case,
            &approver(),
            &GrantCommand::Award {
                amount: Some(Cents(cents)),
                reasons: vec![ft("Scaled.")],
            },
        )
        .unwrap();
        let budget = s.decision.case.award.unwrap().budget;
        assert_eq!(
            budget.values().copied().sum::<Cents>(),
            Cents(cents),
            "{budget:?}"
        );
        assert_eq!(budget.len(), 3);
    }
}

#[test]
fn an_award_above_the_request_or_the_limits_is_refused() {
    let case = scored();
    let r = refused(step(
        &case,
        &approver(),
        &GrantCommand::Award {
            amount: Some(requested() + Cents(1)),
            reasons: vec![ft("More!")],
        },
    ));
    assert_eq!(r.code, RefusalCode::Validation);
    assert!(r.message.contains("$100,000.00"), "{}", r.message);
    let r = refused(step(
        &case,
        &approver(),
        &GrantCommand::Award {
            amount: Some(usd(9_000)),
            reasons: vec![ft("Less")],
        },
    ));
    assert_eq!(r.code, RefusalCode::Validation);
    assert!(r.message.contains("$10,000.00"), "{}", r.message);
}

#[test]
fn declining_or_letting_the_offer_expire_returns_the_award() {
    let case = apply(
        &scored(),
        &approver(),
        &GrantCommand::Award {
            amount: Some(usd(80_000)),
            reasons: vec![ft("Budget cut.")],
        },
    );
    let s = step(
        &case,
        &rep(),
        &GrantCommand::DeclineAward {
            reason: ft("The board voted no."),
        },
    )
    .unwrap();
    assert_eq!(s.to, S::AwardDeclined);
    assert_eq!(s.decision.case.returned, Some(usd(80_000)));
    assert_eq!(
        s.decision.effects,
        vec![Effect::ReturnMoney {
            ledger: LEDGER.into(),
            amount: usd(80_000).get()
        }]
    );
    let blank = refused(step(
        &case,
        &rep(),
        &GrantCommand::DeclineAward { reason: ft(" ") },
    ));
    assert_eq!(blank.code, RefusalCode::Validation);

    let early = refused(step(&case, &system(), &GrantCommand::ExpireOffer));
    assert_eq!(
        early.code,
        RefusalCode::InvalidTransition,
        "a clock is never early"
    );
    let s = step_at(
        &case,
        &system(),
        &GrantCommand::ExpireOffer,
        now() + days(400),
        &terms(),
    )
    .unwrap();
    assert_eq!(s.to, S::OfferExpired);
    assert_eq!(s.decision.case.returned, Some(usd(80_000)));
    assert_eq!(
        s.decision.effects,
        vec![Effect::ReturnMoney {
            ledger: LEDGER.into(),
            amount: usd(80_000).get()
        }]
    );
}

#[test]
fn declining_an_application_moves_no_money() {
    let s = step(
        &scored(),
        &approver(),
        &GrantCommand::Decline {
            reasons: vec![ft("Below the line.")],
        },
    )
    .unwrap();
    assert_eq!(s.to, S::Declined);
    assert!(s.decision.effects.is_empty());
    let r = refused(step(
        &scored(),
        &approver(),
        &GrantCommand::Decline { reasons: vec![] },
    ));
    assert_eq!(r.code, RefusalCode::Validation);
}

// ---------------------------------------------------------------------------
// 6. Claims
// ---------------------------------------------------------------------------

fn approve(no: u32) -> GrantCommand {
    GrantCommand::ApproveClaim {
        claim: no,
        payment_reference: ft(&format!("EFT {no}")),
    }
}

#[test]
fn a_claim_above_the_remaining_balance_names_it() {
    let mut case = active();
    // $60,000 + $30,000 paid, $8,765.44 pending: $1,234.56 left.
    case = apply(
        &case,
        &applicant(),
        &claim(B::Personnel, usd(60_000), today()),
    );
    case = apply(&case, &fiscal(), &approve(1));
    case = apply(
        &case,
        &applicant(),
        &claim(B::Supplies, usd(30_000), today()),
    );
    case = apply(&case, &fiscal(), &approve(2));
    case = apply(
        &case,
        &applicant(),
        &claim(B::Travel, Cents(876_544), today()),
    );
    let r = refused(step(
        &case,
        &applicant(),
        &claim(B::Travel, usd(2_000), today()),
    ));
    assert_eq!(r.code, RefusalCode::Validation);
    assert_eq!(Cents(123_456).to_string(), "$1,234.56");
    assert!(r.message.contains("$1,234.56"), "{}", r.message);
    assert!(r.message.contains("$2,000.00"), "{}", r.message);
    // Exactly the balance fits.
    let s = step(&case, &rep(), &claim(B::Travel, Cents(123_456), today())).unwrap();
    assert_eq!(s.decision.case.claims.len(), 4);
}

#[test]
fn a_denied_claim_frees_its_amount_again() {
    let mut case = active();
    case = apply(
        &case,
        &applicant(),
        &claim(B::Personnel, usd(60_000), today()),
    );
    case = apply(
        &case,
        &fiscal(),
        &GrantCommand::DenyClaim {
            claim: 1,
            reasons: vec![ft("No payroll record.")],
        },
    );
    step(
        &case,
        &applicant(),
        &claim(B::Personnel, usd(60_000), today()),
    )
    .unwrap();
}

#[test]
fn a_claim_more_than_the_overrun_threshold_over_its_category_is_refused() {
    let case = active();
    // Travel: $10,000 budgeted, 10% over is $11,000.
    let s = step(&case, &applicant(), &claim(B::Travel, usd(11_000), today())).unwrap();
    assert_eq!(s.to, S::Active);
    let r = refused(step(
        &case,
        &applicant(),
        &claim(B::Travel, usd(11_000) + Cents(1), today()),
    ));
    assert_eq!(r.code, RefusalCode::Validation);
    assert!(r.message.contains("budget amendment"), "{}", r.message);
    assert!(r.message.contains("travel"), "{}", r.message);

    // Claims add up: $6,000 then $5,000.01 takes travel over.
    let case = apply(&case, &applicant(), &claim(B::Travel, usd(6_000), today()));
    let r = refused(step(
        &case,
        &applicant(),
        &claim(B::Travel, usd(5_000) + Cents(1), today()),
    ));
    assert!(r.message.contains("budget amendment"), "{}", r.message);
    step(&case, &applicant(), &claim(B::Travel, usd(5_000), today())).unwrap();

    // A category with no budget takes nothing.
    let r = refused(step(
        &active(),
        &applicant(),
        &claim(B::Equipment, usd(1), today()),
    ));
    assert!(r.message.contains("budget amendment"), "{}", r.message);
}

#[test]
fn costs_incurred_after_spend_by_are_not_reimbursed() {
    let case = active();
    let spend_by = program().spend_by.date_naive();
    let late = spend_by.succ_opt().unwrap();
    let r = refused(step(
        &case,
        &applicant(),
        &claim(B::Supplies, usd(100), late),
    ));
    assert_eq!(r.code, RefusalCode::Validation);
    assert!(r.message.contains(&spend_by.to_string()), "{}", r.message);
    step(&case, &applicant(), &claim(B::Supplies, usd(100), spend_by)).unwrap();
}

#[test]
fn claims_are_held_while_a_report_is_overdue() {
    let case = active();
    let first_due = case.reports[0].due;
    let after = first_due + days(1);
    let r = refused(step_at(
        &case,
        &applicant(),
        &claim(B::Supplies, usd(100), today()),
        after,
        &terms(),
    ));
    assert_eq!(r.code, RefusalCode::InvalidTransition);
    assert!(r.message.contains("report 1"), "{}", r.message);
    // Before it is due, the same claim passes.
    step_at(
        &case,
        &applicant(),
        &claim(B::Supplies, usd(100), today()),
        first_due,
        &terms(),
    )
    .unwrap();
    // Once the report is in, claims flow again.
    let case = apply_at(
        &case,
        &applicant(),
        &report("Quarter one."),
        after,
        &terms(),
    );
    step_at(
        &case,
        &applicant(),
        &claim(B::Supplies, usd(100), today()),
        after,
        &terms(),
    )
    .unwrap();
}

#[test]
fn claims_need_documentation_and_an_amount() {
    let case = active();
    let r = refused(step(
        &case,
        &applicant(),
        &GrantCommand::SubmitClaim {
            category: B::Supplies,
            amount: usd(100),
            incurred_on: today(),
            documentation: vec![ft(" ")],
        },
    ));
    assert_eq!(r.code, RefusalCode::Validation);
    let r = refused(step(
        &case,
        &applicant(),
        &claim(B::Supplies, Cents::ZERO, today()),
    ));
    assert_eq!(r.code, RefusalCode::Validation);
}

#[test]
fn approving_a_claim_pays_it_and_denying_records_why() {
    let mut case = active();
    case = apply(
        &case,
        &applicant(),
        &claim(B::Supplies, usd(2_500), today()),
    );
    case = apply(&case, &applicant(), &claim(B::Travel, usd(700), today()));
    assert_eq!(case.claims[0].status, ClaimStatus::Pending);

    let s = step(&case, &fiscal(), &approve(1)).unwrap();
    match &s.decision.effects[..] {
        [
            Effect::MoveMoney {
                ledger,
                amount,
                from,
                to,
                ..
            },
        ] => {
            assert_eq!(ledger, LEDGER);
            assert_eq!(*amount, usd(2_500).get());
            assert_eq!((*from, *to), (Bucket::Committed, Bucket::Disbursed));
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        &s.decision.case.claims[0].status,
        ClaimStatus::Paid { payment_reference, paid_at } if payment_reference == "EFT 1" && *paid_at == now()
    ));
    case = s.decision.case;

    let s = step(
        &case,
        &fiscal(),
        &GrantCommand::DenyClaim {
            claim: 2,
            reasons: vec![ft("Personal travel."), ft("  ")],
        },
    )
    .unwrap();
    assert!(s.decision.effects.is_empty());
    assert_eq!(
        s.decision.case.claims[1].status,
        ClaimStatus::Denied {
            reasons: vec!["Personal travel.".into()]
        }
    );
    case = s.decision.case;

    // Decided once is decided.
    for command in [
        approve(1),
        approve(2),
        GrantCommand::DenyClaim {
            claim: 1,
            reasons: vec![ft("Oops")],
        },
    ] {
        let r = refused(step(&case, &fiscal(), &command));
        assert_eq!(r.code, RefusalCode::InvalidTransition, "{}", r.message);
        assert!(r.message.contains("already decided"), "{}", r.message);
    }
    let r = refused(step(&case, &fiscal(), &approve(9)));
    assert_eq!(r.code, RefusalCode::Validation);
    let r = refused(step(
        &case,
        &fiscal(),
        &GrantCommand::DenyClaim {
            claim: 2,
            reasons: vec![],
        },
    ));
    assert_eq!(r.code, RefusalCode::Validation);
}

// ---------------------------------------------------------------------------
// 7. Amendments
// ---------------------------------------------------------------------------

#[test]
fn a_small_amendment_applies_at_once() {
    let case = active();
    // 10% of personnel's $60,000.
    let s = step(
        &case,
        &applicant(),
        &amendment(B::Personnel, B::Supplies, usd(6_000)),
    )
    .unwrap();
    let a = &s.decision.case.amendments[0];
    assert_eq!(a.status, AmendmentStatus::Applied);
    assert_eq!(a.no, 1);
    let budget = &s.decision.case.award.as_ref().unwrap().budget;
    assert_eq!(budget.get(&B::Personnel), Some(&usd(54_000)));
    assert_eq!(budget.get(&B::Supplies), Some(&usd(36_000)));
    assert!(
        s.decision
            .notices
            .iter()
            .all(|n| !n.audience.contains(&Audience::Approvers)),
        "no approval needed"
    );
    // The moved money may be claimed now.
    let case = s.decision.case;
    step(
        &case,
        &applicant(),
        &claim(B::Supplies, usd(36_000), today()),
    )
    .unwrap();
}

#[test]
fn small_amendments_add_up_toward_the_threshold() {
    // 2 CFR 200.308 counts transfers together: two moves of 6% of
    // personnel's $60,000 are 12%, and the second needs the approver.
    let case = active();
    let first = step(
        &case,
        &applicant(),
        &amendment(B::Personnel, B::Supplies, usd(3_600)),
    )
    .unwrap()
    .decision
    .case;
    assert_eq!(first.amendments[0].status, AmendmentStatus::Applied);
    let second = step(
        &first,
        &applicant(),
        &amendment(B::Personnel, B::Travel, usd(3_600)),
    )
    .unwrap()
    .decision
    .case;
    assert_eq!(second.amendments[1].status, AmendmentStatus::Pending);
    let budget = &second.award.as_ref().unwrap().budget;
    assert_eq!(
        budget.get(&B::Personnel),
        Some(&usd(56_400)),
        "only the first moved"
    );
}

#[test]
fn a_large_amendment_waits_for_the_approver() {
    let case = active();
    let big = usd(6_000) + Cents(1);
    let s = step(&case, &rep(), &amendment(B::Personnel, B::Equipment, big)).unwrap();
    assert_eq!(
        s.decision.case.amendments[0].status,
        AmendmentStatus::Pending
    );
    assert_eq!(
        s.decision.case.award.as_ref().unwrap().budget,
        case.award.as_ref().unwrap().budget,
        "nothing moves yet"
    );
    assert!(
        s.decision
            .notices
            .iter()
            .any(|n| n.audience.contains(&Audience::Approvers)),
        "{:?}",
        s.decision.notices
    );
    let pending = s.decision.case;

    // Another waits behind it.
    let r = refused(step(
        &pending,
        &rep(),
        &amendment(B::Travel, B::Supplies, usd(100)),
    ));
    assert_eq!(r.code, RefusalCode::InvalidTransition);

    let approved = apply(
        &pending,
        &approver(),
        &GrantCommand::ApproveAmendment { amendment: 1 },
    );
    assert_eq!(approved.amendments[0].status, AmendmentStatus::Approved);
    let budget = &approved.award.as_ref().unwrap().budget;
    assert_eq!(budget.get(&B::Personnel), Some(&(usd(60_000) - big)));
    assert_eq!(budget.get(&B::Equipment), Some(&big));
    let r = refused(step(
        &approved,
        &approver(),
        &GrantCommand::ApproveAmendment { amendment: 1 },
    ));
    assert_eq!(r.code, RefusalCode::InvalidTransition);

    let denied = apply(
        &pending,
        &approver(),
        &GrantCommand::DenyAmendment {
            amendment: 1,
            reasons: vec![ft("Equipment is not allowed.")],
        },
    );
    assert_eq!(denied.amendments[0].status, AmendmentStatus::Denied);
    assert_eq!(
        denied.award.as_ref().unwrap().budget,
        case.award.as_ref().unwrap().budget
    );
}

#[test]
fn an_amendment_claimed_away_while_pending_cannot_be_approved() {
    let mut case = active();
    case = apply(
        &case,
        &rep(),
        &amendment(B::Personnel, B::Supplies, usd(10_000)),
    );
    assert_eq!(case.amendments[0].status, AmendmentStatus::Pending);
    // Personnel's claims leave only $5,000 unclaimed.
    case = apply(
        &case,
        &applicant(),
        &claim(B::Personnel, usd(55_000), today()),
    );
    let r = refused(step(
        &case,
        &approver(),
        &GrantCommand::ApproveAmendment { amendment: 1 },
    ));
    assert_eq!(r.code, RefusalCode::InvalidTransition);
    assert!(r.message.contains("$5,000.00"), "{}", r.message);
    let denied = apply(
        &case,
        &approver(),
        &GrantCommand::DenyAmendment {
            amendment: 1,
            reasons: vec![ft("No longer fits.")],
        },
    );
    assert_eq!(denied.amendments[0].status, AmendmentStatus::Denied);
}

/// An amendment still awaiting the approver when the period ends: the
/// approver was asked to decide it, and should still be able to (or the
/// end of the period should settle it), so that no closed-out grant keeps
/// an amendment pending for ever.
#[test]
fn a_pending_amendment_can_still_be_settled_after_the_period_ends() {
    let t = terms();
    let end = program().period_ends;
    let mut case = reports_all_in();
    case = apply(
        &case,
        &rep(),
        &amendment(B::Personnel, B::Supplies, usd(10_000)),
    );
    assert_eq!(case.amendments[0].status, AmendmentStatus::Pending);
    case = apply_at(&case, &system(), &GrantCommand::EndPeriod, end, &t);
    if case.amendments[0].status == AmendmentStatus::Pending {
        let deny = GrantCommand::DenyAmendment {
            amendment: 1,
            reasons: vec![ft("The period has ended.")],
        };
        let result = step_at(&case, &approver(), &deny, end, &t);
        assert!(
            result.is_ok(),
            "amendment 1 is still pending in closeout and cannot be decided: {:?}",
            result.err()
        );
    }
}

#[test]
fn an_amendment_cannot_move_what_is_already_claimed() {
    let mut case = active();
    case = apply(&case, &applicant(), &claim(B::Travel, usd(9_500), today()));
    let r = refused(step(
        &case,
        &applicant(),
        &amendment(B::Travel, B::Supplies, usd(501)),
    ));
    assert_eq!(r.code, RefusalCode::Validation);
    assert!(r.message.contains("$500.00"), "{}", r.message);
    let r = refused(step(
        &case,
        &applicant(),
        &amendment(B::Travel, B::Travel, usd(1)),
    ));
    assert_eq!(r.code, RefusalCode::Validation);
}

// ---------------------------------------------------------------------------
// 8. Reports and clocks
// ---------------------------------------------------------------------------

#[test]
fn acceptance_schedules_reports_until_the_period_ends() {
    let case = active();
    assert_eq!(case.state, S::Active);
    assert_eq!(case.award.as_ref().unwrap().accepted_at, Some(now()));
    // Every 90 days before day 365: days 90, 180, 270, 360.
    let dues: Vec<DateTime<Utc>> = case.reports.iter().map(|r| r.due).collect();
    assert_eq!(
        dues,
        vec![
            now() + days(90),
            now() + days(180),
            now() + days(270),
            now() + days(360)
        ]
    );
    assert!(case.reports.iter().all(|r| r.kind == ReportKind::Progress));
    let nos: Vec<u32> = case.reports.iter().map(|r| r.no).collect();
    assert_eq!(nos, vec![1, 2, 3, 4]);
    assert!(case.reports.iter().all(|r| r.due < program().period_ends));
}

#[test]
fn clocks_in_an_active_grant_follow_the_next_report() {
    let t = terms();
    let mut case = active();
    let clocks = GrantMachine::clocks(&case, &t);
    let kinds: Vec<&str> = clocks.iter().map(|c| c.kind).collect();
    assert_eq!(kinds, vec!["report_reminder", "report_due", "grant_period"]);
    assert_eq!(clocks[0].due_at, now() + days(90 - 14));
    assert_eq!(clocks[0].command, GrantCommand::RemindReport);
    assert_eq!(clocks[1].due_at, now() + days(90));
    assert_eq!(clocks[1].command, GrantCommand::MarkReportOverdue);
    assert_eq!(clocks[2].due_at, program().period_ends);
    assert_eq!(clocks[2].command, GrantCommand::EndPeriod);
    assert!(clocks.windows(2).all(|w| w[0].due_at <= w[1].due_at));

    case = apply_at(
        &case,
        &system(),
        &GrantCommand::RemindReport,
        now() + days(76),
        &t,
    );
    assert!(case.reports[0].reminded);
    let clocks = GrantMachine::clocks(&case, &t);
    assert_eq!(clocks[0].kind, "report_due");

    case = apply_at(
        &case,
        &system(),
        &GrantCommand::MarkReportOverdue,
        now() + days(90),
        &t,
    );
    assert!(case.reports[0].overdue);
    let clocks = GrantMachine::clocks(&case, &t);
    assert_eq!(clocks[0].command, GrantCommand::EscalateReport);
    assert_eq!(clocks[0].due_at, now() + days(90 + 14));
    assert!(
        clocks
            .iter()
            .all(|c| c.command != GrantCommand::MarkReportOverdue),
        "{clocks:?}"
    );

    let escalated = apply_at(
        &case,
        &system(),
        &GrantCommand::EscalateReport,
        now() + days(104),
        &t,
    );
    assert!(escalated.reports[0].escalated);
    let clocks = GrantMachine::clocks(&escalated, &t);
    assert_eq!(
        clocks.iter().map(|c| c.kind).collect::<Vec<_>>(),
        vec!["grant_period"]
    );

    // The report submitted, the next report's clocks run.
    case = apply_at(
        &case,
        &applicant(),
        &report("Quarter one."),
        now() + days(95),
        &t,
    );
    assert_eq!(case.reports[0].submitted_at, Some(now() + days(95)));
    assert!(
        case.reports[0].accepted,
        "a progress report is accepted on receipt"
    );
    let clocks = GrantMachine::clocks(&case, &t);
    assert!(
        clocks
            .iter()
            .all(|c| c.command != GrantCommand::EscalateReport),
        "{clocks:?}"
    );
    assert_eq!(clocks[0].kind, "report_reminder");
    assert_eq!(clocks[0].due_at, now() + days(180 - 14));
    assert!(
        clocks[0].description.contains("report 2"),
        "{}",
        clocks[0].description
    );
}

#[test]
fn a_progress_report_cannot_be_submitted_too_early() {
    let t = terms();
    let case = active();
    // Report 1 is due on day 90; it may be sent from day 0. Report 2,
    // due on day 180, only from day 90.
    let case = apply_at(&case, &applicant(), &report("Q1"), now() + days(10), &t);
    let r = refused(step_at(
        &case,
        &applicant(),
        &report("Q2"),
        now() + days(20),
        &t,
    ));
    assert_eq!(r.code, RefusalCode::InvalidTransition);
    let r = refused(step_at(
        &case,
        &applicant(),
        &report(" "),
        now() + days(95),
        &t,
    ));
    assert_eq!(r.code, RefusalCode::Validation);
}

/// An active grant with every progress report in, at the end of its period.
fn reports_all_in() -> GrantCase {
    let mut case = active();
    for r in &mut case.reports {
        r.submitted_at = Some(r.due);
        r.narrative = Some("Fine.".into());
        r.accepted = true;
    }
    case
}

#[test]
fn the_period_ends_with_a_final_report_due_at_closeout() {
    let t = terms();
    let end = program().period_ends;
    let s = step_at(
        &reports_all_in(),
        &system(),
        &GrantCommand::EndPeriod,
        end,
        &t,
    )
    .unwrap();
    assert_eq!(s.to, S::Closeout);
    let case = s.decision.case;
    assert_eq!(case.closeout_due, Some(end + days(90)));
    let last = case.reports.last().unwrap();
    assert_eq!(last.kind, ReportKind::Final);
    assert_eq!(last.no, 5);
    assert_eq!(last.due, end + days(90));
    let clocks = GrantMachine::clocks(&case, &t);
    let kinds: Vec<&str> = clocks.iter().map(|c| c.kind).collect();
    assert_eq!(
        kinds,
        vec!["report_reminder", "report_due"],
        "no period clock in closeout"
    );
    assert_eq!(clocks[1].due_at, end + days(90));
}

#[test]
fn closeout_needs_decided_claims_and_an_accepted_final_report() {
    let t = terms();
    let end = program().period_ends;
    let mut case = reports_all_in();
    case = apply_at(
        &case,
        &applicant(),
        &claim(B::Personnel, usd(50_000), today()),
        now(),
        &t,
    );
    case = apply_at(&case, &fiscal(), &approve(1), now(), &t);
    case = apply_at(&case, &system(), &GrantCommand::EndPeriod, end, &t);
    let at = end + days(10);
    // The final claim comes in closeout.
    case = apply_at(
        &case,
        &applicant(),
        &claim(B::Supplies, usd(20_000), today()),
        at,
        &t,
    );

    let r = refused(step_at(&case, &fiscal(), &GrantCommand::CloseOut, at, &t));
    assert_eq!(r.code, RefusalCode::InvalidTransition);
    assert!(r.message.contains("pending claim"), "{}", r.message);
    case = apply_at(&case, &fiscal(), &approve(2), at, &t);

    let r = refused(step_at(&case, &fiscal(), &GrantCommand::CloseOut, at, &t));
    assert!(r.message.contains("final report"), "{}", r.message);
    let r = refused(step_at(
        &case,
        &reviewer("rev-1"),
        &GrantCommand::AcceptFinalReport,
        at,
        &t,
    ));
    assert_eq!(r.code, RefusalCode::InvalidTransition);

    case = apply_at(&case, &rep(), &report("What we learned."), at, &t);
    assert!(
        !case.reports.last().unwrap().accepted,
        "a reviewer accepts the final report"
    );
    assert!(GrantMachine::clocks(&case, &t).is_empty());
    let r = refused(step_at(&case, &fiscal(), &GrantCommand::CloseOut, at, &t));
    assert!(r.message.contains("final report"), "{}", r.message);

    case = apply_at(
        &case,
        &reviewer("rev-1"),
        &GrantCommand::AcceptFinalReport,
        at,
        &t,
    );
    assert!(case.reports.last().unwrap().accepted);
    let r = refused(step_at(
        &case,
        &reviewer("rev-1"),
        &GrantCommand::AcceptFinalReport,
        at,
        &t,
    ));
    assert_eq!(r.code, RefusalCode::InvalidTransition);

    let s = step_at(&case, &fiscal(), &GrantCommand::CloseOut, at, &t).unwrap();
    assert_eq!(s.to, S::ClosedOut);
    // $100,000 awarded, $70,000 paid.
    assert_eq!(s.decision.case.returned, Some(usd(30_000)));
    assert_eq!(
        s.decision.effects,
        vec![Effect::ReturnMoney {
            ledger: LEDGER.into(),
            amount: usd(30_000).get()
        }]
    );
}

#[test]
fn closeout_with_everything_spent_returns_nothing() {
    let t = terms();
    let end = program().period_ends;
    let mut case = reports_all_in();
    for (i, (category, dollars)) in [
        (B::Personnel, 60_000),
        (B::Supplies, 30_000),
        (B::Travel, 10_000),
    ]
    .into_iter()
    .enumerate()
    {
        case = apply_at(
            &case,
            &applicant(),
            &claim(category, usd(dollars), today()),
            now(),
            &t,
        );
        case = apply_at(&case, &fiscal(), &approve(i as u32 + 1), now(), &t);
    }
    case = apply_at(&case, &system(), &GrantCommand::EndPeriod, end, &t);
    case = apply_at(&case, &rep(), &report("All spent."), end, &t);
    case = apply_at(
        &case,
        &reviewer("rev-1"),
        &GrantCommand::AcceptFinalReport,
        end,
        &t,
    );
    let s = step_at(&case, &fiscal(), &GrantCommand::CloseOut, end, &t).unwrap();
    assert_eq!(s.decision.case.returned, Some(Cents::ZERO));
    assert!(s.decision.effects.is_empty(), "{:?}", s.decision.effects);
}

#[test]
fn claims_after_the_closeout_deadline_are_refused() {
    let t = terms();
    let end = program().period_ends;
    let mut case = apply_at(
        &reports_all_in(),
        &system(),
        &GrantCommand::EndPeriod,
        end,
        &t,
    );
    // The final report is in, so only the deadline stands in the way.
    case = apply_at(&case, &rep(), &report("Done."), end, &t);
    let late = end + days(91);
    let r = refused(step_at(
        &case,
        &applicant(),
        &claim(B::Supplies, usd(100), today()),
        late,
        &t,
    ));
    assert_eq!(r.code, RefusalCode::InvalidTransition);
    assert!(r.message.contains("final claim"), "{}", r.message);
}

// ---------------------------------------------------------------------------
// 9. The program machine
// ---------------------------------------------------------------------------

fn program_case() -> GrantProgramCase {
    GrantProgramCase::new(&terms(), "u-admin".into())
}

fn program_step(
    case: &GrantProgramCase,
    who: &Actor,
    command: &GrantProgramCommand,
    at: DateTime<Utc>,
) -> Result<Step<GrantProgramMachine>, Refusal> {
    engine_step::<GrantProgramMachine>(case, who, command, at, &terms())
}

#[test]
fn opening_a_program_opens_its_ledger() {
    let case = program_case();
    assert_eq!(case.id, "grant-program-mastery-27");
    assert_eq!(case.state, GrantProgramState::Draft);
    for role in Role::ALL {
        let result = program_step(&case, &actor(role), &GrantProgramCommand::Open, now());
        if matches!(role, Role::SeaApprover | Role::Admin) {
            let s = result.unwrap();
            assert_eq!(s.to, GrantProgramState::Open);
            assert_eq!(
                s.decision.effects,
                vec![Effect::OpenLedger {
                    ledger: LEDGER.into(),
                    label: "Mastery Learning Grants (FY2027)".into(),
                    appropriated: usd(1_000_000).get(),
                }]
            );
        } else {
            let r = result.err().unwrap_or_else(|| panic!("{role} opened it"));
            assert_eq!(r.code, RefusalCode::Forbidden, "{role}");
        }
    }
    // Not on lapsed money.
    let r = program_step(
        &case,
        &approver(),
        &GrantProgramCommand::Open,
        program().appropriation.lapses_at,
    )
    .unwrap_err();
    assert_eq!(r.code, RefusalCode::InvalidTransition);
    // Not twice.
    let open = program_step(&case, &approver(), &GrantProgramCommand::Open, now())
        .unwrap()
        .decision
        .case;
    let r = program_step(&open, &approver(), &GrantProgramCommand::Open, now()).unwrap_err();
    assert_eq!(r.code, RefusalCode::InvalidTransition);
}

#[test]
fn lapsing_closes_the_ledger_it_opened() {
    let draft = program_case();
    let open = program_step(&draft, &approver(), &GrantProgramCommand::Open, now())
        .unwrap()
        .decision
        .case;
    let lapses = program().appropriation.lapses_at;

    let s = program_step(&open, &system(), &GrantProgramCommand::LapseFunds, lapses).unwrap();
    assert_eq!(s.to, GrantProgramState::Lapsed);
    assert_eq!(
        s.decision.effects,
        vec![Effect::CloseLedger {
            ledger: LEDGER.into()
        }]
    );
    let lapsed = s.decision.case;

    let s = program_step(&draft, &system(), &GrantProgramCommand::LapseFunds, lapses).unwrap();
    assert_eq!(s.to, GrantProgramState::Lapsed);
    assert!(
        s.decision.effects.is_empty(),
        "a draft has no ledger to close"
    );

    let r = program_step(&open, &approver(), &GrantProgramCommand::LapseFunds, lapses).unwrap_err();
    assert_eq!(r.code, RefusalCode::Forbidden);
    let r = program_step(&lapsed, &system(), &GrantProgramCommand::LapseFunds, lapses).unwrap_err();
    assert_eq!(r.code, RefusalCode::InvalidTransition);

    for case in [&draft, &open] {
        let clocks = GrantProgramMachine::clocks(case, &terms());
        assert_eq!(clocks.len(), 1);
        assert_eq!(clocks[0].kind, "appropriation_lapse");
        assert_eq!(clocks[0].due_at, lapses);
        assert_eq!(clocks[0].command, GrantProgramCommand::LapseFunds);
    }
    assert!(GrantProgramMachine::clocks(&lapsed, &terms()).is_empty());
}

// ---------------------------------------------------------------------------
// 10. The program's terms
// ---------------------------------------------------------------------------

#[track_caller]
fn problems_with(f: impl FnOnce(&mut GrantProgramTerms)) -> Vec<String> {
    let mut p = program();
    f(&mut p);
    p.check()
}

#[track_caller]
fn names(problems: &[String], words: &str) {
    assert!(
        problems.iter().any(|p| p.contains(words)),
        "no problem mentions `{words}`: {problems:?}"
    );
}

#[test]
fn sound_terms_have_no_problems() {
    assert_eq!(program().check(), Vec::<String>::new());
}

#[test]
fn terms_check_names_each_problem() {
    let p = problems_with(|p| {
        p.min_award = usd(300_000);
        p.max_award = usd(200_000);
    });
    names(&p, "minimum award ($300,000.00)");
    names(&p, "maximum ($200,000.00)");

    let p = problems_with(|p| p.max_award = usd(2_000_000));
    names(
        &p,
        "maximum award ($2,000,000.00) is more than the appropriation ($1,000,000.00)",
    );

    let p = problems_with(|p| p.rubric.clear());
    names(&p, "rubric needs at least one criterion");

    let p = problems_with(|p| p.window_closes = p.window_opens - days(1));
    names(&p, "window must close after it opens");

    let p = problems_with(|p| {
        p.phase = Phase::Planning;
        p.follows = Some("EARLIER".into());
    });
    names(&p, "planning program");
    assert!(
        problems_with(|p| {
            p.phase = Phase::Planning;
            p.follows = None;
        })
        .is_empty()
    );

    let p = problems_with(|p| p.follows = Some("mastery-27".into()));
    names(&p, "cannot follow itself");

    let p = problems_with(|p| p.rubric.push(criterion("need", 10)));
    names(&p, "`need`");

    let p = problems_with(|p| p.reviewers_per_application = 0);
    names(&p, "1 to 9 reviewers");

    let p = problems_with(|p| p.spend_by = p.period_ends + days(1));
    names(&p, "spend-by");
}

#[test]
fn past_the_closeout_deadline_a_grant_closes_out_without_its_final_report() {
    // A district that never files its final report must not hold the
    // unspent money for ever; it gets no credit for a later phase either.
    let t = terms();
    let end = program().period_ends;
    let mut case = reports_all_in();
    case = apply_at(
        &case,
        &system(),
        &GrantCommand::EndPeriod,
        end + days(3),
        &t,
    );
    let due = case.closeout_due.unwrap();
    assert_eq!(
        due,
        end + t.rules.clocks.closeout.chrono(),
        "counted from the period's end"
    );
    let r = refused(step_at(&case, &fiscal(), &GrantCommand::CloseOut, due, &t));
    assert!(r.message.contains("final report"), "{}", r.message);
    let s = step_at(&case, &fiscal(), &GrantCommand::CloseOut, due + days(1), &t).unwrap();
    assert_eq!(s.to, S::ClosedOut);
    assert!(
        s.decision
            .reasons
            .iter()
            .any(|r| r.contains("without an accepted final report"))
    );
    assert!(matches!(
        s.decision.effects[..],
        [Effect::ReturnMoney { .. }]
    ));
    assert!(!s.decision.case.succeeded());
}

#[test]
fn nothing_is_awarded_once_the_appropriation_has_lapsed() {
    let t = terms();
    let case = scored();
    let lapsed = program().appropriation.lapses_at;
    let r = refused(step_at(
        &case,
        &approver(),
        &GrantCommand::Award {
            amount: None,
            reasons: vec![],
        },
        lapsed,
        &t,
    ));
    assert_eq!(r.code, RefusalCode::InvalidTransition);
    assert!(r.message.contains("lapsed"), "{}", r.message);
}
