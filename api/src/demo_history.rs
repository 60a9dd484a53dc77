//! The demo's history, so that the last finished reporting year's annual
//! report has something in every section: waivers decided in earlier
//! years (a district of innovation, an innovation zone, a revoked waiver,
//! a denied request), accountability results before and since, and a
//! district in the demo network, and Riverbend's progress report on the
//! year, accepted. Each goes in through the path a real
//! state's would: the history and accountability imports, and the network
//! commands on the engine. Dates are set from the reporting year, so the
//! demo stays current. Run at every demo start; nothing is added twice.
use crate::auth::Principal;
use crate::context::AppContext;
use crate::error::{ApiError, ApiResult};
use crate::import_progress::Progress;
use crate::{accountability_import, waiver_history_import};
use chrono::Utc;
use leeway_machines::domain::actor::{Actor, Role};
use leeway_machines::engine::text::FreeText;
use leeway_machines::network::application::{NetworkApplication, ReadinessAnswer};
use leeway_machines::network::membership::{MembershipCase, MembershipCommand};
use leeway_machines::report::progress::{
    GoalOutcome, GroupValue, ProgressCase, ProgressCommand, ProgressState,
};
use leeway_workflows::engine::host::CaseInput;
use leeway_workflows::programs::progress::{ProgressTarget, open_for_year};
use leeway_workflows::programs::{MembershipWorkflow, ProgressWorkflow};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::json;

fn import_failed(what: &str, e: crate::import_file::ImportError) -> ApiError {
    ApiError::internal(&format!("import the demo's {what}"), e)
}

/// Past waivers, one JSON line each, around the school year ending in `y`.
fn waivers(y: i32) -> String {
    let lines = [
        json!({
            "district_id": "riverbend", "kind": "innovation_zone",
            "school_ids": ["riverbend-high", "riverbend-middle"],
            "title": "Riverbend mastery zone",
            "submitted_on": format!("{}-02-15", y - 3), "decided_on": format!("{}-05-01", y - 3),
            "term_start": format!("{}-07-01", y - 3), "term_end": format!("{y}-07-01"),
            "items": [
                {"citation": "DS 22-7-101", "decision": "approved",
                 "goal": "Students advance on mastery, not seat time.", "measure": "Share of students completing courses on mastery"},
                {"citation": "DS 22-11-301", "decision": "approved_with_conditions",
                 "goal": "Graduation on demonstrated competencies.", "measure": "Four-year graduation rate"}
            ]
        }),
        json!({
            "district_id": "hillcrest", "title": "Hillcrest district of innovation",
            "submitted_on": format!("{}-07-06", y - 1), "decided_on": format!("{}-08-01", y - 1),
            "term_start": format!("{}-08-15", y - 1), "term_end": format!("{y}-07-01"),
            "items": [
                {"citation": "DS 22-7-205", "decision": "approved",
                 "goal": "A calendar built around learning blocks.", "measure": "Attendance rate"},
                {"citation": "DS 22-7-101", "decision": "approved",
                 "goal": "Flexible pacing for every student.", "measure": "Credits earned on mastery"}
            ]
        }),
        json!({
            "district_id": "lakeside", "title": "Lakeside staffing flexibility",
            "submitted_on": format!("{}-03-01", y - 2), "decided_on": format!("{}-05-20", y - 2),
            "term_start": format!("{}-07-01", y - 2), "term_end": format!("{}-07-01", y + 1),
            "ended": "revoked", "ended_on": format!("{y}-03-15"),
            "items": [
                {"citation": "DS 22-9-106", "decision": "approved",
                 "goal": "Co-taught studios replace fixed class sizes.", "measure": "Course pass rate"},
                {"citation": "DS 22-7-101", "decision": "approved",
                 "goal": "Mastery pacing in the studios.", "measure": "Share of students on pace"}
            ]
        }),
        json!({
            "district_id": "pinecrest", "title": "Pinecrest CTE licensure",
            "submitted_on": format!("{}-10-01", y - 1), "decided_on": format!("{}-12-01", y - 1),
            "items": [
                {"citation": "DS 22-2-112", "decision": "denied",
                 "goal": "Industry experts teach career courses.", "measure": "CTE credentials earned"}
            ]
        }),
        json!({
            "district_id": "summit-academy", "title": "Summit competency diploma",
            "submitted_on": format!("{}-02-01", y - 4), "decided_on": format!("{}-04-15", y - 4),
            "term_start": format!("{}-07-01", y - 4), "term_end": format!("{}-07-01", y - 1),
            "items": [
                {"citation": "DS 22-11-301", "decision": "approved",
                 "goal": "A diploma on demonstrated competencies.", "measure": "Graduation rate"}
            ]
        }),
    ];
    lines.map(|l| l.to_string()).join("\n")
}

