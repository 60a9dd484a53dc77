//! Every state x every command: the allowed ones move, the rest are refused
//! with a reason. Then the guards inside the allowed transitions.
use super::*;
use crate::domain::state_profile::load_builtin;
use crate::engine::document::store;
use crate::engine::refusal::RefusalCode;
use crate::engine::{Step, step as engine_step};
use crate::waiver::content::*;
use chrono::TimeZone;

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 10, 12, 0, 0).unwrap()
}

fn profile() -> WaiverRules {
    load_builtin("DEMO").unwrap().waivers
}

fn ft(text: &str) -> FreeText {
    FreeText::parse("text", text).unwrap()
}

/// The draft a case carries for `content`, as the API stores it.
fn draft_of(content: &WaiverContent) -> WaiverDraft {
    WaiverDraft {
        document: store(content).unwrap().reference,
        outline: content.outline(),
    }
}

fn step(
    case: &WaiverCase,
    actor: &Actor,
    command: &WaiverCommand,
    now: DateTime<Utc>,
    rules: &WaiverRules,
) -> Result<Step<WaiverMachine>, Refusal> {
    engine_step::<WaiverMachine>(case, actor, command, now, rules)
}

fn ready_content() -> WaiverContent {
    WaiverContent {
        title: "Competency-based progression at Lincoln High".into(),
        applicant: Applicant {
            kind: ApplicantKind::District,
            school_ids: vec![],
        },
        items: vec![item("DS 22-7-101 seat time"), item("DS 22-7-205 calendar")],
        students_affected: 420,
        grades: vec!["9".into(), "10".into()],
        subgroups: vec!["english_learners".into()],
        resources: "Two coaches".into(),
        local_support: LocalSupport {
            board_vote: Some(Vote {
                yes: 4,
                no: 1,
                membership: 5,
            }),
            staff_vote: Some(StaffVote {
                yes: 30,
                no: 5,
                eligible: 40,
                secret_ballot: true,
                certified_by: "Teacher panel".into(),
            }),
            public_hearing_on: None,
            plan_posted_on: None,
            board_vote_on: None,
            parent_consultation: "Two evening forums".into(),
        },
    }
}

fn item(citation: &str) -> ProvisionItem {
    ProvisionItem {
        citation: citation.into(),
        rationale: "Students advance on mastery".into(),
        replacement_practice: "Competency assessments".into(),
        goal: "Graduation rate +5".into(),
        measure: "Cohort graduation rate".into(),
    }
}

fn rulings(content: &WaiverContent) -> Vec<ProvisionRuling> {
    content
        .citations()
        .into_iter()
        .map(|c| ProvisionRuling {
            citation: c,
            title: None,
            waivable: true,
            reason: None,
        })
        .collect()
}

fn decisions(content: &WaiverContent, outcome: Outcome) -> Vec<ProvisionDecision> {
    content
        .citations()
        .into_iter()
        .map(|c| ProvisionDecision {
            citation: c,
            outcome,
            conditions: None,
            reason: (outcome == Outcome::Deny).then(|| ft("no replacement practice")),
        })
        .collect()
}

fn sample_commands() -> Vec<WaiverCommand> {
    let c = ready_content();
    vec![
        WaiverCommand::EditDraft {
            draft: draft_of(&c),
        },
        WaiverCommand::Submit {
            rulings: rulings(&c),
        },
        WaiverCommand::AcceptAsComplete,
        WaiverCommand::ReturnIncomplete {
            reasons: vec![ft("missing staff vote tally")],
        },
        WaiverCommand::AssignReviewer {
            reviewer_id: "rev-1".into(),
        },
        WaiverCommand::DeclareConflict {
            has_conflict: false,
            statement: ft("No conflict"),
        },
        WaiverCommand::RequestRevision {
            reasons: vec![ft("clarify the measure")],
        },
        WaiverCommand::Recommend {
            summary: ft("Approve"),
            decisions: decisions(&c, Outcome::Approve),
        },
        WaiverCommand::Decide {
            decisions: decisions(&c, Outcome::Approve),
        },
        WaiverCommand::ProposeAmendment {
            draft: draft_of(&c),
            rulings: rulings(&c),
        },
        WaiverCommand::DecideAmendment {
            approve: true,
            decisions: decisions(&c, Outcome::Approve),
            reasons: vec![],
        },
        WaiverCommand::RequestRenewal {
            reason: ft("It works"),
        },
        WaiverCommand::DecideRenewal {
            approve: true,
            reasons: vec![],
        },
        WaiverCommand::Withdraw {
            reason: ft("Plans changed"),
        },
        WaiverCommand::Revoke {
            reasons: vec![ft("Conditions not met")],
        },
        WaiverCommand::Escalate,
        WaiverCommand::SendExpiryNotice,
        WaiverCommand::Expire,
    ]
}

