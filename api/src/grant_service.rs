//! What grants need beyond the engine's command path: a program's terms
//! by its code, the facts about an applicant that eligibility and equity
//! priority are decided on, and the ties on record between a reviewer and
//! an applicant. All of it read from the state's own data, never from
//! what a client sends.
use crate::auth::Principal;
use crate::context::AppContext;
use crate::error::{ApiError, ApiResult};
use leeway_entities::{
    case, grant_case, grant_program, network_membership, organisation, organisation_enrollment,
    user_affiliation, waiver_request,
};
use leeway_machines::domain::actor::{Actor, Role};
use leeway_machines::domain::affiliation::AffiliationKind;
use leeway_machines::engine::transition::StateInfo;
use leeway_machines::grant::machine::{ApplicantFacts, EarlierGrant, GrantCase};
use leeway_machines::grant::program::{GrantProgramCase, GrantProgramCommand, GrantProgramState};
use leeway_machines::grant::proposal::{GrantProposal, ProposalDraft};
use leeway_machines::grant::review::RecordedTie;
use leeway_machines::grant::terms::GrantTerms;
use leeway_machines::network::membership::MembershipState;
use leeway_machines::waiver::machine::WaiverState;
use leeway_workflows::engine::host::CaseInput;
use leeway_workflows::programs::GrantProgramWorkflow;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

impl AppContext {
    /// A program's row and the terms its applications open under.
    pub async fn grant_program(&self, code: &str) -> ApiResult<(grant_program::Model, GrantTerms)> {
        let all = grant_program::Entity::find()
            .order_by_asc(grant_program::Column::Code)
            .all(&self.db)
            .await?;
        let Some(row) = all
            .iter()
            .find(|p| p.code.eq_ignore_ascii_case(code))
            .cloned()
        else {
            let codes: Vec<&str> = all.iter().map(|p| p.code.as_str()).collect();
            return Err(ApiError::NotFound(format!(
                "There is no grant program `{code}`; the programs are: {}.",
                if codes.is_empty() {
                    "none yet".to_string()
                } else {
                    codes.join(", ")
                }
            )));
        };
        let terms = serde_json::from_str(&row.terms)
            .map_err(|e| ApiError::internal("read the program's terms", e))?;
        Ok((row, terms))
    }

    /// Applications open only while the program is open.
    pub async fn require_open_program(&self, row: &grant_program::Model) -> ApiResult<()> {
        let state = case::Entity::find_by_id(row.case_id.as_str())
            .one(&self.db)
            .await?
            .and_then(|c| GrantProgramState::parse(&c.state));
        match state {
            Some(GrantProgramState::Open) => Ok(()),
            Some(s) => Err(ApiError::InvalidTransition(format!(
                "{} is {}; it takes no applications.",
                row.name,
                s.label()
            ))),
            None => Err(ApiError::Unavailable(format!(
                "{} is still being saved; try again in a moment.",
                row.name
            ))),
        }
    }

    /// Checks a proposal, stores it and returns the draft a command carries.
    pub async fn proposal_draft(
        &self,
        case_id: &str,
        organisation_id: &str,
        proposal: &GrantProposal,
    ) -> ApiResult<ProposalDraft> {
        let problems = proposal.check_shape();
        if !problems.is_empty() {
            return Err(ApiError::Validation(problems.join("; ")));
        }
        self.check_schools(organisation_id, &proposal.school_ids)
            .await?;
        Ok(ProposalDraft {
            document: self.store_document(case_id, proposal).await?,
            outline: proposal.outline(),
        })
    }

