//! What the network program needs beyond the engine's command path: the
//! network's own case opened when Leeway starts, applications checked and
//! stored, and one live application per district and network.
use crate::context::AppContext;
use crate::error::{ApiError, ApiResult};
use leeway_entities::{case, network_membership};
use leeway_machines::domain::actor::Actor;
use leeway_machines::engine::transition::StateInfo;
use leeway_machines::network::application::{ApplicationDraft, NetworkApplication};
use leeway_machines::network::membership::MembershipState;
use leeway_machines::network::program::NetworkCase;
use leeway_machines::network::rules::NetworkRules;
use leeway_workflows::engine::host::CaseInput;
use leeway_workflows::programs::NetworkWorkflow;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

impl AppContext {
    pub fn network_rules(&self, code: &str) -> ApiResult<&NetworkRules> {
        self.profile.network(code).ok_or_else(|| {
            let known: Vec<&str> = self
                .profile
                .networks
                .iter()
                .map(|n| n.code.as_str())
                .collect();
            ApiError::NotFound(format!(
                "There is no network `{code}` in {}; its networks are: {}.",
                self.profile.name,
                if known.is_empty() {
                    "none".to_string()
                } else {
                    known.join(", ")
                }
            ))
        })
    }

    /// Opens each network's own case, once: it holds the cap. Idempotent,
    /// so every start of Leeway may call it.
    pub async fn open_networks(&self) -> ApiResult<()> {
        for rules in &self.profile.networks {
            let input = CaseInput::open(
                NetworkCase::new(rules),
                rules.clone(),
                self.profile.code.clone(),
                Actor::system(),
            );
            self.open_case::<NetworkWorkflow>(input, Some(format!("open-{}", rules.case_id())))
                .await?;
        }
        Ok(())
    }

    /// Checks an application, stores it and returns the draft a command
    /// carries.
    pub async fn application_draft(
        &self,
        case_id: &str,
        organisation_id: &str,
        application: &NetworkApplication,
    ) -> ApiResult<ApplicationDraft> {
        let problems = application.check_shape();
        if !problems.is_empty() {
            return Err(ApiError::Validation(problems.join("; ")));
        }
        self.check_schools(organisation_id, &application.school_ids)
            .await?;
        Ok(ApplicationDraft {
            document: self.store_document(case_id, application).await?,
            outline: application.outline(),
        })
    }

    /// A district has one live application or membership per network.
    pub async fn refuse_second_application(
        &self,
        rules: &NetworkRules,
        organisation_id: &str,
        opening: &str,
    ) -> ApiResult<()> {
        let mine = network_membership::Entity::find()
            .filter(network_membership::Column::Network.eq(rules.code.as_str()))
            .filter(network_membership::Column::OrganisationId.eq(organisation_id))
            .all(&self.db)
            .await?;
        let ids: Vec<String> = mine.into_iter().map(|m| m.case_id).collect();
        let live = case::Entity::find()
            .filter(case::Column::Id.is_in(ids))
            .filter(case::Column::Id.ne(opening))
            .all(&self.db)
            .await?
            .into_iter()
            .find(|c| MembershipState::parse(&c.state).is_some_and(|s| !s.is_terminal()));
        match live {
            Some(c) => Err(ApiError::Conflict(format!(
                "Your district already has an application to the {} ({}, {}); edit or withdraw that one instead.",
                rules.name,
                c.id,
                MembershipState::parse(&c.state)
                    .map(|s| s.label())
                    .unwrap_or("open")
            ))),
            None => Ok(()),
        }
    }
}
