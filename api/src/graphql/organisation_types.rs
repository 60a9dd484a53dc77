//! Districts, charters and schools as GraphQL reads them.
use super::role_types::OrganisationKindName;
use async_graphql::SimpleObject;
use leeway_entities::organisation;
use leeway_machines::domain::organisation_kind::OrganisationKind;

/// How many students of one subgroup an organisation has.
#[derive(SimpleObject, Clone, Debug, PartialEq, Eq)]
pub struct SubgroupCount {
    /// The subgroup, e.g. `english_learners`.
    pub name: String,
    /// Its students; null where a small count is withheld (see
    /// `Organisation.subgroups`).
    pub count: Option<i64>,
}

/// A district, charter, school or the SEA itself.
#[derive(SimpleObject, Clone)]
#[graphql(name = "Organisation")]
pub struct OrganisationView {
    /// The organisation's id, as the state's records give it, e.g. `KY-131`.
    pub id: String,
    /// Its name, e.g. "Danville Independent Schools".
    pub name: String,
    /// What it is.
    pub kind: OrganisationKindName,
    /// A school's district; null for the SEA, districts and charters.
    pub parent_id: Option<String>,
    /// Total enrollment in the latest school year on record; null when
    /// unknown.
    pub enrollment: Option<i32>,
    /// Student counts by subgroup in the latest school year on record, by
    /// name; in `organisations`, counts under 10
    /// are null for roles outside the district and the SEA.
    pub subgroups: Vec<SubgroupCount>,
}

impl OrganisationView {
    /// FERPA disclosure avoidance: hide any subgroup count under `min`.
    pub fn suppress_small_cells(&mut self, min: i64) {
        for group in &mut self.subgroups {
            if group.count.is_some_and(|n| n < min) {
                group.count = None;
            }
        }
    }
}

impl From<organisation::Model> for OrganisationView {
    fn from(o: organisation::Model) -> Self {
        Self {
            id: o.id,
            name: o.name,
            kind: OrganisationKind::parse(&o.kind)
                .unwrap_or(OrganisationKind::District)
                .into(),
            parent_id: o.parent_id,
            enrollment: o.enrollment,
            subgroups: serde_json::from_str::<std::collections::BTreeMap<String, i64>>(
                &o.subgroups,
            )
            .unwrap_or_default()
            .into_iter()
            .map(|(name, count)| SubgroupCount {
                name,
                count: Some(count),
            })
            .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_subgroup_counts_are_withheld_and_the_rest_kept() {
        let model = organisation::Model {
            id: "d".into(),
            name: "D".into(),
            kind: "charter".into(),
            parent_id: None,
            enrollment: Some(400),
            subgroups: r#"{"english_learners":7,"students_with_disabilities":52}"#.into(),
            created_at: chrono::Utc::now(),
            equity_flags: "[]".into(),
        };
        let mut view = OrganisationView::from(model);
        assert_eq!(view.kind, OrganisationKindName::Charter);
        view.suppress_small_cells(10);
        assert_eq!(
            view.subgroups,
            vec![
                SubgroupCount {
                    name: "english_learners".into(),
                    count: None
                },
                SubgroupCount {
                    name: "students_with_disabilities".into(),
                    count: Some(52)
                },
            ]
        );
    }
}
