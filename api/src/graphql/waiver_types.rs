//! How a waiver request reads in GraphQL.
use super::app;
use super::audit_types::AuditEntryView;
use crate::error::ApiError;
use async_graphql::{ComplexObject, Context, Json, Result, SimpleObject};
use chrono::{DateTime, Utc};
use leeway_entities::{
    audit_entry, case_deadline, notification, organisation, waiver_case, waiver_item,
    waiver_snapshot,
};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

#[derive(SimpleObject, Clone)]
#[graphql(complex, name = "WaiverCase")]
pub struct WaiverCaseView {
    pub id: String,
    pub district_id: String,
    pub state_profile: String,
    pub title: String,
    /// One of the waiver workflow's states (see `workflowDefinitions`).
    pub state: String,
    /// Submitted versions so far.
    pub version: i32,
    /// The decision clock ran out and the case went to the approvers.
    pub escalated: bool,
    pub assigned_reviewer_id: Option<String>,
    pub term_start: Option<DateTime<Utc>>,
    pub term_end: Option<DateTime<Utc>>,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    #[graphql(skip)]
    pub content_json: String,
    #[graphql(skip)]
    pub recommendation_json: Option<String>,
    #[graphql(skip)]
    pub pending_amendment_json: Option<String>,
}

impl From<waiver_case::Model> for WaiverCaseView {
    fn from(m: waiver_case::Model) -> Self {
        Self {
            id: m.id,
            district_id: m.district_id,
            state_profile: m.state_profile,
            title: m.title,
            state: m.state,
            version: m.version,
            escalated: m.escalated,
            assigned_reviewer_id: m.assigned_reviewer_id,
            term_start: m.term_start,
            term_end: m.term_end,
            created_by: m.created_by,
            created_at: m.created_at,
            updated_at: m.updated_at,
            content_json: m.content,
            recommendation_json: m.recommendation,
            pending_amendment_json: m.pending_amendment,
        }
    }
}

#[derive(SimpleObject, Clone)]
#[graphql(name = "WaiverItem")]
pub struct WaiverItemView {
    pub citation: String,
    pub rationale: String,
    pub replacement_practice: String,
    pub goal: String,
    pub measure: String,
    /// `approved`, `approved_with_conditions` or `denied`, once decided.
    pub decision: Option<String>,
    pub conditions: Option<String>,
    pub decision_reason: Option<String>,
}

#[derive(SimpleObject, Clone)]
#[graphql(name = "WaiverSnapshot")]
pub struct SnapshotView {
    pub version: i32,
    pub content_hash: String,
    pub submitted_by: String,
    pub submitted_at: DateTime<Utc>,
    pub content: Json<serde_json::Value>,
}

#[derive(SimpleObject, Clone)]
#[graphql(name = "Notification")]
pub struct NotificationView {
    pub step: i32,
    pub recipient_email: String,
    pub subject: String,
    /// `queued`, `sent` or `failed`.
    pub status: String,
    pub attempts: i32,
    pub message_id: String,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
}

#[derive(SimpleObject, Clone)]
#[graphql(name = "Deadline")]
pub struct DeadlineView {
    pub kind: String,
    pub due_at: DateTime<Utc>,
    pub description: String,
}

#[derive(SimpleObject, Clone)]
#[graphql(name = "Organisation")]
pub struct OrganisationView {
    pub id: String,
    pub name: String,
    pub kind: String,
    pub parent_id: Option<String>,
    pub enrollment: Option<i32>,
    /// Student counts by subgroup.
    pub subgroups: Json<serde_json::Value>,
}

impl OrganisationView {
    /// FERPA disclosure avoidance: hide any subgroup count under `min`.
    pub fn suppress_small_cells(&mut self, min: i64) {
        if let serde_json::Value::Object(map) = &mut self.subgroups.0 {
            for v in map.values_mut() {
                if v.as_i64().is_some_and(|n| n < min) {
                    *v = serde_json::Value::Null;
                }
            }
        }
    }
}

impl From<organisation::Model> for OrganisationView {
    fn from(o: organisation::Model) -> Self {
        Self {
            id: o.id,
            name: o.name,
            kind: o.kind,
            parent_id: o.parent_id,
            enrollment: o.enrollment,
            subgroups: Json(serde_json::from_str(&o.subgroups).unwrap_or_default()),
        }
    }
}

