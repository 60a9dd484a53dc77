use super::progress::*;
use crate::domain::actor::{Actor, Role};
use crate::domain::duration::ClockDuration;
use crate::engine::effect::Effect;
use crate::engine::refusal::RefusalCode;
use crate::engine::text::FreeText;
use crate::engine::{CaseMachine, step};
use chrono::{DateTime, Duration, Utc};

fn rules() -> ProgressRules {
    ProgressRules {
        due_after: ClockDuration::days(90),
        reminder: ClockDuration::days(14),
        re_review_within: ClockDuration::days(60),
    }
}

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

fn who(role: Role, id: &str, org: &str) -> Actor {
    Actor {
        user_id: id.into(),
        role,
        organisation_id: org.into(),
    }
}

fn opened() -> ProgressCase {
    ProgressCase::new(
        Opening {
            waiver_id: "waiver-1".into(),
            district_id: "riverbend".into(),
            waiver_title: "Mastery zone".into(),
            year: 2026,
            year_label: "2025-26".into(),
            goals: vec![Goal {
                citation: "DS 22-7-101".into(),
                goal: "Mastery pacing".into(),
                measure: "Share of students on pace".into(),
            }],
        },
        at("2026-07-01T00:00:00Z"),
        &rules(),
    )
}

fn outcome(groups: &[(&str, u32, f64, f64)]) -> Vec<GoalOutcome> {
    vec![GoalOutcome {
        citation: "DS 22-7-101".into(),
        values: groups
            .iter()
            .map(|(g, n, b, c)| GroupValue {
                group: g.to_string(),
                students: *n,
                baseline: *b,
                current: *c,
            })
            .collect(),
        comment: "On pace.".into(),
    }]
}

fn run(
    case: &ProgressCase,
    actor: &Actor,
    command: ProgressCommand,
) -> Result<crate::engine::Step<ProgressMachine>, crate::engine::refusal::Refusal> {
    step::<ProgressMachine>(case, actor, &command, at("2026-08-01T00:00:00Z"), &rules())
}

fn reasons(s: &str) -> Vec<FreeText> {
    vec![FreeText::parse("reason", s).unwrap()]
}

#[test]
fn the_district_reports_every_goal_by_subgroup_and_a_reviewer_accepts() {
    let raj = who(Role::DistrictAuthorizedRep, "raj", "riverbend");
    let missing = run(
        &opened(),
        &raj,
        ProgressCommand::Submit { outcomes: vec![] },
    )
    .unwrap_err();
    assert_eq!(missing.code, RefusalCode::Validation);
    assert!(
        missing.message.contains("DS 22-7-101"),
        "{}",
        missing.message
    );
    let no_all = run(
        &opened(),
        &raj,
        ProgressCommand::Submit {
            outcomes: outcome(&[("english_learners", 40, 0.3, 0.4)]),
        },
    )
    .unwrap_err();
    assert!(
        no_all.message.contains("all students"),
        "{}",
        no_all.message
    );
    let unknown = run(
        &opened(),
        &raj,
        ProgressCommand::Submit {
            outcomes: outcome(&[("all", 900, 0.5, 0.6), ("left_handed", 9, 0.1, 0.2)]),
        },
    )
    .unwrap_err();
    assert!(
        unknown.message.contains("not a subgroup"),
        "{}",
        unknown.message
    );

    let submitted = run(
        &opened(),
        &raj,
        ProgressCommand::Submit {
            outcomes: outcome(&[
                ("all", 900, 0.5, 0.6),
                ("english_learners", 40, 0.3, 0.45),
                ("race_hispanic_or_latino", 300, 0.48, 0.61),
            ]),
        },
    )
    .unwrap()
    .decision
    .case;
    assert_eq!(submitted.state, ProgressState::Submitted);
    // Another district cannot touch it.
    let hana = who(Role::DistrictAuthorizedRep, "hana", "hillcrest");
    let r = run(
        &opened(),
        &hana,
        ProgressCommand::Submit { outcomes: vec![] },
    )
    .unwrap_err();
    assert_eq!(r.code, RefusalCode::Forbidden);
    let rita = who(Role::SeaReviewer, "rita", "sea");
    let accepted = run(&submitted, &rita, ProgressCommand::Accept)
        .unwrap()
        .decision
        .case;
    assert_eq!(accepted.state, ProgressState::Accepted);
    assert!(ProgressMachine::clocks(&accepted, &rules()).is_empty());
}