/// A case sitting in `state`, with whatever that state implies already set
/// (a reviewer, a term, clocks that are due).
fn case_in(state: WaiverState, command: &WaiverCommand) -> WaiverCase {
    let mut case = WaiverCase::new(
        "waiver-1".into(),
        "district-a".into(),
        "u-app".into(),
        draft_of(&ready_content()),
    );
    case.state = state;
    case.assigned_reviewer = Some("rev-1".into());
    case.review_due = Some(now() - chrono::Duration::seconds(1));
    // Decide outside `recommended` needs an escalated case; Escalate needs one that is not.
    case.escalated = matches!(command, WaiverCommand::Decide { .. });
    case.term = Some(Term {
        start: now() - chrono::Duration::days(365),
        end: now() - chrono::Duration::seconds(1),
    });
    if state == S::AmendmentProposed {
        case.pending_amendment = Some(draft_of(&ready_content()));
    }
    case
}

/// Who does what, from the program's description rather than its table.
fn actor_for(command: &WaiverCommand) -> Actor {
    let role = match command.name() {
        "edit_draft" | "withdraw" => Role::DistrictApplicant,
        "submit" | "propose_amendment" | "request_renewal" => Role::DistrictAuthorizedRep,
        "accept_as_complete" | "return_incomplete" | "declare_conflict" | "request_revision"
        | "recommend" => Role::SeaReviewer,
        "assign_reviewer" | "decide" | "decide_amendment" | "decide_renewal" | "revoke" => {
            Role::SeaApprover
        }
        "escalate" | "send_expiry_notice" | "expire" => Role::System,
        other => panic!("no actor for {other}"),
    };
    Actor {
        user_id: if role == Role::SeaReviewer {
            "rev-1".into()
        } else {
            format!("u-{role}")
        },
        role,
        organisation_id: if role.is_district() {
            "district-a".into()
        } else {
            "sea".into()
        },
    }
}

/// What each command does from each state, written from the program's
/// description (DOMAIN.md, the README) and not from `TRANSITIONS`: a
/// command moves only from the states listed, to the state given; from
/// every other state it is refused as an invalid transition.
const EXPECTED: &[(&str, &[(S, S)])] = &[
    (
        "edit_draft",
        &[
            (S::Draft, S::Draft),
            (S::Returned, S::Returned),
            (S::RevisionRequested, S::RevisionRequested),
        ],
    ),
    (
        "submit",
        &[
            (S::Draft, S::Submitted),
            (S::Returned, S::Submitted),
            (S::RevisionRequested, S::Submitted),
        ],
    ),
    ("accept_as_complete", &[(S::Submitted, S::Accepted)]),
    ("return_incomplete", &[(S::Submitted, S::Returned)]),
    ("assign_reviewer", &[(S::Accepted, S::ReviewerAssigned)]),
    ("declare_conflict", &[(S::ReviewerAssigned, S::InReview)]),
    ("request_revision", &[(S::InReview, S::RevisionRequested)]),
    ("recommend", &[(S::InReview, S::Recommended)]),
    // Escalated cases (the sample is one) may be decided before a recommendation.
    (
        "decide",
        &[
            (S::Submitted, S::Active),
            (S::Accepted, S::Active),
            (S::ReviewerAssigned, S::Active),
            (S::InReview, S::Active),
            (S::Recommended, S::Active),
        ],
    ),
    ("propose_amendment", &[(S::Active, S::AmendmentProposed)]),
    ("decide_amendment", &[(S::AmendmentProposed, S::Active)]),
    ("request_renewal", &[(S::Active, S::RenewalRequested)]),
    ("decide_renewal", &[(S::RenewalRequested, S::Active)]),
    (
        "withdraw",
        &[
            (S::Draft, S::Withdrawn),
            (S::Submitted, S::Withdrawn),
            (S::Returned, S::Withdrawn),
            (S::Accepted, S::Withdrawn),
            (S::ReviewerAssigned, S::Withdrawn),
            (S::InReview, S::Withdrawn),
            (S::RevisionRequested, S::Withdrawn),
            (S::Recommended, S::Withdrawn),
        ],
    ),
    (
        "revoke",
        &[
            (S::Active, S::Revoked),
            (S::AmendmentProposed, S::Revoked),
            (S::RenewalRequested, S::Revoked),
        ],
    ),
    (
        "escalate",
        &[
            (S::Submitted, S::Submitted),
            (S::Accepted, S::Accepted),
            (S::ReviewerAssigned, S::ReviewerAssigned),
            (S::InReview, S::InReview),
            (S::Recommended, S::Recommended),
        ],
    ),
    (
        "send_expiry_notice",
        &[
            (S::Active, S::Active),
            (S::AmendmentProposed, S::AmendmentProposed),
            (S::RenewalRequested, S::RenewalRequested),
        ],
    ),
    (
        "expire",
        &[
            (S::Active, S::Expired),
            (S::AmendmentProposed, S::Expired),
            (S::RenewalRequested, S::Expired),
        ],
    ),
];

