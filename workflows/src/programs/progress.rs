//! Waiver progress reports on the engine: the workflow type, the read
//! model, and opening a year's reports for every waiver in force in it.
use crate::case_workflow;
use crate::engine::case_workflow::CaseWorkflow;
use crate::engine::host::CaseInput;
use crate::report_figures::{Period, active_values, active_waivers, statement};
use leeway_entities::progress_report;
use leeway_machines::domain::actor::Actor;
use leeway_machines::report::progress::{
    Goal, Opening, ProgressCase, ProgressMachine, ProgressRules,
};
use leeway_machines::report::rules::ReportingYear;
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, FromQueryResult, QueryFilter, Set,
};
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};
use temporalio_client::Client;
use temporalio_client::errors::{WorkflowStartError, WorkflowUpdateWithStartError};

case_workflow!(
    /// One waiver's progress report on one year.
    ProgressWorkflow,
    ProgressMachine,
    "WaiverProgress"
);

pub async fn project<C: ConnectionTrait>(db: &C, case: &ProgressCase) -> Result<(), DbErr> {
    progress_report::Entity::insert(progress_report::ActiveModel {
        case_id: Set(case.id.clone()),
        waiver_id: Set(case.waiver_id.clone()),
        district_id: Set(case.district_id.clone()),
        year: Set(case.year),
        detail: Set(serde_json::to_string(case).map_err(|e| DbErr::Json(e.to_string()))?),
    })
    .on_conflict(
        OnConflict::column(progress_report::Column::CaseId)
            .update_column(progress_report::Column::Detail)
            .to_owned(),
    )
    .exec(db)
    .await?;
    Ok(())
}

/// The rows of some cases, for their state hash.
pub async fn read_models<C: ConnectionTrait>(
    db: &C,
    ids: &[String],
) -> Result<HashMap<String, Value>, DbErr> {
    Ok(progress_report::Entity::find()
        .filter(progress_report::Column::CaseId.is_in(ids.iter().cloned()))
        .all(db)
        .await?
        .into_iter()
        .map(|r| {
            let row = serde_json::json!({
                "waiver_id": r.waiver_id,
                "district_id": r.district_id,
                "year": r.year,
                "detail": r.detail,
            });
            (r.case_id, row)
        })
        .collect())
}

#[derive(FromQueryResult)]
struct GoalRow {
    case_id: String,
    district: String,
    title: String,
    citation: String,
    goal: String,
    measure: String,
}

/// Every waiver in force in the year, with the goals of its approved
/// provisions.
pub async fn waivers_in_year<C: ConnectionTrait>(
    db: &C,
    year: &ReportingYear,
) -> Result<Vec<Opening>, DbErr> {
    let period = Period {
        starts: year.starts,
        ends: year.ends,
    };
    let sql = format!(
        "SELECT a.case_id AS case_id, a.district AS district, c.title AS title,
            i.citation AS citation, i.goal AS goal, i.measure AS measure
        FROM ({}) a
        JOIN cases c ON c.id = a.case_id
        JOIN waiver_items i ON i.case_id = a.case_id
          AND i.decision IN ('approved', 'approved_with_conditions')
        ORDER BY a.case_id, i.position",
        active_waivers(db.get_database_backend())
    );
    let rows = GoalRow::find_by_statement(statement(
        db.get_database_backend(),
        &sql,
        active_values(period),
    ))
    .all(db)
    .await?;
    let mut by: BTreeMap<String, Opening> = BTreeMap::new();
    for r in rows {
        by.entry(r.case_id.clone())
            .or_insert_with(|| Opening {
                waiver_id: r.case_id.clone(),
                district_id: r.district.clone(),
                waiver_title: r.title.clone(),
                year: year.ends_in,
                year_label: year.label(),
                goals: Vec::new(),
            })
            .goals
            .push(Goal {
                citation: r.citation,
                goal: r.goal,
                measure: r.measure,
            });
    }
    Ok(by.into_values().collect())
}

/// Where progress reports open, and on what rules.
pub struct ProgressTarget<'a> {
    pub client: &'a Client,
    pub task_queue: &'a str,
    pub profile_code: &'a str,
    pub rules: &'a ProgressRules,
}

/// Opens the progress report of every waiver in force in the year (those
/// opened before are found, not opened again); answers their case ids.
/// `wait`: until each opening step is recorded (a person's request reads
/// its own writes), or only until each workflow starts (an activity).
pub async fn open_for_year<C: ConnectionTrait>(
    db: &C,
    target: &ProgressTarget<'_>,
    year: &ReportingYear,
    by: &Actor,
    wait: bool,
) -> Result<Vec<String>, String> {
    let waivers = waivers_in_year(db, year).await.map_err(|e| e.to_string())?;
    let mut ids = Vec::with_capacity(waivers.len());
    for opening in waivers {
        let case = ProgressCase::new(opening, chrono::Utc::now(), target.rules);
        let id = case.id.clone();
        let input = CaseInput::open(
            case,
            target.rules.clone(),
            target.profile_code.to_string(),
            by.clone(),
        );
        let opened = if wait {
            match ProgressWorkflow::open(
                target.client,
                target.task_queue,
                input,
                Some(format!("open-{id}")),
            )
            .await
            {
                Ok(_)
                | Err(WorkflowUpdateWithStartError::Start(WorkflowStartError::AlreadyStarted {
                    ..
                })) => Ok(()),
                Err(e) => Err(e.to_string()),
            }
        } else {
            ProgressWorkflow::start(target.client, target.task_queue, input)
                .await
                .map_err(|e| e.to_string())
        };
        opened.map_err(|e| format!("opening {id}: {e}"))?;
        ids.push(id);
    }
    Ok(ids)
}
