//! What an organisation is: the state agency, a district or charter (an
//! LEA), or a school within one.
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrganisationKind {
    Sea,
    District,
    Charter,
    School,
}

impl OrganisationKind {
    pub const ALL: [OrganisationKind; 4] = [
        OrganisationKind::Sea,
        OrganisationKind::District,
        OrganisationKind::Charter,
        OrganisationKind::School,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            OrganisationKind::Sea => "sea",
            OrganisationKind::District => "district",
            OrganisationKind::Charter => "charter",
            OrganisationKind::School => "school",
        }
    }

    pub fn parse(s: &str) -> Option<OrganisationKind> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// Districts and charters: the ones that hold cases and schools.
    pub fn is_lea(self) -> bool {
        matches!(self, OrganisationKind::District | OrganisationKind::Charter)
    }
}