#[test]
fn every_state_and_command_against_the_expected_table() {
    let profile = profile();
    let commands = sample_commands();
    assert_eq!(commands.len(), EXPECTED.len(), "one sample per command");
    for command in &commands {
        let (_, moves) = EXPECTED
            .iter()
            .find(|(name, _)| *name == command.name())
            .unwrap_or_else(|| panic!("{} is not in the expected table", command.name()));
        for &state in WaiverState::ALL {
            let case = case_in(state, command);
            let result = step(&case, &actor_for(command), command, now(), &profile);
            match moves.iter().find(|(from, _)| *from == state) {
                Some((_, to)) => {
                    let s = result.unwrap_or_else(|r| {
                        panic!("{} from {state:?} refused: {r}", command.name())
                    });
                    assert_eq!((s.from, s.to), (state, *to), "{}", command.name());
                    assert_eq!(s.decision.case.state, *to);
                }
                None => {
                    let refusal = result.expect_err(&format!(
                        "{} from {state:?} should be refused",
                        command.name()
                    ));
                    assert_eq!(
                        refusal.code,
                        RefusalCode::InvalidTransition,
                        "{} from {state:?}: {}",
                        command.name(),
                        refusal.message
                    );
                    assert!(
                        refusal.message.contains(state.label()),
                        "reason names the state: {}",
                        refusal.message
                    );
                }
            }
        }
    }
}

#[test]
fn terminal_states_accept_nothing() {
    for state in WaiverState::ALL.iter().filter(|s| s.is_terminal()) {
        assert!(
            TRANSITIONS.iter().all(|r| !r.from.contains(state)),
            "{state:?}"
        );
    }
}

#[test]
fn wrong_role_and_other_district_are_forbidden() {
    let profile = profile();
    let c = ready_content();
    let case = case_in(S::Draft, &WaiverCommand::AcceptAsComplete);
    let submit = WaiverCommand::Submit {
        rulings: rulings(&c),
    };
    let applicant = Actor {
        user_id: "u1".into(),
        role: Role::DistrictApplicant,
        organisation_id: "district-a".into(),
    };
    let r = step(&case, &applicant, &submit, now(), &profile).unwrap_err();
    assert_eq!(r.code, RefusalCode::Forbidden);
    assert!(
        r.message.contains("district authorized representative"),
        "{}",
        r.message
    );

    let other = Actor {
        user_id: "u2".into(),
        role: Role::DistrictAuthorizedRep,
        organisation_id: "district-b".into(),
    };
    let r = step(&case, &other, &submit, now(), &profile).unwrap_err();
    assert_eq!(r.code, RefusalCode::Forbidden);
    assert!(r.message.contains("another district"));

    let system_only = step(&case, &applicant, &WaiverCommand::Expire, now(), &profile).unwrap_err();
    assert_eq!(system_only.code, RefusalCode::Forbidden);
}

