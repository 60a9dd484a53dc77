//! Every state x every command against a table written from the network
//! program's description, then the seat rules and the guards.
use super::*;
use crate::domain::state_profile::load_builtin;
use crate::engine::document::store;
use crate::engine::refusal::RefusalCode;
use crate::engine::{Step, step as engine_step};
use crate::network::application::{NetworkApplication, ReadinessAnswer};
use chrono::TimeZone;

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, 12, 0, 0).unwrap()
}

/// The demo network: cap 3, wait list by submission time, re-confirmation.
fn rules() -> NetworkRules {
    load_builtin("DEMO").unwrap().networks[0].clone()
}

fn ft(text: &str) -> FreeText {
    FreeText::parse("text", text).unwrap()
}

fn ready_application(rules: &NetworkRules) -> NetworkApplication {
    NetworkApplication {
        letter: "Riverbend commits to the network's work.".into(),
        commitments: rules.commitments.iter().map(|c| c.id.clone()).collect(),
        readiness: rules
            .readiness
            .iter()
            .map(|q| ReadinessAnswer {
                question_id: q.id.clone(),
                answer: "Our superintendent leads a design team.".into(),
            })
            .collect(),
        school_ids: vec![],
        students_reached: 1200,
    }
}

fn draft_of(application: &NetworkApplication) -> ApplicationDraft {
    ApplicationDraft {
        document: store(application).unwrap().reference,
        outline: application.outline(),
    }
}

fn step(
    case: &MembershipCase,
    actor: &Actor,
    command: &MembershipCommand,
    at: DateTime<Utc>,
    rules: &NetworkRules,
) -> Result<Step<MembershipMachine>, Refusal> {
    engine_step::<MembershipMachine>(case, actor, command, at, rules)
}

fn sample_commands(rules: &NetworkRules) -> Vec<MembershipCommand> {
    use MembershipCommand as C;
    vec![
        C::EditApplication {
            application: draft_of(&ready_application(rules)),
        },
        C::Submit,
        C::AcceptAsComplete,
        C::ReturnIncomplete {
            reasons: vec![ft("The letter is unsigned.")],
        },
        C::Review {
            score: 80,
            summary: ft("A ready team."),
        },
        C::Select,
        C::WaitList,
        C::Decline {
            reasons: vec![ft("Not ready this year.")],
        },
        C::OfferSeat,
        C::AcceptOffer,
        C::DeclineOffer {
            reason: ft("Not this year."),
        },
        C::ExpireOffer,
        C::ConfirmInterest,
        C::RemindInterest,
        C::DropFromWaitList,
        C::BeginMembership,
        C::RemindRecommitment,
        C::Recommit {
            statement: ft("Another year of convenings."),
        },
        C::MarkRecommitmentOverdue,
        C::Lapse,
        C::Exit {
            reason: ft("Our board voted to leave."),
        },
        C::Remove {
            reasons: vec![ft("Commitments not kept.")],
        },
        C::Withdraw {
            reason: ft("Plans changed."),
        },
    ]
}

/// A case in `state` with every clock of that state already run out.
fn case_in(state: MembershipState) -> MembershipCase {
    let rules = rules();
    let mut case = MembershipCase::new(
        "membership-1".into(),
        &rules,
        "district-a".into(),
        "u-app".into(),
        draft_of(&ready_application(&rules)),
    );
    let long_ago = now() - chrono::Duration::days(800);
    case.state = state;
    case.submitted_at = Some(long_ago);
    case.review = Some(ApplicationReview {
        reviewer_id: "rev-1".into(),
        score: 70,
        summary: "fine".into(),
    });
    case.offer_expires = Some(long_ago);
    case.interest_due = Some(long_ago);
    case.planning_ends = Some(long_ago);
    case.recommit_due = Some(long_ago);
    case
}

/// Who does what, from the program's description rather than its table.
fn actor_for(command: &MembershipCommand) -> Actor {
    let role = match command.name() {
        "edit_application" | "withdraw" => Role::DistrictApplicant,
        "submit" | "accept_offer" | "decline_offer" | "confirm_interest" | "recommit" | "exit" => {
            Role::DistrictAuthorizedRep
        }
        "accept_as_complete" | "return_incomplete" | "review" => Role::SeaReviewer,
        "select" | "wait_list" | "decline" | "remove" => Role::SeaApprover,
        "offer_seat"
        | "expire_offer"
        | "remind_interest"
        | "drop_from_wait_list"
        | "begin_membership"
        | "remind_recommitment"
        | "mark_recommitment_overdue"
        | "lapse" => Role::System,
        other => panic!("no actor for {other}"),
    };
    Actor {
        user_id: format!("u-{role}"),
        role,
        organisation_id: if role.is_district() {
            "district-a".into()
        } else {
            "sea".into()
        },
    }
}

