//! Roles, organisation kinds and affiliation kinds as GraphQL enums, each
//! the domain's own type at the boundary.
use async_graphql::Enum;
use leeway_machines::domain::actor::Role;
use leeway_machines::domain::affiliation::AffiliationKind;
use leeway_machines::domain::organisation_kind::OrganisationKind;

/// A role a person holds in Leeway.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum RoleName {
    /// District staff who draft their district's requests and applications.
    DistrictApplicant,
    /// The district's authorized representative, who certifies and submits.
    DistrictAuthorizedRep,
    /// SEA staff who check and review requests.
    SeaReviewer,
    /// SEA staff who decide.
    SeaApprover,
    /// SEA staff who approve claims and payments.
    FiscalOfficer,
    /// A legislator, who reads what is published.
    Legislator,
    /// An auditor, who reads every case and verifies the audit trail.
    Auditor,
    /// An administrator of the state's Leeway.
    Admin,
    /// Leeway itself, acting on a case's own clock.
    System,
}

impl From<Role> for RoleName {
    fn from(r: Role) -> Self {
        match r {
            Role::DistrictApplicant => RoleName::DistrictApplicant,
            Role::DistrictAuthorizedRep => RoleName::DistrictAuthorizedRep,
            Role::SeaReviewer => RoleName::SeaReviewer,
            Role::SeaApprover => RoleName::SeaApprover,
            Role::FiscalOfficer => RoleName::FiscalOfficer,
            Role::Legislator => RoleName::Legislator,
            Role::Auditor => RoleName::Auditor,
            Role::Admin => RoleName::Admin,
            Role::System => RoleName::System,
        }
    }
}

impl From<RoleName> for Role {
    fn from(r: RoleName) -> Self {
        match r {
            RoleName::DistrictApplicant => Role::DistrictApplicant,
            RoleName::DistrictAuthorizedRep => Role::DistrictAuthorizedRep,
            RoleName::SeaReviewer => Role::SeaReviewer,
            RoleName::SeaApprover => Role::SeaApprover,
            RoleName::FiscalOfficer => Role::FiscalOfficer,
            RoleName::Legislator => Role::Legislator,
            RoleName::Auditor => Role::Auditor,
            RoleName::Admin => Role::Admin,
            RoleName::System => Role::System,
        }
    }
}

/// What an organisation is.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum OrganisationKindName {
    /// The state education agency.
    Sea,
    /// A school district (an LEA).
    District,
    /// A charter school that is its own LEA.
    Charter,
    /// A school within a district or charter.
    School,
}

impl From<OrganisationKindName> for OrganisationKind {
    fn from(k: OrganisationKindName) -> Self {
        match k {
            OrganisationKindName::Sea => OrganisationKind::Sea,
            OrganisationKindName::District => OrganisationKind::District,
            OrganisationKindName::Charter => OrganisationKind::Charter,
            OrganisationKindName::School => OrganisationKind::School,
        }
    }
}

/// How a person is tied to an organisation they do not work for.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum AffiliationKindName {
    /// They worked there.
    FormerEmployer,
    /// They sit on its board.
    BoardSeat,
    /// A member of their family works or studies there.
    FamilyMember,
    /// They have a financial interest in it.
    FinancialInterest,
    /// Another tie the state counts as a conflict.
    Other,
}

impl From<AffiliationKindName> for AffiliationKind {
    fn from(k: AffiliationKindName) -> Self {
        match k {
            AffiliationKindName::FormerEmployer => AffiliationKind::FormerEmployer,
            AffiliationKindName::BoardSeat => AffiliationKind::BoardSeat,
            AffiliationKindName::FamilyMember => AffiliationKind::FamilyMember,
            AffiliationKindName::FinancialInterest => AffiliationKind::FinancialInterest,
            AffiliationKindName::Other => AffiliationKind::Other,
        }
    }
}

impl From<OrganisationKind> for OrganisationKindName {
    fn from(k: OrganisationKind) -> Self {
        match k {
            OrganisationKind::Sea => OrganisationKindName::Sea,
            OrganisationKind::District => OrganisationKindName::District,
            OrganisationKind::Charter => OrganisationKindName::Charter,
            OrganisationKind::School => OrganisationKindName::School,
        }
    }
}

impl RoleName {
    /// A stored role name (`sea_reviewer`), as the enum.
    pub fn parse(stored: &str) -> Option<RoleName> {
        Role::parse(stored).map(Into::into)
    }
}

/// Where an email stands.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum EmailStatus {
    /// Waiting to be sent.
    Queued,
    /// A delivery attempt holds it now.
    Sending,
    /// The relay took it.
    Sent,
    /// The last attempt failed; it is tried again after a wait.
    Failed,
    /// Given up on (refused by the relay, or still failing when the state
    /// profile's retry time ran out); the administrators were alerted.
    Undeliverable,
}

impl EmailStatus {
    /// A stored status (`sent`), as the enum; anything unknown reads as
    /// queued, which it was before any attempt.
    pub fn parse(stored: &str) -> EmailStatus {
        match stored {
            "sending" => EmailStatus::Sending,
            "sent" => EmailStatus::Sent,
            "failed" => EmailStatus::Failed,
            "undeliverable" => EmailStatus::Undeliverable,
            _ => EmailStatus::Queued,
        }
    }
}
