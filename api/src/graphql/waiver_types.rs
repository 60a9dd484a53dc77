//! How a waiver request reads in GraphQL: the `Case` header and records,
//! its state as the waiver program's own enum, its term, items and
//! recommendation.
use super::case_commands::CaseView;
use super::case_loaders::{ItemsOf, records};
use super::case_types::CaseCore;
use super::content_types::{DecisionOutcome, RecommendationView, WaiverContentView};
use super::organisation_types::OrganisationView;
use crate::case_interface_methods;
use crate::error::{ApiError, ApiResult};
use async_graphql::{ComplexObject, Context, Enum, Result, SimpleObject};
use chrono::{DateTime, Utc};
use leeway_entities::{case, waiver_request};
use leeway_machines::waiver::content::WaiverContent;
use leeway_machines::waiver::machine::{Recommendation, WaiverState};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};
use serde::{Deserialize, Serialize};

/// Where a waiver request stands: in review, decided and in its term, or
/// closed. A case in a final state accepts no further commands.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug, Serialize, Deserialize)]
#[graphql(name = "WaiverState", remote = "WaiverState")]
pub enum WaiverStateView {
    /// Being written by the district; not yet submitted.
    Draft,
    /// Certified and submitted, awaiting the SEA's completeness check. The
    /// state's decision clock runs from submission.
    Submitted,
    /// Returned to the district as incomplete; it may edit and submit again.
    Returned,
    /// Complete and awaiting a reviewer (again, after a reviewer is recused).
    Accepted,
    /// With a reviewer who has not yet declared conflicts of interest.
    ReviewerAssigned,
    /// In review by the assigned reviewer.
    InReview,
    /// Back with the district for the revision the reviewer asked for.
    RevisionRequested,
    /// The reviewer has recommended; awaiting the approver's decision.
    Recommended,
    /// Approved in whole or in part: an active waiver, within its term.
    Active,
    /// Active, with an amendment awaiting the approver's decision.
    AmendmentProposed,
    /// Active, with a renewal awaiting the approver's decision.
    RenewalRequested,
    /// Final: every provision was denied. The district may submit a new
    /// request at any time.
    Denied,
    /// Final: the term ended.
    Expired,
    /// Final: the district withdrew the request before a decision.
    Withdrawn,
    /// Final: the approver revoked the waiver during its term.
    Revoked,
}

/// An innovation-waiver request: a district asking to set aside provisions
/// of statute or rule, from draft through review and a per-provision
/// decision to its term and end.
#[derive(SimpleObject, Clone, Debug, Serialize, Deserialize)]
#[graphql(complex, name = "WaiverCase")]
pub struct WaiverCaseView {
    #[graphql(flatten)]
    pub core: CaseCore,
    /// Where the request stands.
    pub state: WaiverStateView,
    /// The district the request belongs to (as `organisationId`).
    pub district_id: String,
    /// The user id of the person who opened the request (as `openedBy`).
    pub created_by: String,
    /// The decision clock ran out and the case went to the approvers.
    pub escalated: bool,
    /// The user id of the SEA reviewer assigned; null before one is, and
    /// after a reviewer is recused.
    pub assigned_reviewer_id: Option<String>,
    /// When the current term began (RFC 3339, UTC): the decision, or for a
    /// renewal the end of the term before. Null until approved.
    pub term_start: Option<DateTime<Utc>>,
    /// When the current term ends and the waiver expires (RFC 3339, UTC), by
    /// the state's `termRule`; an amendment does not move it.
    pub term_end: Option<DateTime<Utc>>,
    #[graphql(skip)]
    pub recommendation_json: Option<String>,
    #[graphql(skip)]
    pub pending_amendment_hash: Option<String>,
}

case_interface_methods!(WaiverCaseView);

impl WaiverCaseView {
    fn new(c: case::Model, w: Option<waiver_request::Model>) -> ApiResult<Self> {
        let state =
            <WaiverState as leeway_machines::engine::transition::StateInfo>::parse(&c.state)
                .ok_or_else(|| {
                    ApiError::internal("read the request", format!("state {}", c.state))
                })?;
        let w = w.unwrap_or(waiver_request::Model {
            case_id: c.id.clone(),
            escalated: false,
            term_start: None,
            term_end: None,
            recommendation: None,
            pending_amendment_hash: None,
            applicant_kind: None,
        });
        Ok(Self {
            state: state.into(),
            district_id: c.organisation_id.clone().unwrap_or_default(),
            created_by: c.opened_by.clone(),
            assigned_reviewer_id: c.assigned_reviewer_id.clone(),
            escalated: w.escalated,
            term_start: w.term_start,
            term_end: w.term_end,
            recommendation_json: w.recommendation,
            pending_amendment_hash: w.pending_amendment_hash,
            core: CaseCore::new::<WaiverState>(c),
        })
    }
}