const MEMBERS: [S; 3] = [S::Planning, S::Active, S::RecommitmentOverdue];

/// What each command does from each state, written from DOMAIN.md's
/// account of networks: apply in a window, completeness and review, select
/// or wait-list or decline, offers of freed seats, the planning year, the
/// yearly re-commitment, and leaving.
const EXPECTED: &[(&str, &[(S, S)])] = &[
    (
        "edit_application",
        &[(S::Draft, S::Draft), (S::Returned, S::Returned)],
    ),
    (
        "submit",
        &[(S::Draft, S::Submitted), (S::Returned, S::Submitted)],
    ),
    ("accept_as_complete", &[(S::Submitted, S::InReview)]),
    ("return_incomplete", &[(S::Submitted, S::Returned)]),
    ("review", &[(S::InReview, S::Reviewed)]),
    (
        "select",
        &[(S::InReview, S::Planning), (S::Reviewed, S::Planning)],
    ),
    (
        "wait_list",
        &[(S::InReview, S::WaitListed), (S::Reviewed, S::WaitListed)],
    ),
    (
        "decline",
        &[(S::InReview, S::Declined), (S::Reviewed, S::Declined)],
    ),
    ("offer_seat", &[(S::WaitListed, S::Offered)]),
    ("accept_offer", &[(S::Offered, S::Planning)]),
    ("decline_offer", &[(S::Offered, S::OfferDeclined)]),
    ("expire_offer", &[(S::Offered, S::OfferExpired)]),
    ("confirm_interest", &[(S::WaitListed, S::WaitListed)]),
    ("remind_interest", &[(S::WaitListed, S::WaitListed)]),
    ("drop_from_wait_list", &[(S::WaitListed, S::LeftWaitList)]),
    ("begin_membership", &[(S::Planning, S::Active)]),
    ("remind_recommitment", &[(S::Active, S::Active)]),
    (
        "recommit",
        &[(S::Active, S::Active), (S::RecommitmentOverdue, S::Active)],
    ),
    (
        "mark_recommitment_overdue",
        &[(S::Active, S::RecommitmentOverdue)],
    ),
    ("lapse", &[(S::RecommitmentOverdue, S::Lapsed)]),
    (
        "exit",
        &[
            (S::Planning, S::Exited),
            (S::Active, S::Exited),
            (S::RecommitmentOverdue, S::Exited),
        ],
    ),
    (
        "remove",
        &[
            (S::Planning, S::Removed),
            (S::Active, S::Removed),
            (S::RecommitmentOverdue, S::Removed),
        ],
    ),
    (
        "withdraw",
        &[
            (S::Draft, S::Withdrawn),
            (S::Submitted, S::Withdrawn),
            (S::Returned, S::Withdrawn),
            (S::InReview, S::Withdrawn),
            (S::Reviewed, S::Withdrawn),
            (S::WaitListed, S::Withdrawn),
        ],
    ),
];

#[test]
fn every_state_and_command_against_the_expected_table() {
    let rules = rules();
    let commands = sample_commands(&rules);
    assert_eq!(commands.len(), EXPECTED.len(), "one sample per command");
    for command in &commands {
        let (_, moves) = EXPECTED
            .iter()
            .find(|(name, _)| *name == command.name())
            .unwrap_or_else(|| panic!("{} is not in the expected table", command.name()));
        for &state in MembershipState::ALL {
            let result = step(&case_in(state), &actor_for(command), command, now(), &rules);
            match moves.iter().find(|(from, _)| *from == state) {
                Some((_, to)) => {
                    let s = result.unwrap_or_else(|r| {
                        panic!("{} from {state:?} refused: {r}", command.name())
                    });
                    assert_eq!((s.from, s.to), (state, *to), "{}", command.name());
                }
                None => {
                    let r = result.expect_err(&format!(
                        "{} from {state:?} should be refused",
                        command.name()
                    ));
                    assert_eq!(
                        r.code,
                        RefusalCode::InvalidTransition,
                        "{} from {state:?}: {}",
                        command.name(),
                        r.message
                    );
                    assert!(r.message.contains(state.label()), "{}", r.message);
                }
            }
        }
    }
}

