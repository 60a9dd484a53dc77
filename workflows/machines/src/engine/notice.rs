//! Who hears about a step, and what they are told. Audiences are resolved
//! to addresses when the step is recorded.
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Audience {
    /// Staff of the district or charter the case belongs to.
    District,
    /// The reviewer assigned to the case.
    AssignedReviewer,
    /// Every SEA reviewer.
    Reviewers,
    /// Every SEA approver.
    Approvers,
    /// Every administrator.
    Administrators,
    /// Every person holding the legislator role.
    Legislators,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notice {
    pub audience: Vec<Audience>,
    pub subject: String,
    pub body: String,
    /// Further recipients by address alone: a committee's mailbox, which
    /// no account stands behind.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub addresses: Vec<String>,
    /// Files the case's steps stored (its artefacts), by name, attached
    /// to every copy.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attachments: Vec<String>,
}

pub fn notice(audience: &[Audience], subject: String, body: String) -> Notice {
    Notice {
        audience: audience.to_vec(),
        subject,
        body,
        addresses: Vec::new(),
        attachments: Vec::new(),
    }
}