#[test]
fn concerns_open_a_re_review_that_may_revoke_the_waiver() {
    let raj = who(Role::DistrictAuthorizedRep, "raj", "riverbend");
    let rita = who(Role::SeaReviewer, "rita", "sea");
    let alex = who(Role::SeaApprover, "alex", "sea");
    let report = ProgressCommand::Submit {
        outcomes: outcome(&[("all", 900, 0.5, 0.41)]),
    };
    let submitted = run(&opened(), &raj, report.clone()).unwrap().decision.case;
    let empty = run(
        &submitted,
        &rita,
        ProgressCommand::RecordConcerns { reasons: vec![] },
    );
    assert_eq!(empty.unwrap_err().code, RefusalCode::Validation);
    let concerns = run(
        &submitted,
        &rita,
        ProgressCommand::RecordConcerns {
            reasons: reasons("Students on pace fell from 50% to 41%."),
        },
    )
    .unwrap()
    .decision
    .case;
    assert_eq!(concerns.state, ProgressState::Concerns);
    let due = concerns.re_review_due.unwrap();
    assert_eq!(due, at("2026-08-01T00:00:00Z") + Duration::days(60));
    let clocks = ProgressMachine::clocks(&concerns, &rules());
    assert_eq!((clocks[0].kind, clocks[0].due_at), ("re_review_due", due));
    // The district may answer with a revised report; the re-review goes on.
    let revised = run(&concerns, &raj, report).unwrap().decision.case;
    assert_eq!(revised.state, ProgressState::Concerns);
    // Only an approver concludes.
    let r = run(
        &revised,
        &rita,
        ProgressCommand::ConcludeReReview {
            revoke: true,
            reasons: reasons("x"),
        },
    )
    .unwrap_err();
    assert_eq!(r.code, RefusalCode::Forbidden);
    let kept = run(
        &revised,
        &alex,
        ProgressCommand::ConcludeReReview {
            revoke: false,
            reasons: reasons("The plan to recover is credible."),
        },
    )
    .unwrap()
    .decision;
    assert_eq!(kept.case.state, ProgressState::Resolved);
    assert!(kept.effects.is_empty());
    let revoked = run(
        &revised,
        &alex,
        ProgressCommand::ConcludeReReview {
            revoke: true,
            reasons: reasons("No progress in two years."),
        },
    )
    .unwrap()
    .decision;
    assert_eq!(revoked.case.state, ProgressState::Revoked);
    match &revoked.effects[..] {
        [Effect::Send { case_id, command }] => {
            assert_eq!(case_id, "waiver-1");
            assert_eq!(command.program, "waiver");
            assert_eq!(command.command["command"], "revoke");
            assert!(
                command.command["reasons"]
                    .to_string()
                    .contains("No progress in two years.")
            );
        }
        other => panic!("expected one revocation sent to the waiver, got {other:?}"),
    }
}

#[test]
fn the_clocks_remind_before_the_due_date_and_escalate_after_it() {
    let case = opened();
    let clocks = ProgressMachine::clocks(&case, &rules());
    let due = at("2026-07-01T00:00:00Z") + Duration::days(90);
    assert_eq!(clocks[0].command, ProgressCommand::Remind);
    assert_eq!(clocks[0].due_at, due - Duration::days(14));
    assert_eq!(
        (clocks[1].command.clone(), clocks[1].due_at),
        (ProgressCommand::Escalate, due)
    );
    let system = Actor::system();
    let reminded = step::<ProgressMachine>(
        &case,
        &system,
        &ProgressCommand::Remind,
        clocks[0].due_at,
        &rules(),
    )
    .unwrap()
    .decision
    .case;
    let escalated = step::<ProgressMachine>(
        &reminded,
        &system,
        &ProgressCommand::Escalate,
        due,
        &rules(),
    )
    .unwrap()
    .decision;
    assert!(
        escalated.notices[0]
            .subject
            .starts_with("Overdue progress report")
    );
    assert!(ProgressMachine::clocks(&escalated.case, &rules()).is_empty());
    // A late report is still taken.
    let raj = who(Role::DistrictAuthorizedRep, "raj", "riverbend");
    let late = run(
        &escalated.case,
        &raj,
        ProgressCommand::Submit {
            outcomes: outcome(&[("all", 900, 0.5, 0.6)]),
        },
    );
    assert!(late.is_ok());
}
