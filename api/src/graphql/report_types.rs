//! How the annual report reads in GraphQL: the report as SEA staff work on
//! it (a `Case`, with its numbered drafts, each with its document and its
//! files), and a published report as anyone may read it.
use super::case_commands::CaseView;
use super::case_types::CaseCore;
use crate::case_interface_methods;
use crate::error::{ApiError, ApiResult};
use async_graphql::{Enum, Json, SimpleObject};
use chrono::{DateTime, Utc};
use leeway_entities::{annual_report, case, report_draft};
use leeway_machines::report::machine::{AnnualReportCase, ReportState};
use leeway_workflows::engine::artefacts;
use leeway_workflows::report_document::ReportDocument;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder};
use serde::{Deserialize, Serialize};

/// Where the annual report stands.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug, Serialize, Deserialize)]
#[graphql(name = "ReportState", remote = "ReportState")]
pub enum ReportStateView {
    /// Drafts are being compiled and revised; not yet certified.
    Drafting,
    /// Final: certified by an approver, delivered to the legislature and
    /// published.
    Published,
}

/// Where a published report's files are downloaded from.
pub fn public_url(name: &str) -> String {
    format!("/public/reports/{name}")
}

/// One file of a draft: the PDF legislators read, the CSV of its tables,
/// or its JSON.
#[derive(SimpleObject, Clone, Debug, Serialize, Deserialize)]
#[graphql(name = "ReportFile")]
pub struct ReportFileView {
    /// The file's name, e.g. `annual-report-2026-v3.pdf`.
    pub name: String,
    /// Its MIME type.
    pub content_type: String,
    /// Its SHA-256 in lowercase hex: a copy with the same hash is this file.
    pub sha256: String,
    /// Where to download it: under `/public/reports/` once the report is
    /// published, under `/reports/` (with a staff token) before.
    pub url: String,
}

async fn files(
    db: &DatabaseConnection,
    case: &AnnualReportCase,
    version: u32,
    published: bool,
) -> ApiResult<Vec<ReportFileView>> {
    Ok(
        artefacts::list(db, &case.id, &case.artefact_name(version, ""))
            .await?
            .into_iter()
            .map(|(name, content_type, sha256)| ReportFileView {
                url: if published {
                    public_url(&name)
                } else {
                    format!("/reports/{name}")
                },
                name,
                content_type,
                sha256,
            })
            .collect(),
    )
}

/// One numbered draft of the report.
#[derive(SimpleObject, Clone, Debug, Serialize, Deserialize)]
#[graphql(name = "ReportDraft")]
pub struct ReportDraftView {
    /// 1 for the first; each recompile or revision adds one.
    pub version: i32,
    /// When it was made.
    pub made_at: DateTime<Utc>,
    /// Who made it (the schedule's drafts: `system`).
    pub made_by: String,
    /// The draft whose compilation its figures are: itself, or the draft
    /// it carried them from when only the words changed.
    pub figures_version: i32,
    /// The report as printed: cover lines, summary, sections with their
    /// tables (withheld student counts shown as `*`) and charts, the audit
    /// anchors. The same content as the PDF.
    pub document: Json<ReportDocument>,
    /// Its PDF, CSV and JSON.
    pub files: Vec<ReportFileView>,
}

/// The staff's words around the figures, as in the latest draft.
#[derive(SimpleObject, Clone, Debug, Serialize, Deserialize)]
#[graphql(name = "ReportNarrative")]
pub struct ReportNarrativeView {
    /// Paragraphs printed under "From the department".
    pub paragraphs: Vec<String>,
    /// The department's recommendations to the legislature, printed with
    /// the policy audit.
    pub recommendations: Vec<String>,
}

/// Who certified which draft, and the files certified.
#[derive(SimpleObject, Clone, Debug, Serialize, Deserialize)]
#[graphql(name = "ReportCertification")]
pub struct ReportCertificationView {
    /// The draft certified.
    pub version: i32,
    /// The approver's user id.
    pub certified_by: String,
    /// When.
    pub certified_at: DateTime<Utc>,
    /// The certified files with their SHA-256, as recorded in the audit
    /// trail and sent to the legislature.
    pub files: Vec<ReportFileView>,
}

