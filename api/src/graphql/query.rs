//! Reads.
use super::audit_types::{AuditEntryView, AuditVerification};
use super::catalog_types::{ProvisionView, StateProfileView};
use super::definition_types::{WorkflowDefinition, waiver_definition};
use super::waiver_types::{OrganisationView, WaiverCaseView};
use super::{app, caller};
use crate::error::ApiError;
use async_graphql::connection::{Connection, CursorType, Edge, EmptyFields, query};
use async_graphql::{Context, ID, Object, Result, SimpleObject};
use chrono::{DateTime, SecondsFormat, Utc};
use leeway_entities::{audit_entry, organisation, provision, waiver_case, waiver_item};
use leeway_workflows::audit::{self, SECURITY_CHAIN};
use leeway_workflows::domain::actor::Role;
use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

pub struct QueryRoot;

#[derive(SimpleObject)]
pub struct Me {
    pub user_id: String,
    pub name: String,
    pub email: String,
    pub role: String,
    pub organisation: Option<OrganisationView>,
}

const MAX_PAGE: usize = 100;

/// Keyset cursor on (created_at, id), newest first: stable while new
/// cases arrive, unlike an offset.
pub struct CaseCursor {
    created_at: DateTime<Utc>,
    id: String,
}

impl CursorType for CaseCursor {
    type Error = String;

    fn decode_cursor(s: &str) -> Result<Self, Self::Error> {
        let bad = || {
            "This page cursor is not one Leeway gave out; start from the first page.".to_string()
        };
        let text = hex::decode(s)
            .ok()
            .and_then(|b| String::from_utf8(b).ok())
            .ok_or_else(bad)?;
        let (at, id) = text.split_once('|').ok_or_else(bad)?;
        let created_at = DateTime::parse_from_rfc3339(at)
            .map_err(|_| bad())?
            .with_timezone(&Utc);
        Ok(CaseCursor {
            created_at,
            id: id.to_string(),
        })
    }

    fn encode_cursor(&self) -> String {
        hex::encode(format!(
            "{}|{}",
            self.created_at.to_rfc3339_opts(SecondsFormat::Nanos, true),
            self.id
        ))
    }
}

#[Object]
impl QueryRoot {
    /// Who the token belongs to.
    async fn me(&self, ctx: &Context<'_>) -> Result<Me> {
        let who = caller(ctx)?;
        let org = organisation::Entity::find_by_id(who.actor.organisation_id.as_str())
            .one(&app(ctx).db)
            .await
            .map_err(ApiError::from)?;
        Ok(Me {
            user_id: who.actor.user_id,
            name: who.name,
            email: who.email,
            role: who.actor.role.as_str().into(),
            organisation: org.map(Into::into),
        })
    }

    /// Waiver requests the caller may see, newest first. District staff see
    /// their own district's only.
    #[allow(clippy::too_many_arguments)]
    async fn waiver_cases(
        &self,
        ctx: &Context<'_>,
        state: Option<String>,
        district_id: Option<String>,
        escalated: Option<bool>,
        citation: Option<String>,
        after: Option<String>,
        first: Option<i32>,
    ) -> Result<Connection<CaseCursor, WaiverCaseView, EmptyFields, EmptyFields>> {
        let who = caller(ctx)?;
        let app = app(ctx);
        let district_filter = if who.role().is_district() {
            if let Some(d) = district_id
                .as_deref()
                .filter(|d| *d != who.actor.organisation_id)
            {
                let action = format!("list_waivers:{d}");
                let reason = "You can list your own district's requests only.";
                return Err(app.refuse(&who, None, &action, reason).await.into());
            }
            Some(who.actor.organisation_id.clone())
        } else if who.role().reads_all_cases() {
            district_id
        } else {
            let reason = "Your role cannot list waiver requests.";
            return Err(app.refuse(&who, None, "list_waivers", reason).await.into());
        };
        if first.is_some_and(|f| f < 0 || f as usize > MAX_PAGE) {
            return Err(
                ApiError::Validation(format!("`first` must be between 0 and {MAX_PAGE}.")).into(),
            );
        }
        query(
            after,
            None,
            first,
            None,
            |after: Option<CaseCursor>,
             _before: Option<CaseCursor>,
             first: Option<usize>,
             _last: Option<usize>| async move {
                let mut select = waiver_case::Entity::find();
                if let Some(d) = &district_filter {
                    select = select.filter(waiver_case::Column::DistrictId.eq(d.as_str()));
                }
                if let Some(s) = &state {
                    select = select.filter(waiver_case::Column::State.eq(s.as_str()));
                }
                if let Some(e) = escalated {
                    select = select.filter(waiver_case::Column::Escalated.eq(e));
                }
                if let Some(c) = &citation {
                    let ids: Vec<String> = waiver_item::Entity::find()
                        .filter(waiver_item::Column::Citation.eq(c.as_str()))
                        .all(&app.db)
                        .await
                        .map_err(ApiError::from)?
                        .into_iter()
                        .map(|i| i.case_id)
                        .collect();
                    select = select.filter(waiver_case::Column::Id.is_in(ids));
                }
                if let Some(c) = &after {
                    select = select.filter(
                        Condition::any()
                            .add(waiver_case::Column::CreatedAt.lt(c.created_at))
                            .add(
                                Condition::all()
                                    .add(waiver_case::Column::CreatedAt.eq(c.created_at))
                                    .add(waiver_case::Column::Id.lt(c.id.as_str())),
                            ),
                    );
                }
                let take = first.unwrap_or(20).min(MAX_PAGE);
                let mut rows = select
                    .order_by_desc(waiver_case::Column::CreatedAt)
                    .order_by_desc(waiver_case::Column::Id)
                    .limit(take as u64 + 1)
                    .all(&app.db)
                    .await
                    .map_err(ApiError::from)?;
                let more = rows.len() > take;
                rows.truncate(take);
                let mut connection = Connection::new(after.is_some(), more);
                connection.edges.extend(rows.into_iter().map(|r| {
                    let cursor = CaseCursor {
                        created_at: r.created_at,
                        id: r.id.clone(),
                    };
                    Edge::new(cursor, WaiverCaseView::from(r))
                }));
                Ok::<_, async_graphql::Error>(connection)
            },
        )
        .await
    }