#[test]
fn only_the_assigned_reviewer_reviews() {
    let case = case_in(S::InReview, &WaiverCommand::AcceptAsComplete);
    let other = Actor {
        user_id: "rev-2".into(),
        role: Role::SeaReviewer,
        organisation_id: "sea".into(),
    };
    let r = step(
        &case,
        &other,
        &WaiverCommand::RequestRevision {
            reasons: vec![ft("x")],
        },
        now(),
        &profile(),
    )
    .unwrap_err();
    assert_eq!(r.code, RefusalCode::Forbidden);
}

#[test]
fn non_waivable_provision_is_refused_at_submission_naming_it() {
    let c = ready_content();
    let case = case_in(S::Draft, &WaiverCommand::AcceptAsComplete);
    let mut r = rulings(&c);
    r[1] = ProvisionRuling {
        citation: c.items[1].citation.clone(),
        title: None,
        waivable: false,
        reason: Some(format!(
            "{} cannot be waived: civil rights",
            c.items[1].citation
        )),
    };
    let rep = actor_for(&WaiverCommand::Submit { rulings: vec![] });
    let refusal = step(
        &case,
        &rep,
        &WaiverCommand::Submit { rulings: r },
        now(),
        &profile(),
    )
    .unwrap_err();
    assert_eq!(refusal.code, RefusalCode::Validation);
    assert!(
        refusal.message.contains("DS 22-7-205") && refusal.message.contains("civil rights"),
        "{}",
        refusal.message
    );
}

#[test]
fn board_and_staff_votes_are_checked_against_the_profile() {
    let wv = load_builtin("WV").unwrap().waivers;
    let mut c = ready_content();
    // 30 of 40 is 75%: short of West Virginia's 80%.
    let mut case = case_in(S::Draft, &WaiverCommand::AcceptAsComplete);
    case.draft = draft_of(&c);
    let rep = actor_for(&WaiverCommand::Submit { rulings: vec![] });
    let r = step(
        &case,
        &rep,
        &WaiverCommand::Submit {
            rulings: rulings(&c),
        },
        now(),
        &wv,
    )
    .unwrap_err();
    assert!(
        r.message.contains("30 of 40") && r.message.contains("80%"),
        "{}",
        r.message
    );
    c.local_support.staff_vote.as_mut().unwrap().yes = 32;
    case.draft = draft_of(&c);
    step(
        &case,
        &rep,
        &WaiverCommand::Submit {
            rulings: rulings(&c),
        },
        now(),
        &wv,
    )
    .unwrap();

    let tx = load_builtin("TX").unwrap().waivers;
    c.local_support.board_vote = Some(Vote {
        yes: 4,
        no: 3,
        membership: 7,
    });
    case.draft = draft_of(&c);
    let r = step(
        &case,
        &rep,
        &WaiverCommand::Submit {
            rulings: rulings(&c),
        },
        now(),
        &tx,
    )
    .unwrap_err();
    assert!(
        r.message.contains("2/3") && r.message.contains("public hearing"),
        "{}",
        r.message
    );
}

#[test]
fn submission_freezes_a_versioned_snapshot_and_starts_the_clock() {
    let c = ready_content();
    let case = case_in(S::RevisionRequested, &WaiverCommand::AcceptAsComplete);
    let case = WaiverCase { version: 1, ..case };
    let rep = actor_for(&WaiverCommand::Submit { rulings: vec![] });
    let s = step(
        &case,
        &rep,
        &WaiverCommand::Submit {
            rulings: rulings(&c),
        },
        now(),
        &profile(),
    )
    .unwrap();
    let snap = s.decision.snapshot.unwrap();
    assert_eq!(snap.version, 2);
    assert_eq!(snap.document, draft_of(&c).document);
    assert_eq!(
        s.decision.case.review_due,
        Some(now() + chrono::Duration::days(60))
    );
}

