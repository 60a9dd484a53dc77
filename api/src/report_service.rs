//! What the annual report needs beyond the engine's command path: the
//! profile's report rules, opening a year's report (by an administrator,
//! or by the schedule as the system), and the files of a draft, which a
//! certification names with their hashes as stored.
use crate::auth::Principal;
use crate::context::AppContext;
use crate::error::{ApiError, ApiResult};
use chrono::{Datelike, Utc};
use leeway_entities::{annual_report, case};
use leeway_machines::domain::actor::Actor;
use leeway_machines::report::machine::{AnnualReportCase, Artefact};
use leeway_machines::report::rules::ReportRules;
use leeway_workflows::engine::artefacts;
use leeway_workflows::engine::host::CaseInput;
use leeway_workflows::programs::AnnualReportWorkflow;
use leeway_workflows::programs::report_schedule::{self, ScheduledReport};
use sea_orm::EntityTrait;

/// The earliest year a report may be opened for: Leeway holds no records
/// from before the innovation statutes it was built for.
pub const FIRST_YEAR: i32 = 2000;

impl AppContext {
    pub fn report_rules(&self) -> ApiResult<&ReportRules> {
        self.profile.report.as_ref().ok_or_else(|| {
            ApiError::NotFound(format!(
                "The state profile {} has no [report] section, so it makes no annual report.",
                self.profile.code
            ))
        })
    }

    /// Opens the report for the year ending in `year`, or finds it opened.
    /// A year whose compilation date has not come is refused: its figures
    /// are not final.
    pub async fn open_annual_report(
        &self,
        by: &Actor,
        year: i32,
        update_id: Option<String>,
    ) -> ApiResult<case::Model> {
        let rules = self.report_rules()?;
        let latest = rules.latest_compiled(Utc::now());
        if !(FIRST_YEAR..=latest).contains(&year) {
            let y = rules.year(latest + 1);
            return Err(ApiError::Validation(format!(
                "There is no report for {year} yet: the latest reporting year whose compilation has started is {latest} ({}); {} is compiled from {}. Give a year from {FIRST_YEAR} to {latest}.",
                rules.year(latest).label(),
                y.label(),
                y.compile_at.format("%Y-%m-%d")
            )));
        }
        let case = AnnualReportCase::new(rules, &self.profile.name, year, &by.user_id, Utc::now());
        self.open_case::<AnnualReportWorkflow>(
            CaseInput::open(case, rules.clone(), self.profile.code.clone(), by.clone()),
            update_id,
        )
        .await
    }

    /// The report for the year ending in `year`; NOT_FOUND names the years
    /// there are.
    pub async fn annual_report(&self, year: i32) -> ApiResult<annual_report::Model> {
        let id = AnnualReportCase::case_id(year);
        if let Some(row) = annual_report::Entity::find_by_id(id.as_str())
            .one(&self.db)
            .await?
        {
            return Ok(row);
        }
        let years: Vec<String> = annual_report::Entity::find()
            .all(&self.db)
            .await?
            .into_iter()
            .map(|r| r.year.to_string())
            .collect();
        Err(ApiError::NotFound(format!(
            "There is no annual report for {year}; {}.",
            if years.is_empty() {
                "none has been started yet (startAnnualReport)".to_string()
            } else {
                format!("there are reports for {}", years.join(", "))
            }
        )))
    }

    /// The files of draft `version` of a report, as certification names
    /// them.
    pub async fn draft_files(
        &self,
        case: &AnnualReportCase,
        version: u32,
    ) -> ApiResult<Vec<Artefact>> {
        let files = artefacts::list(&self.db, &case.id, &case.artefact_name(version, "")).await?;
        if files.is_empty() {
            return Err(ApiError::Unavailable(format!(
                "Draft {version} of {} is still being printed; try again in a moment.",
                case.title
            )));
        }
        Ok(files
            .into_iter()
            .map(|(name, _, sha256)| Artefact { name, sha256 })
            .collect())
    }

    /// Creates (or brings up to date) the Temporal Schedule that starts
    /// each year's report; a profile without a report has none.
    pub async fn ensure_report_schedule(&self) -> ApiResult<()> {
        let Some(rules) = &self.profile.report else {
            return Ok(());
        };
        report_schedule::ensure(
            &self.temporal,
            ScheduledReport {
                profile_code: self.profile.code.clone(),
                agency: self.profile.name.clone(),
                rules: rules.clone(),
                task_queue: self.task_queue.clone(),
            },
        )
        .await
        .map_err(|e| ApiError::internal("set the annual report's schedule", e))
    }
}

/// An administrator names a year in the past or the present, never one
/// more than a generation back (a typo such as 2207 or 207).
pub fn plausible_year(year: i32) -> ApiResult<i32> {
    let now = Utc::now().year();
    if (FIRST_YEAR..=now + 1).contains(&year) {
        Ok(year)
    } else {
        Err(ApiError::Validation(format!(
            "{year} is not a reporting year Leeway can report on; give a year from {FIRST_YEAR} to {}.",
            now + 1
        )))
    }
}

/// Who may read a report before it is published: those who read every
/// case (SEA staff, fiscal officers, auditors).
pub fn reads_drafts(who: &Principal) -> bool {
    who.role().reads_all_cases()
}
