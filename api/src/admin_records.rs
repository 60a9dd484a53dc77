//! An administrator's edit of one record (an organisation, a person, a
//! provision, an accountability result) through GraphQL. Each edit is
//! written as a one-record file of the import's own format and goes
//! through that import's checks and upsert, so a record means the same
//! whichever way it arrives, and it is audited the same way: an entry on
//! the `imports` chain naming the administrator and the record's SHA-256.
use crate::auth::Principal;
use crate::context::AppContext;
use crate::error::{ApiError, ApiResult};
use crate::import_file::ImportError;
use crate::import_progress::Progress;
use crate::{accountability_import, catalog_import, organisation_import, people_import};
use chrono::{NaiveDate, Utc};
use leeway_entities::user;
use leeway_machines::domain::actor::Role;
use leeway_machines::domain::affiliation::AffiliationKind;
use leeway_machines::domain::organisation_kind::OrganisationKind;
use sea_orm::{ActiveModelTrait, EntityTrait, Set, TransactionTrait};
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::Path;

/// One school year's students, as an administrator enters it.
#[derive(Clone, Debug, Serialize)]
pub struct EnrollmentRecord {
    pub school_year: i32,
    pub total: i32,
    pub students_in_poverty: Option<i32>,
    pub subgroups: BTreeMap<String, i32>,
}

#[derive(Clone, Debug, Serialize)]
pub struct OrganisationRecordInput {
    pub id: String,
    pub name: String,
    pub kind: OrganisationKind,
    pub parent_id: Option<String>,
    pub equity_flags: Vec<String>,
    pub enrollment: Vec<EnrollmentRecord>,
}

#[derive(Clone, Debug)]
pub struct PersonRecordInput {
    pub id: String,
    pub name: String,
    pub email: String,
    pub organisation_id: String,
    pub roles: Vec<Role>,
    pub affiliations: Vec<(String, AffiliationKind)>,
}

#[derive(Clone, Debug)]
pub struct ProvisionRecordInput {
    pub citation: String,
    pub title: String,
    pub category: String,
    pub non_waivable_reason: Option<String>,
    pub effective_from: NaiveDate,
    pub effective_to: Option<NaiveDate>,
}

#[derive(Clone, Debug)]
pub struct AccountabilityRecordInput {
    pub organisation_id: String,
    pub school_year: i32,
    pub subject: String,
    pub performance_rating: Option<String>,
    pub mean_scale_score: Option<f64>,
    pub median_growth: Option<f64>,
}

/// A one-record file's refusal, as a client sees it: the import's reasons
/// without line numbers.
fn refused(e: ImportError) -> ApiError {
    match e {
        ImportError::BadRows(rows) => ApiError::Validation(
            rows.into_iter()
                .map(|r| r.reason)
                .collect::<Vec<_>>()
                .join("; "),
        ),
        ImportError::Database(e) => ApiError::from(e),
    }
}

fn csv_file(header: &[&str], row: &[String]) -> ApiResult<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(header)
        .and_then(|_| w.write_record(row))
        .map_err(|e| ApiError::internal("write the record", e))?;
    w.into_inner()
        .map_err(|e| ApiError::internal("write the record", e))
}

fn date(d: Option<NaiveDate>) -> String {
    d.map(|d| d.to_string()).unwrap_or_default()
}

fn number(v: Option<f64>) -> String {
    v.map(|v| v.to_string()).unwrap_or_default()
}

impl AppContext {
    async fn require_admin(&self, who: &Principal, action: &str) -> ApiResult<()> {
        self.require_role(
            who,
            &[Role::Admin],
            action,
            "Only an administrator can edit the state's records.",
        )
        .await
    }

    /// Adds or changes one organisation and the school years given.
    pub async fn upsert_organisation(
        &self,
        who: &Principal,
        record: OrganisationRecordInput,
    ) -> ApiResult<String> {
        self.require_admin(who, "upsertOrganisation").await?;
        let line =
            serde_json::to_vec(&record).map_err(|e| ApiError::internal("write the record", e))?;
        let plan = organisation_import::plan(&self.db, Path::new("record.jsonl"), &line)
            .await
            .map_err(refused)?;
        let summary = plan.summary();
        organisation_import::apply(
            &self.db,
            &plan,
            "graphql:upsertOrganisation",
            &who.actor.user_id,
            &Progress::hidden(),
        )
        .await
        .map_err(refused)?;
        Ok(summary)
    }

