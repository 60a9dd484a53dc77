//! An administrator's edits of single records of the state's data, each
//! checked and audited as its import is (see `admin_records`).
use super::role_types::{AffiliationKindName, OrganisationKindName, RoleName};
use super::{app, caller};
use crate::admin_records::{
    AccountabilityRecordInput, EnrollmentRecord, OrganisationRecordInput, PersonRecordInput,
    ProvisionRecordInput,
};
use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};
use chrono::NaiveDate;

#[derive(Default)]
pub struct AdminMutation;

/// What an edit changed, in the words its audit entry records.
#[derive(SimpleObject)]
pub struct RecordEdit {
    /// What was added, changed or left as it was, and the SHA-256 of the record as written, as on the `imports` audit chain.
    pub summary: String,
}

/// A subgroup's count of students in one school year.
#[derive(InputObject)]
pub struct SubgroupCountInput {
    /// The subgroup's name in lower case with underscores, e.g. `english_learners`.
    pub name: String,
    /// Students in the subgroup; at most the year's enrollment.
    pub count: i32,
}

/// An organisation's students in one school year.
#[derive(InputObject)]
pub struct EnrollmentInput {
    /// The calendar year the school year ends in: 2025 for 2024–25.
    pub school_year: i32,
    /// Students enrolled.
    pub total: i32,
    /// Students in poverty, which grant equity priority reads; leave out if not known.
    pub students_in_poverty: Option<i32>,
    /// Student counts by subgroup.
    #[graphql(default)]
    pub subgroups: Vec<SubgroupCountInput>,
}

/// A district, charter, school or the state agency itself.
#[derive(InputObject)]
pub struct OrganisationInput {
    /// The state's id for it; an existing id is changed, a new one added.
    pub id: String,
    /// Its name as people know it.
    pub name: String,
    /// What it is.
    pub kind: OrganisationKindName,
    /// A school's district or charter; leave out for anything else.
    pub parent_id: Option<String>,
    /// The state's flags for grant equity priority, e.g. `rural`, `under_resourced`.
    #[graphql(default)]
    pub equity_flags: Vec<String>,
    /// School years to add or replace; years not given are kept.
    #[graphql(default)]
    pub enrollment: Vec<EnrollmentInput>,
}

/// A tie that recuses a reviewer from an organisation's cases.
#[derive(InputObject)]
pub struct AffiliationInput {
    /// The organisation the person is tied to.
    pub organisation_id: String,
    /// How they are tied to it.
    pub kind: AffiliationKindName,
}

/// A person who acts in Leeway.
#[derive(InputObject)]
pub struct PersonInput {
    /// Their id (an identity provider's `sub` when it signs people in by subject).
    pub id: String,
    /// Their name as shown on cases and in emails.
    pub name: String,
    /// Their email address, where notices go; unique among people.
    pub email: String,
    /// The organisation they work for.
    pub organisation_id: String,
    /// Every role they hold; the first is the one their requests act in by default.
    pub roles: Vec<RoleName>,
    /// Ties that recuse them as a reviewer.
    #[graphql(default)]
    pub affiliations: Vec<AffiliationInput>,
}

/// One provision of the state's catalog.
#[derive(InputObject)]
pub struct ProvisionInput {
    /// The citation cases use, e.g. `KRS 160.345`.
    pub citation: String,
    /// Its title.
    pub title: String,
    /// Its category in the state profile's words, e.g. `instruction` or `health_and_safety`.
    pub category: String,
    /// Why it may never be waived, citing the law that says so; leave out when it may be waived.
    pub non_waivable_reason: Option<String>,
    /// The first day it is in effect.
    pub effective_from: NaiveDate,
    /// The last day it is in effect; leave out while it stands.
    pub effective_to: Option<NaiveDate>,
}

