//! What the waiver program's mutations need beyond the engine's command
//! path: a request's schools checked against the district, its document
//! stored and outlined, and each cited provision ruled on from the catalog.
use crate::context::AppContext;
use crate::error::{ApiError, ApiResult};
use chrono::Utc;
use leeway_entities::{case_document, organisation, provision, user, user_role};
use leeway_machines::domain::actor::Role;
use leeway_machines::domain::provision::{ProvisionFacts, ProvisionRuling, rule_on_provision};
use leeway_machines::waiver::content::{WaiverContent, WaiverDraft};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

impl AppContext {
    /// Checks a request's content, stores it and returns the draft a
    /// command carries.
    pub async fn waiver_draft(
        &self,
        case_id: &str,
        district_id: &str,
        content: &WaiverContent,
    ) -> ApiResult<WaiverDraft> {
        let problems = content.check_shape();
        if !problems.is_empty() {
            return Err(ApiError::Validation(problems.join("; ")));
        }
        self.check_schools(district_id, &content.applicant.school_ids)
            .await?;
        Ok(WaiverDraft {
            document: self.store_document(case_id, content).await?,
            outline: content.outline(),
        })
    }

    /// Every school named must be one of the district's.
    pub async fn check_schools(&self, district_id: &str, school_ids: &[String]) -> ApiResult<()> {
        for school in school_ids {
            let found = organisation::Entity::find_by_id(school.as_str())
                .one(&self.db)
                .await?;
            match found {
                Some(o) if o.kind == "school" && o.parent_id.as_deref() == Some(district_id) => {}
                _ => {
                    return Err(ApiError::Validation(format!(
                        "`{school}` is not a school of your district."
                    )));
                }
            }
        }
        Ok(())
    }

    /// A reviewer to assign must be an active person who holds the role,
    /// as their default or a further one.
    pub async fn require_reviewer(&self, reviewer_id: &str) -> ApiResult<()> {
        let reviewer = user::Entity::find_by_id(reviewer_id).one(&self.db).await?;
        let further = user_role::Entity::find_by_id((
            reviewer_id.to_string(),
            Role::SeaReviewer.as_str().to_string(),
        ))
        .one(&self.db)
        .await?
        .is_some();
        if reviewer.is_none_or(|u| {
            (u.role != Role::SeaReviewer.as_str() && !further) || u.deactivated_at.is_some()
        }) {
            return Err(ApiError::Validation(format!(
                "`{reviewer_id}` is not an SEA reviewer."
            )));
        }
        Ok(())
    }

    /// The stored text of a waiver request's current version.
    pub async fn waiver_content(&self, case_id: &str, hash: &str) -> ApiResult<WaiverContent> {
        let doc = case_document::Entity::find_by_id((case_id.to_string(), hash.to_string()))
            .one(&self.db)
            .await?
            .ok_or_else(|| ApiError::internal("read the request", "document missing"))?;
        serde_json::from_str(&doc.body).map_err(|e| ApiError::internal("read the request", e))
    }

    /// Rules on each cited provision from the catalog and the profile.
    pub async fn rulings(&self, content: &WaiverContent) -> ApiResult<Vec<ProvisionRuling>> {
        let citations = content.citations();
        let rows = provision::Entity::find()
            .filter(provision::Column::Citation.is_in(citations.clone()))
            .all(&self.db)
            .await?;
        let today = Utc::now().date_naive();
        Ok(citations
            .iter()
            .map(|c| {
                let facts = rows
                    .iter()
                    .find(|r| &r.citation == c)
                    .map(|r| ProvisionFacts {
                        citation: r.citation.clone(),
                        title: r.title.clone(),
                        category: r.category.clone(),
                        waivable: r.waivable,
                        non_waivable_reason: r.non_waivable_reason.clone(),
                        effective_from: r.effective_from,
                        effective_to: r.effective_to,
                    });
                rule_on_provision(c, facts.as_ref(), &self.profile.waivers, today)
            })
            .collect())
    }
}