/// Mathematics and reading results of the organisations the waivers
/// reach, from four years before `y` to `y`.
fn accountability(y: i32) -> String {
    let mut csv = accountability_import::HEADER.join(",");
    let orgs = [
        ("riverbend-high", 738.0),
        ("riverbend-middle", 731.0),
        ("hillcrest", 726.0),
        ("lakeside", 742.0),
    ];
    for (org, base) in orgs {
        for (i, year) in (y - 4..=y).enumerate() {
            for (subject, offset, growth) in [("mathematics", 0.0, 48.0), ("reading", 6.0, 51.0)] {
                let score = base + offset + 2.5 * i as f64;
                csv.push_str(&format!(
                    "\n{org},{year},{subject},,{score:.1},{:.1}",
                    growth + i as f64
                ));
            }
        }
    }
    csv
}

fn staff(user: &str, role: Role, org: &str) -> Principal {
    Principal {
        actor: Actor {
            user_id: user.into(),
            role,
            organisation_id: org.into(),
        },
        name: user.into(),
        email: String::new(),
        roles: vec![role],
    }
}

impl AppContext {
    pub async fn seed_demo_history(&self) -> ApiResult<()> {
        let Some(rules) = &self.profile.report else {
            return Ok(());
        };
        let y = rules.latest_compiled(Utc::now());
        let from = waiver_history_import::Provenance {
            file: "demo history",
            by: "root",
            profile_code: &self.profile.code,
        };
        let history = waivers(y);
        let plan = waiver_history_import::plan(&self.db, history.as_bytes())
            .await
            .map_err(|e| import_failed("waiver history", e))?;
        if !plan.added.is_empty() {
            waiver_history_import::apply(&self.db, &plan, &from, &Progress::hidden())
                .await
                .map_err(|e| import_failed("waiver history", e))?;
        }
        let results = accountability(y);
        let plan = accountability_import::plan(&self.db, results.as_bytes())
            .await
            .map_err(|e| import_failed("accountability results", e))?;
        if !plan.added.is_empty() {
            accountability_import::apply(
                &self.db,
                &plan,
                "demo history",
                "root",
                &Progress::hidden(),
            )
            .await
            .map_err(|e| import_failed("accountability results", e))?;
        }
        self.seed_demo_member().await?;
        self.seed_demo_progress(y).await
    }