#[test]
fn partial_approval_and_denial_reasons() {
    let c = ready_content();
    let mut case = case_in(S::Recommended, &WaiverCommand::AcceptAsComplete);
    case.escalated = false;
    let approver = actor_for(&WaiverCommand::Decide { decisions: vec![] });
    let mut d = decisions(&c, Outcome::Approve);
    d[1].outcome = Outcome::Deny;
    d[1].reason = None;
    let r = step(
        &case,
        &approver,
        &WaiverCommand::Decide {
            decisions: d.clone(),
        },
        now(),
        &profile(),
    )
    .unwrap_err();
    assert!(
        r.message.contains("reason for denying DS 22-7-205"),
        "{}",
        r.message
    );
    d[1].reason = Some(ft("Calendar minimums protect instruction"));
    d[0].outcome = Outcome::ApproveWithConditions;
    d[0].conditions = Some(ft("Report mastery data each term"));
    let s = step(
        &case,
        &approver,
        &WaiverCommand::Decide { decisions: d },
        now(),
        &profile(),
    )
    .unwrap();
    assert_eq!(s.to, S::Active);
    assert_eq!(
        s.decision.case.term.as_ref().unwrap().end,
        Utc.with_ymd_and_hms(2031, 3, 10, 12, 0, 0).unwrap()
    );
    assert!(s.decision.reasons[0].contains("Calendar minimums"));

    let all_denied = step(
        &case,
        &approver,
        &WaiverCommand::Decide {
            decisions: decisions(&c, Outcome::Deny),
        },
        now(),
        &profile(),
    )
    .unwrap();
    assert_eq!(all_denied.to, S::Denied);

    let missing = step(
        &case,
        &approver,
        &WaiverCommand::Decide {
            decisions: decisions(&c, Outcome::Approve)[..1].to_vec(),
        },
        now(),
        &profile(),
    )
    .unwrap_err();
    assert!(missing.message.contains("has no decision"));
}

#[test]
fn approver_waits_for_recommendation_unless_escalated() {
    let c = ready_content();
    let mut case = case_in(S::InReview, &WaiverCommand::AcceptAsComplete);
    case.escalated = false;
    let approver = actor_for(&WaiverCommand::Decide { decisions: vec![] });
    let cmd = WaiverCommand::Decide {
        decisions: decisions(&c, Outcome::Approve),
    };
    assert_eq!(
        step(&case, &approver, &cmd, now(), &profile())
            .unwrap_err()
            .code,
        RefusalCode::InvalidTransition
    );
    case.escalated = true;
    assert_eq!(
        step(&case, &approver, &cmd, now(), &profile()).unwrap().to,
        S::Active
    );
}

#[test]
fn escalation_never_approves_and_fires_once() {
    let mut case = case_in(S::InReview, &WaiverCommand::AcceptAsComplete);
    case.escalated = false;
    let s = step(
        &case,
        &Actor::system(),
        &WaiverCommand::Escalate,
        now(),
        &profile(),
    )
    .unwrap();
    assert_eq!(s.to, S::InReview);
    assert!(s.decision.case.escalated && s.decision.case.review_due.is_none());
    assert!(
        s.decision
            .notices
            .iter()
            .any(|n| n.audience.contains(&Audience::Approvers))
    );
    assert!(
        step(
            &s.decision.case,
            &Actor::system(),
            &WaiverCommand::Escalate,
            now(),
            &profile()
        )
        .is_err()
    );
    case.review_due = Some(now() + chrono::Duration::days(1));
    assert!(
        step(
            &case,
            &Actor::system(),
            &WaiverCommand::Escalate,
            now(),
            &profile()
        )
        .is_err()
    );
}

#[test]
fn amendment_keeps_the_term_end_and_renewal_extends_it() {
    let mut case = case_in(S::AmendmentProposed, &WaiverCommand::AcceptAsComplete);
    let end = now() + chrono::Duration::days(400);
    case.term = Some(Term { start: now(), end });
    let mut amended = ready_content();
    amended.items.push(item("DS 22-9-106 class size"));
    case.pending_amendment = Some(draft_of(&amended));
    case.decisions = decisions(&ready_content(), Outcome::Approve);
    let approver = actor_for(&WaiverCommand::Revoke { reasons: vec![] });
    // The new provision must be decided too.
    let short = step(
        &case,
        &approver,
        &WaiverCommand::DecideAmendment {
            approve: true,
            decisions: decisions(&ready_content(), Outcome::Approve),
            reasons: vec![],
        },
        now(),
        &profile(),
    )
    .unwrap_err();
    assert!(
        short
            .message
            .contains("DS 22-9-106 class size has no decision"),
        "{}",
        short.message
    );
    let s = step(
        &case,
        &approver,
        &WaiverCommand::DecideAmendment {
            approve: true,
            decisions: decisions(&amended, Outcome::Approve),
            reasons: vec![],
        },
        now(),
        &profile(),
    )
    .unwrap();
    assert_eq!(s.decision.case.term.as_ref().unwrap().end, end);
    assert_eq!(s.decision.case.draft.outline.items.len(), 3);
    assert_eq!(s.decision.case.decisions.len(), 3);

    let mut renewal = s.decision.case.clone();
    renewal.state = S::RenewalRequested;
    let r = step(
        &renewal,
        &approver,
        &WaiverCommand::DecideRenewal {
            approve: true,
            reasons: vec![],
        },
        now(),
        &profile(),
    )
    .unwrap();
    let t = r.decision.case.term.unwrap();
    assert_eq!(t.start, end);
    assert_eq!(t.end, profile().term.end_from(end));
    let denied = step(
        &renewal,
        &approver,
        &WaiverCommand::DecideRenewal {
            approve: false,
            reasons: vec![],
        },
        now(),
        &profile(),
    )
    .unwrap_err();
    assert_eq!(denied.code, RefusalCode::Validation);
}

