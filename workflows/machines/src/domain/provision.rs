//! Whether a cited provision may be waived, decided from the catalog and the
//! state profile at the moment of submission.
use crate::waiver::rules::WaiverRules;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// What the catalog says about one provision.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProvisionFacts {
    pub citation: String,
    pub title: String,
    pub category: String,
    pub waivable: bool,
    pub non_waivable_reason: Option<String>,
    pub effective_from: NaiveDate,
    pub effective_to: Option<NaiveDate>,
}

/// The ruling for one cited provision, carried into the submit command so
/// the state machine can refuse without doing I/O.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProvisionRuling {
    pub citation: String,
    pub title: Option<String>,
    pub waivable: bool,
    /// Why not, in words a district clerk understands.
    pub reason: Option<String>,
}

pub fn rule_on_provision(
    citation: &str,
    facts: Option<&ProvisionFacts>,
    profile: &WaiverRules,
    today: NaiveDate,
) -> ProvisionRuling {
    let refuse = |title: Option<String>, reason: String| ProvisionRuling {
        citation: citation.to_string(),
        title,
        waivable: false,
        reason: Some(reason),
    };
    let Some(facts) = facts else {
        return refuse(
            None,
            format!("{citation} is not in the provision catalog, so it cannot be waived"),
        );
    };
    let title = Some(facts.title.clone());
    if !facts.waivable {
        let why = facts
            .non_waivable_reason
            .clone()
            .unwrap_or_else(|| "the catalog marks it non-waivable".into());
        return refuse(title, format!("{citation} cannot be waived: {why}"));
    }
    if profile.non_waivable_categories.contains(&facts.category) {
        return refuse(
            title,
            format!(
                "{citation} cannot be waived: {} does not allow waivers of {} provisions",
                profile.name,
                facts.category.replace('_', " ")
            ),
        );
    }
    if today < facts.effective_from || facts.effective_to.is_some_and(|end| today > end) {
        return refuse(
            title,
            format!("{citation} is not in effect on {today}, so there is nothing to waive"),
        );
    }
    ProvisionRuling {
        citation: citation.to_string(),
        title,
        waivable: true,
        reason: None,
    }
}