/// The seat rules, checked on every accepted step: a step that takes a
/// case into a seat-holding state reserves one (or receives one passed
/// on), and a step that leaves one passes it on; a wait-listed case that
/// leaves the list leaves the queue, and nothing else touches the pool.
#[test]
fn every_step_keeps_the_seat_count() {
    let rules = rules();
    for command in &sample_commands(&rules) {
        for &state in MembershipState::ALL {
            let Ok(s) = step(&case_in(state), &actor_for(command), command, now(), &rules) else {
                continue;
            };
            let effects = &s.decision.effects;
            let reserves = effects
                .iter()
                .filter(|e| matches!(e, Effect::Reserve { amount: 1, .. }))
                .count();
            let passes = effects
                .iter()
                .filter(|e| matches!(e, Effect::PassOn { amount: 1, .. }))
                .count();
            let queues = effects
                .iter()
                .filter(|e| matches!(e, Effect::Enqueue { .. }))
                .count();
            let leaves = effects
                .iter()
                .filter(|e| matches!(e, Effect::LeaveQueue { .. }))
                .count();
            let fills = effects
                .iter()
                .filter(|e| matches!(e, Effect::FillFromQueue { .. }))
                .count();
            let name = command.name();
            let gains = !s.from.holds_seat() && s.to.holds_seat();
            let loses = s.from.holds_seat() && !s.to.holds_seat();
            // A seat offered arrives already held: it was passed on.
            assert_eq!(
                reserves,
                usize::from(gains && name != "offer_seat"),
                "{name} from {:?}",
                s.from
            );
            assert_eq!(passes, usize::from(loses), "{name} from {:?}", s.from);
            assert_eq!(
                queues,
                usize::from(s.from != S::WaitListed && s.to == S::WaitListed),
                "{name}"
            );
            assert_eq!(
                leaves,
                usize::from(s.from == S::WaitListed && !matches!(s.to, S::WaitListed | S::Offered)),
                "{name} from {:?}",
                s.from
            );
            // Joining the queue offers any seat free at that moment.
            assert_eq!(fills, queues, "{name}");
            assert_eq!(
                effects.len(),
                reserves + passes + queues + leaves + fills,
                "{name}"
            );
        }
    }
    for m in MEMBERS {
        assert!(m.holds_seat() && m.is_member());
    }
}

#[test]
fn submission_needs_an_open_window_and_a_complete_application() {
    let mut rules = load_builtin("DEMO").unwrap().networks[0].clone();
    let rep = actor_for(&MembershipCommand::Submit);
    let mut case = case_in(S::Draft);
    let s = step(&case, &rep, &MembershipCommand::Submit, now(), &rules).unwrap();
    assert_eq!(s.decision.snapshot.as_ref().unwrap().version, 1);
    assert_eq!(s.decision.case.submitted_at, Some(now()));

    rules.windows[0] = crate::network::rules::ApplicationWindow {
        opens: crate::network::rules::WindowDay::parse("09-01").unwrap(),
        closes: crate::network::rules::WindowDay::parse("10-31").unwrap(),
    };
    let r = step(&case, &rep, &MembershipCommand::Submit, now(), &rules).unwrap_err();
    assert_eq!(r.code, RefusalCode::InvalidTransition);
    assert!(
        r.message.contains("September 1 to October 31 each year")
            && r.message.contains("2026-11-23"),
        "{}",
        r.message
    );

    let rules = self::rules();
    let mut thin = ready_application(&rules);
    thin.commitments.pop();
    thin.readiness[0].answer = "  ".into();
    thin.students_reached = 0;
    case.application = draft_of(&thin);
    let r = step(&case, &rep, &MembershipCommand::Submit, now(), &rules).unwrap_err();
    assert_eq!(r.code, RefusalCode::Validation);
    for expected in [
        "sign the commitment",
        "answer the readiness question",
        "estimate how many students",
    ] {
        assert!(r.message.contains(expected), "{expected}: {}", r.message);
    }
}