#[test]
fn an_amendment_is_a_new_snapshot() {
    let mut case = case_in(S::Active, &WaiverCommand::AcceptAsComplete);
    case.version = 1;
    let mut amended = ready_content();
    amended.items.push(item("DS 22-9-106 class size"));
    let rep = actor_for(&WaiverCommand::Submit { rulings: vec![] });
    let s = step(
        &case,
        &rep,
        &WaiverCommand::ProposeAmendment {
            draft: draft_of(&amended),
            rulings: rulings(&amended),
        },
        now(),
        &profile(),
    )
    .unwrap();
    let snap = s.decision.snapshot.unwrap();
    assert_eq!(
        (snap.version, snap.document),
        (2, draft_of(&amended).document)
    );
    assert_eq!(
        s.decision.case.draft,
        draft_of(&ready_content()),
        "the approved content stands until the amendment is decided"
    );
}

#[test]
fn huge_vote_counts_do_not_overflow() {
    let mut c = ready_content();
    c.local_support.board_vote = Some(Vote {
        yes: u32::MAX,
        no: 1,
        membership: 7,
    });
    let problems = c.outline().check_ready_to_submit(&profile());
    assert!(
        problems
            .iter()
            .any(|p| p.contains("but the board has 7 members")),
        "{problems:?}"
    );
    c.title = "Bad\u{0}title".into();
    assert!(c.check_shape().iter().any(|p| p.contains("NUL byte")));
}

#[test]
fn clocks_come_due_in_order() {
    let mut case = case_in(S::Active, &WaiverCommand::AcceptAsComplete);
    case.term = Some(Term {
        start: now(),
        end: now() + chrono::Duration::days(365),
    });
    let clocks = WaiverMachine::clocks(&case, &profile());
    assert_eq!(clocks[0].command, WaiverCommand::SendExpiryNotice);
    assert_eq!(clocks[0].due_at, now() + chrono::Duration::days(365 - 90));
    assert_eq!(clocks[1].command, WaiverCommand::Expire);
    case.state = S::InReview;
    let clocks = WaiverMachine::clocks(&case, &profile());
    assert_eq!(clocks.len(), 1);
    assert_eq!(clocks[0].command, WaiverCommand::Escalate);
}

#[test]
fn conflict_recuses_the_reviewer() {
    let case = case_in(S::ReviewerAssigned, &WaiverCommand::AcceptAsComplete);
    let reviewer = Actor {
        user_id: "rev-1".into(),
        role: Role::SeaReviewer,
        organisation_id: "sea".into(),
    };
    let s = step(
        &case,
        &reviewer,
        &WaiverCommand::DeclareConflict {
            has_conflict: true,
            statement: ft("My spouse teaches there"),
        },
        now(),
        &profile(),
    )
    .unwrap();
    assert_eq!(s.to, S::Accepted);
    assert_eq!(s.decision.case.recused, vec!["rev-1".to_string()]);
    let approver = actor_for(&WaiverCommand::Decide { decisions: vec![] });
    let r = step(
        &s.decision.case,
        &approver,
        &WaiverCommand::AssignReviewer {
            reviewer_id: "rev-1".into(),
        },
        now(),
        &profile(),
    )
    .unwrap_err();
    assert!(r.message.contains("conflict of interest"));
}
