//! The provision catalog and the state profile in force.
use super::network_types::NetworkProgramView;
use async_graphql::SimpleObject;
use chrono::NaiveDate;
use leeway_entities::provision;
use leeway_machines::domain::state_profile::StateProfile;
use leeway_machines::waiver::rules::WaiverRules;

#[derive(SimpleObject, Clone)]
#[graphql(name = "Provision")]
pub struct ProvisionView {
    pub citation: String,
    pub title: String,
    pub category: String,
    /// False if the catalog or the state profile forbids waiving it.
    pub waivable: bool,
    pub non_waivable_reason: Option<String>,
    pub effective_from: NaiveDate,
    pub effective_to: Option<NaiveDate>,
}

impl ProvisionView {
    pub fn new(p: provision::Model, profile: &WaiverRules) -> Self {
        let by_profile = profile.non_waivable_categories.contains(&p.category);
        let reason = p.non_waivable_reason.clone().or_else(|| {
            by_profile.then(|| {
                format!(
                    "{} does not allow waivers of {} provisions",
                    profile.name,
                    p.category.replace('_', " ")
                )
            })
        });
        Self {
            waivable: p.waivable && !by_profile,
            non_waivable_reason: reason,
            citation: p.citation,
            title: p.title,
            category: p.category,
            effective_from: p.effective_from,
            effective_to: p.effective_to,
        }
    }
}

#[derive(SimpleObject, Clone)]
#[graphql(name = "StateProfile")]
pub struct StateProfileView {
    pub code: String,
    /// The state.
    pub name: String,
    pub waivers: WaiverRulesView,
    pub networks: Vec<NetworkProgramView>,
}

/// The waiver program's rules in this state.
#[derive(SimpleObject, Clone)]
#[graphql(name = "WaiverRules")]
pub struct WaiverRulesView {
    pub name: String,
    pub statute: String,
    pub review_decision_clock: String,
    pub expiry_notice: String,
    pub term_rule: String,
    pub board_vote_threshold: Option<String>,
    pub staff_vote_threshold: Option<String>,
    pub staff_vote_secret_ballot: bool,
    pub public_hearing_posting_days: Option<i32>,
    pub non_waivable_categories: Vec<String>,
}

impl From<&StateProfile> for StateProfileView {
    fn from(p: &StateProfile) -> Self {
        let w = &p.waivers;
        Self {
            code: p.code.clone(),
            name: p.name.clone(),
            waivers: WaiverRulesView {
                name: w.name.clone(),
                statute: w.statute.clone(),
                review_decision_clock: w.clocks.review_decision.to_string(),
                expiry_notice: w.clocks.expiry_notice.to_string(),
                term_rule: w.term.describe(),
                board_vote_threshold: w.board_vote.as_ref().map(|b| b.threshold.to_string()),
                staff_vote_threshold: w.staff_vote.as_ref().map(|s| s.threshold.to_string()),
                staff_vote_secret_ballot: w.staff_vote.as_ref().is_some_and(|s| s.secret_ballot),
                public_hearing_posting_days: w
                    .public_hearing
                    .as_ref()
                    .map(|h| h.posting_days as i32),
                non_waivable_categories: w.non_waivable_categories.clone(),
            },
            networks: p.networks.iter().map(NetworkProgramView::from).collect(),
        }
    }
}
