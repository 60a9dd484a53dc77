use super::machine::*;
use super::rules::ReportRules;
use crate::domain::actor::{Actor, Role};
use crate::domain::month_day::MonthDay;
use crate::engine::notice::Audience;
use crate::engine::refusal::RefusalCode;
use crate::engine::text::FreeText;
use crate::engine::{CaseMachine, step};
use chrono::{DateTime, Duration, Utc};

fn rules() -> ReportRules {
    ReportRules {
        name: "Annual report".into(),
        statute: "C.R.S. 22-32.5-111".into(),
        year_starts: MonthDay::parse("07-01").unwrap(),
        compile_on: MonthDay::parse("11-01").unwrap(),
        due: MonthDay::parse("03-01").unwrap(),
        suppression_threshold: 10,
        suppress_zero: false,
        recipients: vec!["committees@leg.example".into()],
        schedule_every: None,
        progress: None,
    }
}

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

fn actor(role: Role, id: &str) -> Actor {
    Actor {
        user_id: id.into(),
        role,
        organisation_id: "sea".into(),
    }
}

fn opened() -> AnnualReportCase {
    AnnualReportCase::new(
        &rules(),
        "Demo SEA",
        2027,
        "system",
        at("2027-11-01T00:00:00Z"),
    )
}

fn text(s: &str) -> FreeText {
    FreeText::parse("text", s).unwrap()
}

fn sha(c: char) -> String {
    std::iter::repeat_n(c, 64).collect()
}

fn run(case: &AnnualReportCase, who: &Actor, c: ReportCommand) -> AnnualReportCase {
    step::<AnnualReportMachine>(case, who, &c, at("2027-12-01T00:00:00Z"), &rules())
        .unwrap()
        .decision
        .case
}

#[test]
fn a_report_opens_with_draft_one_compiled() {
    let case = opened();
    assert_eq!(case.id, "annual-report-2027");
    assert_eq!(case.label, "2026-27");
    assert_eq!(case.drafts.len(), 1);
    assert_eq!(case.figures_of(1), Some(1));
    assert_eq!(AnnualReportMachine::header(&case).version, 1);
}

#[test]
fn revising_carries_the_figures_and_recompiling_makes_fresh_ones() {
    let rita = actor(Role::SeaReviewer, "rita");
    let revised = run(
        &opened(),
        &rita,
        ReportCommand::Revise {
            paragraphs: vec![text("Districts used waivers mostly for seat time.")],
            recommendations: vec![text("Repeal the seat-time rule."), text("  ")],
        },
    );
    assert_eq!(revised.drafts.len(), 2);
    assert_eq!(revised.figures_of(2), Some(1));
    assert_eq!(
        revised.narrative.recommendations,
        ["Repeal the seat-time rule."]
    );
    let again = run(
        &revised,
        &rita,
        ReportCommand::Revise {
            paragraphs: vec![text("More words.")],
            recommendations: vec![],
        },
    );
    assert_eq!(again.figures_of(3), Some(1));
    let fresh = run(&again, &rita, ReportCommand::Recompile);
    assert_eq!(fresh.figures_of(4), Some(4));
    // The words stay with the new figures.
    assert_eq!(fresh.narrative.paragraphs, ["More words."]);
}

#[test]
fn revising_to_the_same_words_is_refused() {
    let rita = actor(Role::SeaReviewer, "rita");
    let r = step::<AnnualReportMachine>(
        &opened(),
        &rita,
        &ReportCommand::Revise {
            paragraphs: vec![],
            recommendations: vec![],
        },
        at("2027-12-01T00:00:00Z"),
        &rules(),
    )
    .unwrap_err();
    assert_eq!(r.code, RefusalCode::Validation);
}