/// A year's annual report to the legislature as SEA staff work on it.
#[derive(SimpleObject, Clone, Debug, Serialize, Deserialize)]
#[graphql(name = "AnnualReport")]
pub struct AnnualReportView {
    #[graphql(flatten)]
    pub core: CaseCore,
    /// Where the report stands.
    pub state: ReportStateView,
    /// The year the reporting year ends in (2026 for 2025-26).
    pub year: i32,
    /// The reporting year as people write it, e.g. `2025-26`.
    pub year_label: String,
    /// When the reporting year began and ended (RFC 3339, UTC).
    pub year_starts: DateTime<Utc>,
    /// The end of the reporting year (exclusive).
    pub year_ends: DateTime<Utc>,
    /// The statutory due date.
    pub due_at: DateTime<Utc>,
    /// The due date passed before it was certified.
    pub escalated: bool,
    /// The current narrative and recommendations.
    pub narrative: ReportNarrativeView,
    /// Every draft, newest first.
    pub drafts: Vec<ReportDraftView>,
    /// Set once certified.
    pub certification: Option<ReportCertificationView>,
}

case_interface_methods!(AnnualReportView);

fn detail(row: &annual_report::Model) -> ApiResult<AnnualReportCase> {
    serde_json::from_str(&row.detail).map_err(|e| ApiError::internal("read the report", e))
}

impl CaseView for AnnualReportView {
    async fn load(db: &DatabaseConnection, c: case::Model) -> ApiResult<Self> {
        let row = annual_report::Entity::find_by_id(c.id.as_str())
            .one(db)
            .await?
            .ok_or_else(|| ApiError::internal("read the report", format!("no row for {}", c.id)))?;
        let report = detail(&row)?;
        let published = report.state == ReportState::Published;
        let mut drafts = Vec::new();
        for d in report_draft::Entity::find()
            .filter(report_draft::Column::CaseId.eq(c.id.as_str()))
            .order_by_desc(report_draft::Column::Version)
            .all(db)
            .await?
        {
            let version = u32::try_from(d.version).unwrap_or_default();
            let certified = report
                .certification
                .as_ref()
                .is_some_and(|c| c.version == version);
            drafts.push(ReportDraftView {
                version: d.version,
                made_at: d.made_at,
                made_by: d.made_by,
                figures_version: d.figures_version,
                document: Json(
                    serde_json::from_str(&d.document)
                        .map_err(|e| ApiError::internal("read a draft", e))?,
                ),
                files: files(db, &report, version, published && certified).await?,
            });
        }
        let certification = match &report.certification {
            Some(cert) => Some(ReportCertificationView {
                version: cert.version as i32,
                certified_by: cert.by.clone(),
                certified_at: cert.at,
                files: files(db, &report, cert.version, true).await?,
            }),
            None => None,
        };
        let year = report.rules.year(report.year);
        Ok(Self {
            state: report.state.into(),
            year: report.year,
            year_label: report.label.clone(),
            year_starts: year.starts,
            year_ends: year.ends,
            due_at: year.due_at,
            escalated: report.escalated,
            narrative: ReportNarrativeView {
                paragraphs: report.narrative.paragraphs.clone(),
                recommendations: report.narrative.recommendations.clone(),
            },
            drafts,
            certification,
            core: CaseCore::new::<ReportState>(c),
        })
    }

    async fn load_many(db: &DatabaseConnection, cases: Vec<case::Model>) -> ApiResult<Vec<Self>> {
        let mut out = Vec::with_capacity(cases.len());
        for c in cases {
            out.push(Self::load(db, c).await?);
        }
        Ok(out)
    }
}

/// A certified report as the public reads it.
#[derive(SimpleObject, Clone, Debug)]
#[graphql(name = "PublishedReport")]
pub struct PublishedReportView {
    /// The year the reporting year ends in.
    pub year: i32,
    /// The reporting year as people write it, e.g. `2025-26`.
    pub year_label: String,
    /// The report's title.
    pub title: String,
    /// When an approver certified it.
    pub certified_at: DateTime<Utc>,
    /// The certified draft.
    pub version: i32,
    /// Its PDF, CSV and JSON with their SHA-256, as recorded in the audit
    /// trail.
    pub files: Vec<ReportFileView>,
}

impl PublishedReportView {
    /// Every published report, newest year first.
    pub async fn all(db: &DatabaseConnection) -> ApiResult<Vec<Self>> {
        let mut out = Vec::new();
        for row in annual_report::Entity::find()
            .filter(annual_report::Column::CertifiedVersion.is_not_null())
            .order_by_desc(annual_report::Column::Year)
            .all(db)
            .await?
        {
            let report = detail(&row)?;
            let Some(cert) = &report.certification else {
                continue;
            };
            out.push(Self {
                year: report.year,
                year_label: report.label.clone(),
                title: report.title.clone(),
                certified_at: cert.at,
                version: cert.version as i32,
                files: files(db, &report, cert.version, true).await?,
            });
        }
        Ok(out)
    }
}