#[ComplexObject]
impl WaiverCaseView {
    /// The assigned reviewer's recommendation, per provision, once made.
    async fn recommendation(&self) -> Option<Json<serde_json::Value>> {
        self.recommendation_json
            .as_deref()
            .and_then(|r| serde_json::from_str(r).ok())
            .map(Json)
    }

    /// An amendment awaiting the approver's decision.
    async fn pending_amendment(&self) -> Option<Json<serde_json::Value>> {
        self.pending_amendment_json
            .as_deref()
            .and_then(|r| serde_json::from_str(r).ok())
            .map(Json)
    }

    /// The request as currently written (the draft, or the last submission).
    async fn content(&self) -> Json<serde_json::Value> {
        Json(serde_json::from_str(&self.content_json).unwrap_or_default())
    }

    async fn district(&self, ctx: &Context<'_>) -> Result<Option<OrganisationView>> {
        Ok(organisation::Entity::find_by_id(self.district_id.as_str())
            .one(&app(ctx).db)
            .await
            .map_err(ApiError::from)?
            .map(Into::into))
    }

    /// One line item per provision, with its decision.
    async fn items(&self, ctx: &Context<'_>) -> Result<Vec<WaiverItemView>> {
        let rows = waiver_item::Entity::find()
            .filter(waiver_item::Column::CaseId.eq(self.id.as_str()))
            .order_by_asc(waiver_item::Column::Position)
            .all(&app(ctx).db)
            .await
            .map_err(ApiError::from)?;
        Ok(rows
            .into_iter()
            .map(|i| WaiverItemView {
                citation: i.citation,
                rationale: i.rationale,
                replacement_practice: i.replacement_practice,
                goal: i.goal,
                measure: i.measure,
                decision: i.decision,
                conditions: i.conditions,
                decision_reason: i.decision_reason,
            })
            .collect())
    }

    /// Each submitted version, frozen as reviewers saw it.
    async fn snapshots(&self, ctx: &Context<'_>) -> Result<Vec<SnapshotView>> {
        let rows = waiver_snapshot::Entity::find()
            .filter(waiver_snapshot::Column::CaseId.eq(self.id.as_str()))
            .order_by_asc(waiver_snapshot::Column::Version)
            .all(&app(ctx).db)
            .await
            .map_err(ApiError::from)?;
        Ok(rows
            .into_iter()
            .map(|s| SnapshotView {
                version: s.version,
                content_hash: s.content_hash,
                submitted_by: s.submitted_by,
                submitted_at: s.submitted_at,
                content: Json(serde_json::from_str(&s.content).unwrap_or_default()),
            })
            .collect())
    }

    /// Every step of the case, oldest first, with its hash-chained audit entry.
    async fn history(&self, ctx: &Context<'_>) -> Result<Vec<AuditEntryView>> {
        let rows = audit_entry::Entity::find()
            .filter(audit_entry::Column::Chain.eq(self.id.as_str()))
            .order_by_asc(audit_entry::Column::Seq)
            .all(&app(ctx).db)
            .await
            .map_err(ApiError::from)?;
        Ok(rows.into_iter().map(Into::into).collect())
    }

    async fn notifications(&self, ctx: &Context<'_>) -> Result<Vec<NotificationView>> {
        let rows = notification::Entity::find()
            .filter(notification::Column::CaseId.eq(self.id.as_str()))
            .order_by_asc(notification::Column::Id)
            .all(&app(ctx).db)
            .await
            .map_err(ApiError::from)?;
        Ok(rows
            .into_iter()
            .map(|n| NotificationView {
                step: n.seq,
                recipient_email: n.recipient_email,
                subject: n.subject,
                status: n.status,
                attempts: n.attempts,
                message_id: n.message_id,
                last_error: n.last_error,
                created_at: n.created_at,
                sent_at: n.sent_at,
            })
            .collect())
    }

    /// Statutory clocks now running, soonest first.
    async fn open_deadlines(&self, ctx: &Context<'_>) -> Result<Vec<DeadlineView>> {
        let rows = case_deadline::Entity::find()
            .filter(case_deadline::Column::CaseId.eq(self.id.as_str()))
            .order_by_asc(case_deadline::Column::DueAt)
            .all(&app(ctx).db)
            .await
            .map_err(ApiError::from)?;
        Ok(rows
            .into_iter()
            .map(|d| DeadlineView {
                kind: d.kind,
                due_at: d.due_at,
                description: d.description,
            })
            .collect())
    }
}
