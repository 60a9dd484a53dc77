//! Who is acting: a person with one role in one organisation, or the system
//! itself when a statutory clock runs out.
use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    DistrictApplicant,
    DistrictAuthorizedRep,
    SeaReviewer,
    SeaApprover,
    FiscalOfficer,
    Legislator,
    Auditor,
    Admin,
    /// The workflow acting on its own clocks (escalation, expiry).
    System,
}

impl Role {
    pub const ALL: [Role; 9] = [
        Role::DistrictApplicant,
        Role::DistrictAuthorizedRep,
        Role::SeaReviewer,
        Role::SeaApprover,
        Role::FiscalOfficer,
        Role::Legislator,
        Role::Auditor,
        Role::Admin,
        Role::System,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::DistrictApplicant => "district_applicant",
            Role::DistrictAuthorizedRep => "district_authorized_rep",
            Role::SeaReviewer => "sea_reviewer",
            Role::SeaApprover => "sea_approver",
            Role::FiscalOfficer => "fiscal_officer",
            Role::Legislator => "legislator",
            Role::Auditor => "auditor",
            Role::Admin => "admin",
            Role::System => "system",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// A role a person can hold: never `system`, which only the
    /// workflow's own clocks act as.
    pub fn parse_person_role(s: &str) -> Option<Role> {
        Role::parse(s).filter(|r| *r != Role::System)
    }

    /// "an SEA reviewer", "a district applicant".
    pub fn with_article(self) -> String {
        let label = self.label();
        let article = match label.chars().next() {
            Some('a' | 'e' | 'i' | 'o' | 'u' | 'S') => "an",
            _ => "a",
        };
        format!("{article} {label}")
    }

    /// District roles act only on their own organisation's cases.
    pub fn is_district(self) -> bool {
        matches!(self, Role::DistrictApplicant | Role::DistrictAuthorizedRep)
    }

    /// Roles that may read every case in the state.
    pub fn reads_all_cases(self) -> bool {
        matches!(
            self,
            Role::SeaReviewer
                | Role::SeaApprover
                | Role::FiscalOfficer
                | Role::Auditor
                | Role::Admin
                | Role::System
        )
    }

    pub fn label(self) -> &'static str {
        match self {
            Role::DistrictApplicant => "district applicant",
            Role::DistrictAuthorizedRep => "district authorized representative",
            Role::SeaReviewer => "SEA reviewer",
            Role::SeaApprover => "SEA approver",
            Role::FiscalOfficer => "fiscal officer",
            Role::Legislator => "legislator",
            Role::Auditor => "auditor",
            Role::Admin => "administrator",
            Role::System => "Leeway clock",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actor {
    pub user_id: String,
    pub role: Role,
    pub organisation_id: String,
}

impl Actor {
    pub fn system() -> Actor {
        Actor {
            user_id: "system".into(),
            role: Role::System,
            organisation_id: "system".into(),
        }
    }
}