    /// One waiver request with its items, history, notifications and clocks.
    async fn waiver_case(&self, ctx: &Context<'_>, id: ID) -> Result<WaiverCaseView> {
        let who = caller(ctx)?;
        Ok(app(ctx)
            .waiver_case_for(&who, &id, "read_waiver")
            .await?
            .into())
    }

    /// The provision catalog, as this state's profile rules on it. Public.
    async fn provisions(
        &self,
        ctx: &Context<'_>,
        category: Option<String>,
        waivable: Option<bool>,
    ) -> Result<Vec<ProvisionView>> {
        let app = app(ctx);
        let mut select = provision::Entity::find().order_by_asc(provision::Column::Citation);
        if let Some(c) = category {
            select = select.filter(provision::Column::Category.eq(c));
        }
        let rows = select.all(&app.db).await.map_err(ApiError::from)?;
        Ok(rows
            .into_iter()
            .map(|p| ProvisionView::new(p, &app.profile))
            .filter(|p| waivable.is_none_or(|w| p.waivable == w))
            .collect())
    }

    /// The state profile in force. Public.
    async fn state_profile(&self, ctx: &Context<'_>) -> StateProfileView {
        (&app(ctx).profile).into()
    }

    /// Each workflow's states and transitions. Public.
    async fn workflow_definitions(&self) -> Vec<WorkflowDefinition> {
        vec![waiver_definition()]
    }

    /// Districts, charters and schools. District staff see their own
    /// district and its schools; SEA staff see all; others see student
    /// counts with cells under 10 suppressed.
    async fn organisations(&self, ctx: &Context<'_>) -> Result<Vec<OrganisationView>> {
        let who = caller(ctx)?;
        let rows = organisation::Entity::find()
            .order_by_asc(organisation::Column::Id)
            .all(&app(ctx).db)
            .await
            .map_err(ApiError::from)?;
        let own = who.actor.organisation_id.as_str();
        Ok(rows
            .into_iter()
            .filter(|o| {
                !who.role().is_district() || o.id == own || o.parent_id.as_deref() == Some(own)
            })
            .map(|o| {
                let mut view = OrganisationView::from(o);
                if !who.role().is_district() && !who.role().reads_all_cases() {
                    view.suppress_small_cells(10);
                }
                view
            })
            .collect())
    }

    /// Recomputes every audit chain. For auditors, approvers and administrators.
    async fn audit_verification(&self, ctx: &Context<'_>) -> Result<AuditVerification> {
        let who = caller(ctx)?;
        app(ctx)
            .require_role(
                &who,
                &[Role::Auditor, Role::Admin, Role::SeaApprover],
                "verify_audit",
                "Only auditors, approvers and administrators verify the audit trail.",
            )
            .await?;
        Ok(audit::verify(&app(ctx).db)
            .await
            .map_err(ApiError::from)?
            .into())
    }

    /// Refused attempts (wrong district, wrong role), newest first. For auditors and administrators.
    async fn security_audit(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 50)] first: i32,
    ) -> Result<Vec<AuditEntryView>> {
        let who = caller(ctx)?;
        app(ctx)
            .require_role(
                &who,
                &[Role::Auditor, Role::Admin],
                "read_security_audit",
                "Only auditors and administrators read the security audit.",
            )
            .await?;
        let rows = audit_entry::Entity::find()
            .filter(audit_entry::Column::Chain.eq(SECURITY_CHAIN))
            .order_by_desc(audit_entry::Column::Seq)
            .limit(first.clamp(1, MAX_PAGE as i32) as u64)
            .all(&app(ctx).db)
            .await
            .map_err(ApiError::from)?;
        Ok(rows.into_iter().map(Into::into).collect())
    }
}