    /// Adds or changes one person (making them active again if they had
    /// been deactivated), with their roles and affiliations.
    pub async fn upsert_person(
        &self,
        who: &Principal,
        record: PersonRecordInput,
    ) -> ApiResult<String> {
        self.require_admin(who, "upsertPerson").await?;
        let join = |items: Vec<String>| items.join("; ");
        let file = csv_file(
            &people_import::HEADER,
            &[
                record.id,
                record.name,
                record.email,
                record.organisation_id,
                join(
                    record
                        .roles
                        .iter()
                        .map(|r| r.as_str().to_string())
                        .collect(),
                ),
                join(
                    record
                        .affiliations
                        .iter()
                        .map(|(org, kind)| format!("{}:{org}", kind.as_str()))
                        .collect(),
                ),
            ],
        )?;
        let mut plan = people_import::plan(&self.db, &file, false)
            .await
            .map_err(refused)?;
        // One record says nothing of the people it does not name.
        plan.missing.clear();
        let summary = plan.summary();
        people_import::apply(
            &self.db,
            &plan,
            "graphql:upsertPerson",
            &who.actor.user_id,
            &Progress::hidden(),
        )
        .await
        .map_err(refused)?;
        Ok(summary)
    }

    /// Deactivates one person: they can no longer sign in or be assigned,
    /// and stay named where they acted.
    pub async fn deactivate_person(&self, who: &Principal, id: &str) -> ApiResult<String> {
        self.require_admin(who, "deactivatePerson").await?;
        if id == who.actor.user_id {
            return Err(ApiError::Validation(
                "You cannot deactivate yourself; another administrator can.".into(),
            ));
        }
        let txn = self.db.begin().await?;
        let person = user::Entity::find_by_id(id)
            .one(&txn)
            .await?
            .ok_or_else(|| ApiError::NotFound(format!("There is no person `{id}`.")))?;
        if person.deactivated_at.is_some() {
            return Ok(format!("{id} was already deactivated."));
        }
        let mut active: user::ActiveModel = person.into();
        active.deactivated_at = Set(Some(Utc::now()));
        active.update(&txn).await?;
        let summary = format!("{id} deactivated.");
        crate::import_file::record_import(
            &txn,
            "people",
            "graphql:deactivatePerson",
            &who.actor.user_id,
            &crate::import_file::sha256(id.as_bytes()),
            summary.clone(),
        )
        .await?;
        txn.commit().await?;
        Ok(summary)
    }

    /// Adds or changes one provision of the catalog.
    pub async fn upsert_provision(
        &self,
        who: &Principal,
        record: ProvisionRecordInput,
    ) -> ApiResult<String> {
        self.require_admin(who, "upsertProvision").await?;
        let file = csv_file(
            &catalog_import::HEADER,
            &[
                record.citation,
                record.title,
                record.category,
                if record.non_waivable_reason.is_some() {
                    "no"
                } else {
                    "yes"
                }
                .into(),
                record.non_waivable_reason.unwrap_or_default(),
                record.effective_from.to_string(),
                date(record.effective_to),
            ],
        )?;
        let plan = catalog_import::plan(&self.db, &file)
            .await
            .map_err(refused)?;
        let summary = plan.summary();
        catalog_import::apply(
            &self.db,
            &plan,
            "graphql:upsertProvision",
            &who.actor.user_id,
            &Progress::hidden(),
        )
        .await
        .map_err(refused)?;
        Ok(summary)
    }

    /// Adds or changes one accountability result.
    pub async fn upsert_accountability_result(
        &self,
        who: &Principal,
        record: AccountabilityRecordInput,
    ) -> ApiResult<String> {
        self.require_admin(who, "upsertAccountabilityResult")
            .await?;
        let file = csv_file(
            &accountability_import::HEADER,
            &[
                record.organisation_id,
                record.school_year.to_string(),
                record.subject,
                record.performance_rating.unwrap_or_default(),
                number(record.mean_scale_score),
                number(record.median_growth),
            ],
        )?;
        let plan = accountability_import::plan(&self.db, &file)
            .await
            .map_err(refused)?;
        let summary = plan.summary();
        accountability_import::apply(
            &self.db,
            &plan,
            "graphql:upsertAccountabilityResult",
            &who.actor.user_id,
            &Progress::hidden(),
        )
        .await
        .map_err(refused)?;
        Ok(summary)
    }
}