/// A school's or district's result in the state's accountability system.
#[derive(InputObject)]
pub struct AccountabilityResultInput {
    /// The school or district.
    pub organisation_id: String,
    /// The calendar year the school year ends in.
    pub school_year: i32,
    /// `overall`, `reading`, `mathematics`…, as the state names them.
    pub subject: String,
    /// The state's own rating words, e.g. `Green`.
    pub performance_rating: Option<String>,
    /// The mean scale score.
    pub mean_scale_score: Option<f64>,
    /// Median student growth (a percentile, or the state's growth index).
    pub median_growth: Option<f64>,
}

#[Object]
impl AdminMutation {
    /// Adds or changes one organisation and the school years given, checked as `leeway import organisations` checks a file, and audited on the `imports` chain. For administrators.
    async fn upsert_organisation(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The organisation as it should stand.")] input: OrganisationInput,
    ) -> Result<RecordEdit> {
        let who = caller(ctx)?;
        let record = OrganisationRecordInput {
            id: input.id,
            name: input.name,
            kind: input.kind.into(),
            parent_id: input.parent_id,
            equity_flags: input.equity_flags,
            enrollment: input
                .enrollment
                .into_iter()
                .map(|e| EnrollmentRecord {
                    school_year: e.school_year,
                    total: e.total,
                    students_in_poverty: e.students_in_poverty,
                    subgroups: e.subgroups.into_iter().map(|s| (s.name, s.count)).collect(),
                })
                .collect(),
        };
        let summary = app(ctx).upsert_organisation(&who, record).await?;
        Ok(RecordEdit { summary })
    }

    /// Adds or changes one person with their roles and affiliations (making them active again if they were deactivated), checked as `leeway import people` checks a file, and audited. For administrators.
    async fn upsert_person(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The person as they should stand.")] input: PersonInput,
    ) -> Result<RecordEdit> {
        let who = caller(ctx)?;
        let record = PersonRecordInput {
            id: input.id,
            name: input.name,
            email: input.email,
            organisation_id: input.organisation_id,
            roles: input.roles.into_iter().map(Into::into).collect(),
            affiliations: input
                .affiliations
                .into_iter()
                .map(|a| (a.organisation_id, a.kind.into()))
                .collect(),
        };
        let summary = app(ctx).upsert_person(&who, record).await?;
        Ok(RecordEdit { summary })
    }

    /// Deactivates one person: their tokens stop working and they are no longer assigned or emailed by role; they stay named where they acted. Audited. For administrators, who cannot deactivate themselves.
    async fn deactivate_person(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The person's id.")] id: ID,
    ) -> Result<RecordEdit> {
        let who = caller(ctx)?;
        let summary = app(ctx).deactivate_person(&who, &id).await?;
        Ok(RecordEdit { summary })
    }

    /// Adds or changes one provision of the catalog, checked as `leeway import catalog` checks a file, and audited. For administrators.
    async fn upsert_provision(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The provision as it should stand.")] input: ProvisionInput,
    ) -> Result<RecordEdit> {
        let who = caller(ctx)?;
        let record = ProvisionRecordInput {
            citation: input.citation,
            title: input.title,
            category: input.category,
            non_waivable_reason: input.non_waivable_reason,
            effective_from: input.effective_from,
            effective_to: input.effective_to,
        };
        let summary = app(ctx).upsert_provision(&who, record).await?;
        Ok(RecordEdit { summary })
    }

    /// Adds or changes one accountability result, checked as `leeway import accountability` checks a file, and audited. For administrators.
    async fn upsert_accountability_result(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The result as it should stand.")] input: AccountabilityResultInput,
    ) -> Result<RecordEdit> {
        let who = caller(ctx)?;
        let record = AccountabilityRecordInput {
            organisation_id: input.organisation_id,
            school_year: input.school_year,
            subject: input.subject,
            performance_rating: input.performance_rating,
            mean_scale_score: input.mean_scale_score,
            median_growth: input.median_growth,
        };
        let summary = app(ctx).upsert_accountability_result(&who, record).await?;
        Ok(RecordEdit { summary })
    }
}