#[test]
fn only_an_approver_certifies_and_only_the_latest_draft() {
    let certify = |version| ReportCommand::Certify {
        version,
        artefacts: vec![Artefact {
            name: "annual-report-2027-v2.pdf".into(),
            sha256: sha('a'),
        }],
    };
    let rita = actor(Role::SeaReviewer, "rita");
    let case = run(&opened(), &rita, ReportCommand::Recompile);
    let now = at("2027-12-01T00:00:00Z");
    let r = step::<AnnualReportMachine>(&case, &rita, &certify(2), now, &rules()).unwrap_err();
    assert_eq!(r.code, RefusalCode::Forbidden);
    let alex = actor(Role::SeaApprover, "alex");
    let r = step::<AnnualReportMachine>(&case, &alex, &certify(1), now, &rules()).unwrap_err();
    assert_eq!(r.code, RefusalCode::Conflict);
    assert!(r.message.contains("draft 2"), "{}", r.message);
    let bad = ReportCommand::Certify {
        version: 2,
        artefacts: vec![Artefact {
            name: "annual-report-2027-v2.pdf".into(),
            sha256: "ABC".into(),
        }],
    };
    let r = step::<AnnualReportMachine>(&case, &alex, &bad, now, &rules()).unwrap_err();
    assert_eq!(r.code, RefusalCode::Validation);

    let done = step::<AnnualReportMachine>(&case, &alex, &certify(2), now, &rules()).unwrap();
    assert_eq!(done.decision.case.state, ReportState::Published);
    assert!(done.decision.reasons.iter().any(|r| r.contains(&sha('a'))));
    let delivery = &done.decision.notices[0];
    assert!(delivery.audience.contains(&Audience::Legislators));
    assert_eq!(delivery.addresses, ["committees@leg.example"]);
    assert_eq!(delivery.attachments, ["annual-report-2027-v2.pdf"]);
    assert!(delivery.body.contains(&sha('a')));
    assert!(AnnualReportMachine::clocks(&done.decision.case, &rules()).is_empty());
}

#[test]
fn the_clocks_remind_before_the_due_date_and_escalate_after_it() {
    let case = opened();
    let clocks = AnnualReportMachine::clocks(&case, &rules());
    let due = at("2028-03-01T00:00:00Z");
    assert_eq!(clocks[0].command, ReportCommand::Remind);
    assert_eq!(clocks[0].due_at, due - Duration::days(REMINDER_DAYS));
    assert_eq!(clocks[1].command, ReportCommand::Escalate);
    assert_eq!(clocks[1].due_at, due);

    let system = Actor::system();
    let reminded = step::<AnnualReportMachine>(
        &case,
        &system,
        &ReportCommand::Remind,
        clocks[0].due_at,
        &rules(),
    )
    .unwrap();
    assert!(reminded.decision.notices[0].subject.starts_with("Due in"));
    let case = reminded.decision.case;
    let clocks = AnnualReportMachine::clocks(&case, &rules());
    assert_eq!(clocks.len(), 1);
    let escalated =
        step::<AnnualReportMachine>(&case, &system, &ReportCommand::Escalate, due, &rules())
            .unwrap();
    assert!(escalated.decision.notices[0].subject.starts_with("Overdue"));
    assert!(escalated.decision.case.escalated);
    assert!(AnnualReportMachine::clocks(&escalated.decision.case, &rules()).is_empty());
}

#[test]
fn a_past_year_opened_late_escalates_rather_than_reminds() {
    let case = AnnualReportCase::new(
        &rules(),
        "Demo SEA",
        2024,
        "root",
        at("2027-12-01T00:00:00Z"),
    );
    let clock = AnnualReportMachine::clocks(&case, &rules()).remove(0);
    let s = step::<AnnualReportMachine>(
        &case,
        &Actor::system(),
        &clock.command,
        at("2027-12-01T00:00:00Z"),
        &rules(),
    )
    .unwrap();
    assert!(s.decision.notices[0].subject.starts_with("Overdue"));
    assert!(s.decision.case.reminded && s.decision.case.escalated);
    assert!(AnnualReportMachine::clocks(&s.decision.case, &rules()).is_empty());
}