    /// What eligibility and equity priority are decided on, from the
    /// state's data as it stands at submission.
    pub async fn applicant_facts(
        &self,
        organisation_id: &str,
        terms: &GrantTerms,
    ) -> ApiResult<ApplicantFacts> {
        let org = organisation::Entity::find_by_id(organisation_id)
            .one(&self.db)
            .await?;
        let latest = organisation_enrollment::Entity::find()
            .filter(organisation_enrollment::Column::OrganisationId.eq(organisation_id))
            .order_by_desc(organisation_enrollment::Column::SchoolYear)
            .one(&self.db)
            .await?;
        let poverty_permille = latest.and_then(|e| {
            let poor = i64::from(e.students_in_poverty?);
            let total = i64::from(e.total);
            (total > 0).then(|| (poor * 1000 / total) as u32)
        });
        let memberships = network_membership::Entity::find()
            .filter(network_membership::Column::OrganisationId.eq(organisation_id))
            .all(&self.db)
            .await?;
        let mut networks = Vec::new();
        for m in memberships {
            let state = self.case_state::<MembershipState>(&m.case_id).await?;
            if state.is_some_and(|s| s.is_member()) {
                networks.push(m.network);
            }
        }
        let waivers = case::Entity::find()
            .filter(case::Column::OrganisationId.eq(organisation_id))
            .filter(case::Column::Program.eq("waiver"))
            .filter(case::Column::State.is_in([
                WaiverState::Active.name(),
                WaiverState::AmendmentProposed.name(),
                WaiverState::RenewalRequested.name(),
            ]))
            .all(&self.db)
            .await?;
        let now = chrono::Utc::now();
        let mut active_waiver = false;
        for w in waivers {
            let term = waiver_request::Entity::find_by_id(w.id.as_str())
                .one(&self.db)
                .await?;
            if term.is_some_and(|t| t.term_end.is_none_or(|end| end > now)) {
                active_waiver = true;
            }
        }
        let mut earlier_phase = Vec::new();
        if let Some(follows) = &terms.program.follows {
            let grants = grant_case::Entity::find()
                .filter(grant_case::Column::OrganisationId.eq(organisation_id))
                .all(&self.db)
                .await?;
            for g in grants
                .into_iter()
                .filter(|g| g.program.eq_ignore_ascii_case(follows))
            {
                let grant: GrantCase = serde_json::from_str(&g.detail)
                    .map_err(|e| ApiError::internal("read an earlier grant", e))?;
                earlier_phase.push(EarlierGrant {
                    succeeded: grant.succeeded(),
                    case_id: g.case_id,
                    state: grant.state,
                });
            }
        }
        Ok(ApplicantFacts {
            poverty_permille,
            equity_flags: org
                .map(|o| serde_json::from_str(&o.equity_flags).unwrap_or_default())
                .unwrap_or_default(),
            networks,
            active_waiver,
            earlier_phase,
        })
    }

    /// Creates and opens the demo's grant program, once: every start with
    /// demo data may call it.
    pub async fn open_demo_grant_program(&self) -> ApiResult<()> {
        let terms = GrantTerms {
            program: crate::seed::demo_grant_program(chrono::Utc::now()),
            rules: self.profile.grants.clone(),
        };
        let id = terms.program.case_id();
        let case = self
            .open_case::<GrantProgramWorkflow>(
                CaseInput::open(
                    GrantProgramCase::new(&terms, "root".into()),
                    terms.clone(),
                    self.profile.code.clone(),
                    Actor::system(),
                ),
                Some(format!("open-{id}")),
            )
            .await?;
        if GrantProgramState::parse(&case.state) == Some(GrantProgramState::Draft) {
            // The demo's administrator opens it, on the one command path.
            let admin = Principal {
                actor: Actor {
                    user_id: "root".into(),
                    role: Role::Admin,
                    organisation_id: "sea".into(),
                },
                name: "Leeway Admin".into(),
                email: String::new(),
                roles: vec![Role::Admin],
            };
            self.command::<GrantProgramWorkflow>(
                &admin,
                &id,
                GrantProgramCommand::Open,
                Some(format!("demo-open-{id}")),
            )
            .await?;
        }
        Ok(())
    }

    async fn case_state<S: StateInfo>(&self, case_id: &str) -> ApiResult<Option<S>> {
        Ok(case::Entity::find_by_id(case_id)
            .one(&self.db)
            .await?
            .and_then(|c| S::parse(&c.state)))
    }

    /// The ties on record between a reviewer and an applicant: to the
    /// district itself, or to one of its schools (which counts as a tie to
    /// the district).
    pub async fn reviewer_ties(
        &self,
        reviewer_id: &str,
        applicant_id: &str,
    ) -> ApiResult<Vec<RecordedTie>> {
        let rows = user_affiliation::Entity::find()
            .filter(user_affiliation::Column::UserId.eq(reviewer_id))
            .all(&self.db)
            .await?;
        let mut ties = Vec::new();
        for a in rows {
            let tied = if a.organisation_id == applicant_id {
                true
            } else {
                organisation::Entity::find_by_id(a.organisation_id.as_str())
                    .one(&self.db)
                    .await?
                    .is_some_and(|o| o.parent_id.as_deref() == Some(applicant_id))
            };
            if let (true, Some(kind)) = (tied, AffiliationKind::parse(&a.kind)) {
                ties.push(RecordedTie {
                    kind,
                    organisation_id: applicant_id.to_string(),
                });
            }
        }
        Ok(ties)
    }
}
