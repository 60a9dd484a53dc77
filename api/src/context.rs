//! What every request handler shares: the database, the Temporal client,
//! the state profile, and the refusal audit.
use crate::auth::Principal;
use crate::engine_admission::EngineAdmission;
use crate::error::{ApiError, ApiResult};
use chrono::Utc;
use leeway_entities::case;
use leeway_machines::domain::actor::Role;
use leeway_machines::domain::state_profile::StateProfile;
use leeway_workflows::audit::{self, AuditRecord, SECURITY_CHAIN};
use leeway_workflows::mailer::Mailer;
use sea_orm::{DatabaseConnection, EntityTrait};
use temporalio_client::Client;

#[derive(Clone)]
pub struct AppContext {
    pub db: DatabaseConnection,
    pub temporal: Client,
    pub task_queue: String,
    pub profile: StateProfile,
    /// For staff-requested redelivery; steps' own emails go out from the worker.
    pub mailer: Mailer,
    /// What the administrators' alerts of a redelivery are written with.
    pub templates: std::sync::Arc<leeway_workflows::email_templates::EmailTemplates>,
    /// Where steps wait their turn for the workflow engine.
    pub engine: EngineAdmission,
    /// The state's identity provider, when one is configured.
    pub oidc: Option<std::sync::Arc<crate::oidc::OidcVerifier>>,
}

impl AppContext {
    /// Records a refused attempt on the security chain. Failing to record
    /// must not turn a refusal into an outage, so errors are only logged.
    async fn audit_refusal(
        &self,
        who: &Principal,
        case_id: Option<&str>,
        command: &str,
        reason: &str,
    ) {
        let record = AuditRecord {
            chain: SECURITY_CHAIN.to_string(),
            case_id: case_id.map(str::to_string),
            at: Utc::now(),
            actor_user_id: who.actor.user_id.clone(),
            actor_role: who.role().as_str().to_string(),
            from_state: String::new(),
            to_state: String::new(),
            command: format!("refused:{command}"),
            reasons: vec![reason.to_string()],
            snapshot_hash: None,
            state_hash: None,
        };
        if let Err(e) = audit::append_next(&self.db, &record).await {
            tracing::error!(error = %e, "could not audit a refused attempt");
        }
    }

    /// Every authorization refusal goes through here: it is audited, then
    /// returned as FORBIDDEN with `reason` as the message.
    pub async fn refuse(
        &self,
        who: &Principal,
        case_id: Option<&str>,
        action: &str,
        reason: &str,
    ) -> ApiError {
        self.audit_refusal(who, case_id, action, reason).await;
        ApiError::Forbidden(reason.to_string())
    }

    /// Refuses (and audits) unless the principal holds one of `roles`.
    pub async fn require_role(
        &self,
        who: &Principal,
        roles: &[Role],
        action: &str,
        reason: &str,
    ) -> ApiResult<()> {
        if roles.contains(&who.role()) {
            Ok(())
        } else {
            Err(self.refuse(who, None, action, reason).await)
        }
    }

    /// Which organisation's cases a list may show the principal: district
    /// staff their own only (asking for another is refused and audited);
    /// SEA staff any, or the one asked for; other roles none.
    pub async fn list_scope(
        &self,
        who: &Principal,
        requested: Option<String>,
        action: &str,
        noun: &str,
    ) -> ApiResult<Option<String>> {
        if who.role().is_district() {
            if let Some(other) = requested.filter(|o| *o != who.actor.organisation_id) {
                let reason = format!("You can list your own district's {noun}s only.");
                return Err(self
                    .refuse(who, None, &format!("{action}:{other}"), &reason)
                    .await);
            }
            Ok(Some(who.actor.organisation_id.clone()))
        } else if who.role().reads_all_cases() {
            Ok(requested)
        } else {
            let reason = format!("Your role cannot list {noun}s.");
            Err(self.refuse(who, None, action, &reason).await)
        }
    }

    /// Loads the header of a case the principal may see, of the program
    /// `program`; another district's case is refused and audited.
    pub async fn case_for(
        &self,
        who: &Principal,
        program: &str,
        noun: &str,
        case_id: &str,
        action: &str,
    ) -> ApiResult<case::Model> {
        let case = case::Entity::find_by_id(case_id)
            .one(&self.db)
            .await?
            .filter(|c| c.program == program)
            .ok_or_else(|| ApiError::NotFound(format!("There is no {noun} `{case_id}`.")))?;
        let reason = match &case.organisation_id {
            Some(org) if who.may_read_district(org) => None,
            Some(_) if who.role().is_district() => Some(format!(
                "This {noun} belongs to another district; you can see and act on your own district's {noun}s only."
            )),
            None if who.role().reads_all_cases() => None,
            None => Some(format!("Only SEA staff can see the {noun}'s own records.")),
            Some(_) => Some(format!("Your role cannot see {noun}s.")),
        };
        if let Some(reason) = reason {
            return Err(self.refuse(who, Some(case_id), action, &reason).await);
        }
        Ok(case)
    }
}