impl CaseView for WaiverCaseView {
    async fn load(db: &DatabaseConnection, c: case::Model) -> ApiResult<Self> {
        let w = waiver_request::Entity::find_by_id(c.id.as_str())
            .one(db)
            .await?;
        Self::new(c, w)
    }

    async fn load_many(db: &DatabaseConnection, cases: Vec<case::Model>) -> ApiResult<Vec<Self>> {
        let ids: Vec<String> = cases.iter().map(|c| c.id.clone()).collect();
        let mut rows = waiver_request::Entity::find()
            .filter(waiver_request::Column::CaseId.is_in(ids))
            .all(db)
            .await?;
        cases
            .into_iter()
            .map(|c| {
                let w = rows
                    .iter()
                    .position(|w| w.case_id == c.id)
                    .map(|i| rows.swap_remove(i));
                Self::new(c, w)
            })
            .collect()
    }
}

/// One line item of a waiver request as now written: a provision to waive,
/// the district's case for it, and the approver's decision on it.
#[derive(SimpleObject, Clone)]
#[graphql(name = "WaiverItem")]
pub struct WaiverItemView {
    /// The provision's citation, e.g. `702 KAR 7:125`.
    pub citation: String,
    /// Why the district asks to waive the provision.
    pub rationale: String,
    /// What the district will do instead, meeting the intent of the law.
    pub replacement_practice: String,
    /// What the district means to achieve.
    pub goal: String,
    /// How the district will measure progress toward the goal.
    pub measure: String,
    /// The approver's decision on the provision, once decided.
    pub decision: Option<DecisionOutcome>,
    /// The conditions of an approval with conditions.
    pub conditions: Option<String>,
    /// The reason the approver gave with the decision; always given for a
    /// denial.
    pub decision_reason: Option<String>,
}

impl WaiverCaseView {
    /// A stored version of the request, read as one.
    async fn form(
        &self,
        ctx: &Context<'_>,
        hash: Option<&str>,
    ) -> Result<Option<WaiverContentView>> {
        let Some(hash) = hash else {
            return Ok(None);
        };
        Ok(self
            .core
            .document(ctx, hash)
            .await?
            .and_then(|d| serde_json::from_value::<WaiverContent>(d).ok())
            .map(Into::into))
    }
}

#[ComplexObject]
impl WaiverCaseView {
    /// The assigned reviewer's recommendation, per provision, once made.
    /// Withheld from district staff until the approver decides.
    async fn recommendation(&self, ctx: &Context<'_>) -> Option<RecommendationView> {
        if self.core.withheld_from(ctx, "recommend") {
            return None;
        }
        self.recommendation_json
            .as_deref()
            .and_then(|r| serde_json::from_str::<Recommendation>(r).ok())
            .map(Into::into)
    }

    /// The current text of the request: the draft, or the last submission.
    async fn content(&self, ctx: &Context<'_>) -> Result<Option<WaiverContentView>> {
        self.form(ctx, self.core.document_hash.as_deref()).await
    }

    /// An amendment awaiting the approver's decision.
    async fn pending_amendment(&self, ctx: &Context<'_>) -> Result<Option<WaiverContentView>> {
        self.form(ctx, self.pending_amendment_hash.as_deref()).await
    }

    /// The district the request belongs to (as `organisation`).
    #[graphql(deprecation = "use organisation")]
    async fn district(&self, ctx: &Context<'_>) -> Result<Option<OrganisationView>> {
        self.core.organisation(ctx).await
    }

    /// One line item per provision, with its decision.
    #[graphql(complexity = "10 * child_complexity")]
    async fn items(&self, ctx: &Context<'_>) -> Result<Vec<WaiverItemView>> {
        let rows = records(ctx)?
            .load_one(ItemsOf(self.core.id.clone()))
            .await?
            .unwrap_or_default();
        Ok(rows
            .into_iter()
            .map(|i| WaiverItemView {
                citation: i.citation,
                rationale: i.rationale,
                replacement_practice: i.replacement_practice,
                goal: i.goal,
                measure: i.measure,
                decision: i
                    .decision
                    .as_deref()
                    .and_then(DecisionOutcome::parse_stored),
                conditions: i.conditions,
                decision_reason: i.decision_reason,
            })
            .collect())
    }
}
