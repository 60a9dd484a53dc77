//! Reads every program shares: who am I, organisations, the catalog and
//! profile, machine definitions, any case by id, and the audit trail.
use super::audit_types::{AuditEntryView, AuditVerification};
use super::case_commands::CaseView;
use super::case_types::CaseNode;
use super::catalog_types::{ProvisionView, StateProfileView};
use super::definition_types::WorkflowDefinition;
use super::grant_types::{GrantProgramView, GrantView};
use super::network_types::{MembershipView, NetworkView};
use super::organisation_types::OrganisationView;
use super::paging::MAX_PAGE;
use super::progress_types::ProgressReportView;
use super::report_types::AnnualReportView;
use super::role_types::RoleName;
use super::waiver_types::WaiverCaseView;
use super::{app, caller};
use crate::error::ApiError;
use async_graphql::{Context, ID, Object, Result, SimpleObject};
use leeway_entities::{audit_entry, case, organisation, provision};
use leeway_machines::domain::actor::Role;
use leeway_machines::engine::CaseMachine;
use leeway_machines::grant::machine::GrantMachine;
use leeway_machines::grant::program::GrantProgramMachine;
use leeway_machines::network::membership::MembershipMachine;
use leeway_machines::network::program::NetworkMachine;
use leeway_machines::report::machine::AnnualReportMachine;
use leeway_machines::report::progress::ProgressMachine;
use leeway_machines::waiver::machine::WaiverMachine;
use leeway_workflows::audit::{self, SECURITY_CHAIN};
use leeway_workflows::programs;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

#[derive(Default)]
pub struct CommonQuery;

/// The person the token belongs to, and the role this request acts in.
#[derive(SimpleObject)]
pub struct Me {
    /// The person's user id, as audit entries record it (`actorUserId`).
    pub user_id: String,
    /// The person's name.
    pub name: String,
    /// The person's email address, which Leeway sends their notices to.
    pub email: String,
    /// The role this request acts in.
    pub role: RoleName,
    /// Every role the person holds, the default first; name another in the
    /// `Leeway-Role` header to act in it.
    pub roles: Vec<RoleName>,
    /// The organisation the person acts for: their district or charter, or
    /// the SEA.
    pub organisation: Option<OrganisationView>,
}

#[Object]
impl CommonQuery {
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
            role: who.actor.role.into(),
            roles: who.roles.iter().map(|r| (*r).into()).collect(),
            organisation: org.map(Into::into),
        })
    }

    /// The provision catalog, as this state's profile rules on it. Public.
    async fn provisions(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "Only provisions of this catalog category, e.g. `instruction` or `health_and_safety`."
        )]
        category: Option<String>,
        #[graphql(
            desc = "Only those this state lets be waived (true), or only those it does not (false)."
        )]
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
            .map(|p| ProvisionView::new(p, &app.profile.waivers))
            .filter(|p| waivable.is_none_or(|w| p.waivable == w))
            .collect())
    }

    /// The state profile in force. Public.
    async fn state_profile(&self, ctx: &Context<'_>) -> StateProfileView {
        (&app(ctx).profile).into()
    }

    /// Each workflow's states and transitions. Public.
    async fn workflow_definitions(&self) -> Vec<WorkflowDefinition> {
        programs::definitions()
            .into_iter()
            .map(Into::into)
            .collect()
    }

    /// Any case the caller may see, whatever its program.
    async fn case(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "The case's id: `waiver-…`, `membership-…` or `network-<code>`. NOT_FOUND if there is none; FORBIDDEN, and audited, if your role or district may not see it."
        )]
        id: ID,
    ) -> Result<CaseNode> {
        let who = caller(ctx)?;
        let app = app(ctx);
        let header = case::Entity::find_by_id(id.as_str())
            .one(&app.db)
            .await
            .map_err(ApiError::from)?
            .ok_or_else(|| ApiError::NotFound(format!("There is no case `{}`.", id.as_str())))?;
        let node = match header.program.as_str() {
            WaiverMachine::PROGRAM => {
                let c = app
                    .case_for(
                        &who,
                        WaiverMachine::PROGRAM,
                        WaiverMachine::NOUN,
                        &id,
                        "read_case",
                    )
                    .await?;
                CaseNode::Waiver(WaiverCaseView::load(&app.db, c).await?)
            }
            MembershipMachine::PROGRAM => {
                let c = app
                    .case_for(
                        &who,
                        MembershipMachine::PROGRAM,
                        MembershipMachine::NOUN,
                        &id,
                        "read_case",
                    )
                    .await?;
                CaseNode::NetworkMembership(MembershipView::load(&app.db, c).await?)
            }
            GrantMachine::PROGRAM => {
                let c = app
                    .case_for(
                        &who,
                        GrantMachine::PROGRAM,
                        GrantMachine::NOUN,
                        &id,
                        "read_case",
                    )
                    .await?;
                CaseNode::Grant(GrantView::load(&app.db, c).await?)
            }
            GrantProgramMachine::PROGRAM => {
                let c = app
                    .case_for(
                        &who,
                        GrantProgramMachine::PROGRAM,
                        GrantProgramMachine::NOUN,
                        &id,
                        "read_case",
                    )
                    .await?;
                CaseNode::GrantProgram(GrantProgramView::load(&app.db, c).await?)
            }
            AnnualReportMachine::PROGRAM => {
                let c = app
                    .case_for(
                        &who,
                        AnnualReportMachine::PROGRAM,
                        AnnualReportMachine::NOUN,
                        &id,
                        "read_case",
                    )
                    .await?;
                CaseNode::AnnualReport(AnnualReportView::load(&app.db, c).await?)
            }
            ProgressMachine::PROGRAM => {
                let c = app
                    .case_for(
                        &who,
                        ProgressMachine::PROGRAM,
                        ProgressMachine::NOUN,
                        &id,
                        "read_case",
                    )
                    .await?;
                CaseNode::WaiverProgress(ProgressReportView::load(&app.db, c).await?)
            }
            _ => {
                let c = app
                    .case_for(
                        &who,
                        NetworkMachine::PROGRAM,
                        NetworkMachine::NOUN,
                        &id,
                        "read_case",
                    )
                    .await?;
                let code = app
                    .profile
                    .networks
                    .iter()
                    .find(|n| n.case_id() == c.id)
                    .map(|n| n.code.clone())
                    .unwrap_or_default();
                CaseNode::Network(NetworkView::new(c, &code))
            }
        };
        Ok(node)
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
        #[graphql(
            default = 50,
            desc = "How many entries to return, newest first: 1 to 100; other values are brought within that range."
        )]
        first: i32,
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
