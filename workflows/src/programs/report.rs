//! The annual report on the engine: its workflow type, and the read model
//! its steps write. A step that makes a draft compiles (or carries over)
//! the figures, prints the document, and stores its PDF, CSV and JSON as
//! the case's artefacts, all in the step's transaction; the certifying
//! step checks that the hashes it certifies are those of the stored files.
use crate::case_workflow;
use crate::engine::artefacts;
use crate::engine::state_hash::time;
use crate::report_build::{self, DraftLine};
use crate::report_compile::{self, ReportFigures};
use leeway_entities::{annual_report, report_draft};
use leeway_machines::report::machine::{AnnualReportCase, AnnualReportMachine, Draft, Figures};
use sea_orm::sea_query::OnConflict;
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, Set};
use serde_json::{Value, json};
use std::collections::HashMap;

case_workflow!(
    /// One reporting year's annual report to the legislature.
    AnnualReportWorkflow,
    AnnualReportMachine,
    "AnnualReport"
);

/// The files of each draft: extension and content type.
pub const ARTEFACTS: [(&str, &str); 3] = [
    ("pdf", "application/pdf"),
    ("csv", "text/csv; charset=utf-8"),
    ("json", "application/json"),
];

fn json_err(e: serde_json::Error) -> DbErr {
    DbErr::Json(e.to_string())
}

async fn stored_figures<C: ConnectionTrait>(
    db: &C,
    case_id: &str,
    version: u32,
) -> Result<ReportFigures, DbErr> {
    let row = report_draft::Entity::find_by_id((case_id.to_string(), version as i32))
        .one(db)
        .await?
        .ok_or_else(|| DbErr::RecordNotFound(format!("draft {version} of {case_id}")))?;
    serde_json::from_str(&row.figures).map_err(json_err)
}

/// Compiles or carries the draft's figures, prints it and stores its files.
async fn make_draft<C: ConnectionTrait>(
    db: &C,
    case: &AnnualReportCase,
    draft: &Draft,
) -> Result<(), DbErr> {
    let (figures, from) = match draft.figures {
        Figures::Compiled => (
            report_compile::compile(db, &case.rules.year(case.year), draft.made_at).await?,
            draft.version,
        ),
        Figures::CarriedFrom { version } => (stored_figures(db, &case.id, version).await?, version),
    };
    let line = DraftLine {
        version: draft.version,
        made_at: draft.made_at,
    };
    let document =
        report_build::document(&figures, &case.rules, &case.agency, &case.narrative, &line);
    let files: [Vec<u8>; 3] = [
        crate::report_pdf::render(&document).map_err(|e| DbErr::Custom(e.to_string()))?,
        crate::report_csv::render(&document),
        serde_json::to_vec_pretty(&document).map_err(json_err)?,
    ];
    for ((extension, content_type), bytes) in ARTEFACTS.iter().zip(files) {
        let name = case.artefact_name(draft.version, extension);
        artefacts::store(db, &case.id, &name, content_type, bytes, draft.made_at).await?;
    }
    report_draft::Entity::insert(report_draft::ActiveModel {
        case_id: Set(case.id.clone()),
        version: Set(draft.version as i32),
        figures_version: Set(from as i32),
        made_at: Set(draft.made_at),
        made_by: Set(draft.made_by.clone()),
        figures: Set(serde_json::to_string(&figures).map_err(json_err)?),
        document: Set(serde_json::to_string(&document).map_err(json_err)?),
    })
    .exec_without_returning(db)
    .await?;
    Ok(())
}

pub async fn project<C: ConnectionTrait>(db: &C, case: &AnnualReportCase) -> Result<(), DbErr> {
    let made: Vec<i32> = report_draft::Entity::find()
        .filter(report_draft::Column::CaseId.eq(case.id.as_str()))
        .all(db)
        .await?
        .into_iter()
        .map(|d| d.version)
        .collect();
    for draft in &case.drafts {
        if !made.contains(&(draft.version as i32)) {
            Box::pin(make_draft(db, case, draft)).await?;
        }
    }
    if let Some(c) = &case.certification {
        let stored = artefacts::list(db, &case.id, &case.artefact_name(c.version, "")).await?;
        let mut certified: Vec<(&str, &str)> = c
            .artefacts
            .iter()
            .map(|a| (a.name.as_str(), a.sha256.as_str()))
            .collect();
        certified.sort_unstable();
        let stored: Vec<(&str, &str)> = stored
            .iter()
            .map(|(name, _, sha)| (name.as_str(), sha.as_str()))
            .collect();
        if certified != stored {
            return Err(DbErr::Custom(format!(
                "the files certified for draft {} of {} are not the files stored for it",
                c.version, case.id
            )));
        }
    }
    let c = case.certification.as_ref();
    annual_report::Entity::insert(annual_report::ActiveModel {
        case_id: Set(case.id.clone()),
        year: Set(case.year),
        label: Set(case.label.clone()),
        certified_version: Set(c.map(|c| c.version as i32)),
        certified_by: Set(c.map(|c| c.by.clone())),
        certified_at: Set(c.map(|c| c.at)),
        detail: Set(serde_json::to_string(case).map_err(json_err)?),
    })
    .on_conflict(
        OnConflict::column(annual_report::Column::CaseId)
            .update_columns([
                annual_report::Column::CertifiedVersion,
                annual_report::Column::CertifiedBy,
                annual_report::Column::CertifiedAt,
                annual_report::Column::Detail,
            ])
            .to_owned(),
    )
    .exec(db)
    .await?;
    Ok(())
}

/// The report rows of some cases, with every file's hash, for their state
/// hash: the audit entry then vouches for the files too.
pub async fn read_models<C: ConnectionTrait>(
    db: &C,
    ids: &[String],
) -> Result<HashMap<String, Value>, DbErr> {
    let mut out = HashMap::new();
    for r in annual_report::Entity::find()
        .filter(annual_report::Column::CaseId.is_in(ids.iter().cloned()))
        .all(db)
        .await?
    {
        let files: Vec<Value> = artefacts::list(db, &r.case_id, "")
            .await?
            .into_iter()
            .map(|(name, _, sha)| json!({ "name": name, "sha256": sha }))
            .collect();
        let row = json!({
            "year": r.year,
            "label": r.label,
            "certified_version": r.certified_version,
            "certified_by": r.certified_by,
            "certified_at": time(&r.certified_at),
            "detail": r.detail,
            "artefacts": files,
        });
        out.insert(r.case_id, row);
    }
    Ok(out)
}