    /// The year's progress reports open, and Riverbend's reported and
    /// accepted: the report's outcomes by subgroup.
    async fn seed_demo_progress(&self, y: i32) -> ApiResult<()> {
        let Some(rules) = &self.profile.report else {
            return Ok(());
        };
        let Some(progress) = &rules.progress else {
            return Ok(());
        };
        let target = ProgressTarget {
            client: &self.temporal,
            task_queue: &self.task_queue,
            profile_code: &self.profile.code,
            rules: progress,
        };
        let root = staff("root", Role::Admin, "sea");
        open_for_year(&self.db, &target, &rules.year(y), &root.actor, true)
            .await
            .map_err(|e| ApiError::internal("open the demo's progress reports", e))?;
        let reports = leeway_entities::progress_report::Entity::find()
            .filter(leeway_entities::progress_report::Column::Year.eq(y))
            .filter(leeway_entities::progress_report::Column::DistrictId.eq("riverbend"))
            .all(&self.db)
            .await?;
        let raj = staff("raj", Role::DistrictAuthorizedRep, "riverbend");
        let rita = staff("rita", Role::SeaReviewer, "sea");
        for row in reports {
            let case: ProgressCase = serde_json::from_str(&row.detail)
                .map_err(|e| ApiError::internal("read a demo progress report", e))?;
            if case.state != ProgressState::Due {
                continue;
            }
            let value = |group: &str, students, baseline, current| GroupValue {
                group: group.into(),
                students,
                baseline,
                current,
            };
            let outcomes = case
                .goals
                .iter()
                .map(|g| GoalOutcome {
                    citation: g.citation.clone(),
                    values: vec![
                        value("all", 2330, 61.0, 68.5),
                        value("economically_disadvantaged", 1050, 52.0, 61.0),
                        value("english_learners", 330, 44.0, 55.5),
                        value("students_with_disabilities", 280, 39.0, 47.0),
                        value("race_hispanic_or_latino", 860, 55.0, 64.0),
                        value("race_native_hawaiian_or_pacific_islander", 6, 50.0, 66.7),
                    ],
                    comment: "From the spring count of students on pace in the zone's two schools."
                        .into(),
                })
                .collect();
            let id = case.id.clone();
            self.command::<ProgressWorkflow>(
                &raj,
                &id,
                ProgressCommand::Submit { outcomes },
                Some(format!("demo-{id}-submit")),
            )
            .await?;
            self.command::<ProgressWorkflow>(
                &rita,
                &id,
                ProgressCommand::Accept,
                Some(format!("demo-{id}-accept")),
            )
            .await?;
        }
        Ok(())
    }

    /// Riverbend joins the demo network through every step of the
    /// engine's command path, once.
    async fn seed_demo_member(&self) -> ApiResult<()> {
        let Some(rules) = self.profile.networks.first().cloned() else {
            return Ok(());
        };
        let id = format!("membership-demo-{}", rules.code.to_ascii_lowercase());
        if leeway_entities::case::Entity::find_by_id(id.as_str())
            .one(&self.db)
            .await?
            .is_some()
        {
            return Ok(());
        }
        let raj = staff("raj", Role::DistrictAuthorizedRep, "riverbend");
        let application = NetworkApplication {
            letter: "Riverbend commits its high school and middle school to a planning year with the network.".into(),
            commitments: rules.commitments.iter().map(|c| c.id.clone()).collect(),
            readiness: rules
                .readiness
                .iter()
                .map(|q| ReadinessAnswer {
                    question_id: q.id.clone(),
                    answer: "The superintendent leads a design team of teachers, parents and two trustees.".into(),
                })
                .collect(),
            school_ids: vec!["riverbend-high".into(), "riverbend-middle".into()],
            students_reached: 2330,
        };
        let draft = self
            .application_draft(&id, "riverbend", &application)
            .await?;
        self.open_case::<MembershipWorkflow>(
            CaseInput::open(
                MembershipCase::new(id.clone(), &rules, "riverbend".into(), "raj".into(), draft),
                rules.clone(),
                self.profile.code.clone(),
                raj.actor.clone(),
            ),
            Some(format!("demo-open-{id}")),
        )
        .await?;
        let rita = staff("rita", Role::SeaReviewer, "sea");
        let alex = staff("alex", Role::SeaApprover, "sea");
        let steps = [
            (&raj, MembershipCommand::Submit),
            (&rita, MembershipCommand::AcceptAsComplete),
            (
                &rita,
                MembershipCommand::Review {
                    score: 88,
                    summary: FreeText::parse("summary", "A clear plan with its board behind it.")?,
                },
            ),
            // Selected with a seat free, it starts its planning year.
            (&alex, MembershipCommand::Select),
        ];
        for (n, (who, command)) in steps.into_iter().enumerate() {
            self.command::<MembershipWorkflow>(who, &id, command, Some(format!("demo-{id}-{n}")))
                .await?;
        }
        Ok(())
    }
}
