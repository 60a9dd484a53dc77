//! Districts, charters and schools as GraphQL reads them.
use async_graphql::{Json, SimpleObject};
use leeway_entities::organisation;

#[derive(SimpleObject, Clone)]
#[graphql(name = "Organisation")]
pub struct OrganisationView {
    pub id: String,
    pub name: String,
    pub kind: String,
    pub parent_id: Option<String>,
    pub enrollment: Option<i32>,
    /// Student counts by subgroup.
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
