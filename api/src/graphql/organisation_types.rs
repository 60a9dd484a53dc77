//! Districts, charters and schools as GraphQL reads them.
use async_graphql::{Json, SimpleObject};
use leeway_entities::organisation;

/// A district, charter, school or the SEA itself.
#[derive(SimpleObject, Clone)]
#[graphql(name = "Organisation")]
pub struct OrganisationView {
    /// The organisation's id, as the state's records give it, e.g. `KY-131`.
    pub id: String,
    /// Its name, e.g. "Danville Independent Schools".
    pub name: String,
    /// What it is: `sea`, `district`, `charter` or `school`.
    pub kind: String,
    /// A school's district; null for the SEA, districts and charters.
    pub parent_id: Option<String>,
    /// Total enrollment in the latest school year on record; null when
    /// unknown.
    pub enrollment: Option<i32>,
    /// Student counts by subgroup in the latest school year on record, a JSON
    /// object of subgroup name to count; in `organisations`, counts under 10
    /// are null for roles outside the district and the SEA.
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