#[test]
fn the_wait_list_order_comes_from_the_profile() {
    let mut rules = rules();
    let approver = actor_for(&MembershipCommand::WaitList);
    let mut case = case_in(S::Reviewed);
    let s = step(
        &case,
        &approver,
        &MembershipCommand::WaitList,
        now(),
        &rules,
    )
    .unwrap();
    assert!(matches!(
        &s.decision.effects[0],
        Effect::Enqueue { rank: 0, since, .. } if Some(*since) == case.submitted_at
    ));
    rules.wait_list_order = WaitListOrder::ReviewRanking;
    let s = step(
        &case,
        &approver,
        &MembershipCommand::WaitList,
        now(),
        &rules,
    )
    .unwrap();
    assert!(matches!(
        &s.decision.effects[0],
        Effect::Enqueue { rank: -70, .. }
    ));
    case.state = S::InReview;
    case.review = None;
    let r = step(
        &case,
        &approver,
        &MembershipCommand::WaitList,
        now(),
        &rules,
    )
    .unwrap_err();
    assert!(r.message.contains("review score"), "{}", r.message);
    rules.cap = None;
    let r = step(
        &case_in(S::Reviewed),
        &approver,
        &MembershipCommand::WaitList,
        now(),
        &rules,
    )
    .unwrap_err();
    assert!(r.message.contains("no cap"), "{}", r.message);
}

#[test]
fn clocks_do_not_fire_early() {
    let rules = rules();
    let system = Actor::system();
    let mut case = case_in(S::Active);
    case.recommit_due = Some(now() + chrono::Duration::days(100));
    for command in [
        MembershipCommand::RemindRecommitment,
        MembershipCommand::MarkRecommitmentOverdue,
    ] {
        let r = step(&case, &system, &command, now(), &rules).unwrap_err();
        assert_eq!(r.code, RefusalCode::InvalidTransition, "{}", command.name());
    }
    let clocks = MembershipMachine::clocks(&case, &rules);
    assert_eq!(clocks.len(), 2);
    assert_eq!(clocks[0].command, MembershipCommand::RemindRecommitment);
    assert_eq!(clocks[0].due_at, now() + chrono::Duration::days(100 - 30));
    assert_eq!(
        clocks[1].command,
        MembershipCommand::MarkRecommitmentOverdue
    );

    let mut overdue = case_in(S::RecommitmentOverdue);
    overdue.recommit_due = Some(now() - chrono::Duration::days(10));
    assert!(step(&overdue, &system, &MembershipCommand::Lapse, now(), &rules).is_err());
    let lapse_at = MembershipCommand::Lapse;
    let clocks = MembershipMachine::clocks(&overdue, &rules);
    assert_eq!(clocks[0].command, lapse_at);
    assert_eq!(clocks[0].due_at, now() + chrono::Duration::days(20));
}

#[test]
fn recommitment_counts_from_the_deadline_and_starts_a_fresh_history() {
    let rules = rules();
    let rep = actor_for(&MembershipCommand::Exit { reason: ft("x") });
    let mut case = case_in(S::RecommitmentOverdue);
    let due = now() - chrono::Duration::days(3);
    case.recommit_due = Some(due);
    let command = MembershipCommand::Recommit {
        statement: ft("We stay."),
    };
    let s = step(&case, &rep, &command, now(), &rules).unwrap();
    assert_eq!(
        s.decision.case.recommit_due,
        Some(due + chrono::Duration::days(365))
    );
    assert!(MembershipMachine::checkpoint(&command));
    let blank = MembershipCommand::Recommit { statement: ft(" ") };
    assert_eq!(
        step(&case, &rep, &blank, now(), &rules).unwrap_err().code,
        RefusalCode::Validation
    );
}

#[test]
fn cohorts_are_school_years() {
    assert_eq!(school_year(now()), "2026-27");
    assert_eq!(
        school_year(Utc.with_ymd_and_hms(2027, 6, 30, 0, 0, 0).unwrap()),
        "2026-27"
    );
    assert_eq!(
        school_year(Utc.with_ymd_and_hms(2099, 7, 1, 0, 0, 0).unwrap()),
        "2099-00"
    );
}

#[test]
fn another_district_cannot_act() {
    let rules = rules();
    let other = Actor {
        user_id: "u-other".into(),
        role: Role::DistrictAuthorizedRep,
        organisation_id: "district-b".into(),
    };
    let r = step(
        &case_in(S::Draft),
        &other,
        &MembershipCommand::Submit,
        now(),
        &rules,
    )
    .unwrap_err();
    assert_eq!(r.code, RefusalCode::Forbidden);
    assert!(r.message.contains("another district"), "{}", r.message);
}
