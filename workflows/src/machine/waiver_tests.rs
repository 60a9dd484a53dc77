//! Every state x every command: the allowed ones move, the rest are refused
//! with a reason. Then the guards inside the allowed transitions.
use super::*;
use crate::domain::state_profile::load_builtin;
use crate::machine::RefusalCode;
use crate::machine::waiver_content::*;
use chrono::TimeZone;

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 10, 12, 0, 0).unwrap()
}

fn profile() -> StateProfile {
    load_builtin("DEMO").unwrap()
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
            reason: (outcome == Outcome::Deny).then(|| "no replacement practice".to_string()),
        })
        .collect()
}

fn sample_commands() -> Vec<WaiverCommand> {
    let c = ready_content();
    vec![
        WaiverCommand::EditDraft { content: c.clone() },
        WaiverCommand::Submit {
            rulings: rulings(&c),
        },
        WaiverCommand::AcceptAsComplete,
        WaiverCommand::ReturnIncomplete {
            reasons: vec!["missing staff vote tally".into()],
        },
        WaiverCommand::AssignReviewer {
            reviewer_id: "rev-1".into(),
        },
        WaiverCommand::DeclareConflict {
            has_conflict: false,
            statement: "No conflict".into(),
        },
        WaiverCommand::RequestRevision {
            reasons: vec!["clarify the measure".into()],
        },
        WaiverCommand::Recommend {
            summary: "Approve".into(),
            decisions: decisions(&c, Outcome::Approve),
        },
        WaiverCommand::Decide {
            decisions: decisions(&c, Outcome::Approve),
        },
        WaiverCommand::ProposeAmendment {
            content: c.clone(),
            rulings: rulings(&c),
        },
        WaiverCommand::DecideAmendment {
            approve: true,
            decisions: decisions(&c, Outcome::Approve),
            reasons: vec![],
        },
        WaiverCommand::RequestRenewal {
            reason: "It works".into(),
        },
        WaiverCommand::DecideRenewal {
            approve: true,
            reasons: vec![],
        },
        WaiverCommand::Withdraw {
            reason: "Plans changed".into(),
        },
        WaiverCommand::Revoke {
            reasons: vec!["Conditions not met".into()],
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
        ready_content(),
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
        case.pending_amendment = Some(ready_content());
    }
    case
}

fn actor_for(command: &WaiverCommand) -> Actor {
    let rule = rule_for(command.name()).unwrap();
    let role = rule.roles[0];
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

#[test]
fn every_state_and_command() {
    let profile = profile();
    let mut moved = 0;
    let mut refused = 0;
    for state in WaiverState::ALL {
        for command in sample_commands() {
            let case = case_in(state, &command);
            let rule = rule_for(command.name()).unwrap();
            let result = step(&case, &actor_for(&command), &command, now(), &profile);
            if rule.from.contains(&state) {
                let step = result
                    .unwrap_or_else(|r| panic!("{} from {state:?} refused: {r}", command.name()));
                assert!(
                    rule.to.contains(&step.to),
                    "{} from {state:?} went to {:?}",
                    command.name(),
                    step.to
                );
                assert_eq!(step.from, state);
                assert_eq!(step.case.state, step.to);
                moved += 1;
            } else {
                let refusal = result.expect_err(&format!(
                    "{} from {state:?} should be refused",
                    command.name()
                ));
                assert_eq!(
                    refusal.code,
                    RefusalCode::InvalidTransition,
                    "{} from {state:?}",
                    command.name()
                );
                assert!(
                    refusal.message.contains(state.label()),
                    "reason names the state: {}",
                    refusal.message
                );
                refused += 1;
            }
        }
    }
    assert_eq!(
        moved + refused,
        WaiverState::ALL.len() * sample_commands().len()
    );
    assert!(
        moved > 30 && refused > 150,
        "moved {moved}, refused {refused}"
    );
}

#[test]
fn terminal_states_accept_nothing() {
    for state in WaiverState::ALL.into_iter().filter(|s| s.is_terminal()) {
        assert!(
            TRANSITIONS.iter().all(|r| !r.from.contains(&state)),
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
            reasons: vec!["x".into()],
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
    let wv = load_builtin("WV").unwrap();
    let mut c = ready_content();
    // 30 of 40 is 75%: short of West Virginia's 80%.
    let mut case = case_in(S::Draft, &WaiverCommand::AcceptAsComplete);
    case.content = c.clone();
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
    case.content = c.clone();
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

    let tx = load_builtin("TX").unwrap();
    c.local_support.board_vote = Some(Vote {
        yes: 4,
        no: 3,
        membership: 7,
    });
    case.content = c.clone();
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
    let snap = s.snapshot.unwrap();
    assert_eq!(snap.version, 2);
    assert_eq!(snap.hash, content_hash(&c));
    assert_eq!(s.case.review_due, Some(now() + chrono::Duration::days(60)));
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
    d[1].reason = Some("Calendar minimums protect instruction".into());
    d[0].outcome = Outcome::ApproveWithConditions;
    d[0].conditions = Some("Report mastery data each term".into());
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
        s.case.term.as_ref().unwrap().end,
        Utc.with_ymd_and_hms(2031, 3, 10, 12, 0, 0).unwrap()
    );
    assert!(s.reasons[0].contains("Calendar minimums"));

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
    assert!(s.case.escalated && s.case.review_due.is_none());
    assert!(
        s.notices
            .iter()
            .any(|n| n.audience.contains(&Audience::Approvers))
    );
    assert!(
        step(
            &s.case,
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
    case.pending_amendment = Some(amended.clone());
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
    assert_eq!(s.case.term.as_ref().unwrap().end, end);
    assert_eq!(s.case.content.items.len(), 3);
    assert_eq!(s.case.decisions.len(), 3);

    let mut renewal = s.case.clone();
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
    let t = r.case.term.unwrap();
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
            content: amended.clone(),
            rulings: rulings(&amended),
        },
        now(),
        &profile(),
    )
    .unwrap();
    let snap = s.snapshot.unwrap();
    assert_eq!((snap.version, snap.hash), (2, content_hash(&amended)));
    assert_eq!(
        s.case.content,
        ready_content(),
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
    let problems = c.check_ready_to_submit(&profile());
    assert!(
        problems
            .iter()
            .any(|p| p.contains("but the board has 7 members")),
        "{problems:?}"
    );
    c.title = "Bad\u{0}title".into();
    assert!(
        c.check_shape()
            .iter()
            .any(|p| p.contains("control characters"))
    );
}

#[test]
fn clocks_come_due_in_order() {
    let mut case = case_in(S::Active, &WaiverCommand::AcceptAsComplete);
    case.term = Some(Term {
        start: now(),
        end: now() + chrono::Duration::days(365),
    });
    let clocks = open_deadlines(&case, &profile());
    assert_eq!(clocks[0].1, WaiverCommand::SendExpiryNotice);
    assert_eq!(clocks[0].0.due_at, now() + chrono::Duration::days(365 - 90));
    assert_eq!(clocks[1].1, WaiverCommand::Expire);
    case.state = S::InReview;
    let clocks = open_deadlines(&case, &profile());
    assert_eq!(clocks.len(), 1);
    assert_eq!(clocks[0].1, WaiverCommand::Escalate);
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
            statement: "My spouse teaches there".into(),
        },
        now(),
        &profile(),
    )
    .unwrap();
    assert_eq!(s.to, S::Accepted);
    assert_eq!(s.case.recused, vec!["rev-1".to_string()]);
    let approver = actor_for(&WaiverCommand::Decide { decisions: vec![] });
    let r = step(
        &s.case,
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
