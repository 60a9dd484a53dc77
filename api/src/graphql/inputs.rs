//! Input types, converted into domain types at the boundary.
use async_graphql::{Enum, InputObject};
use chrono::NaiveDate;
use leeway_workflows::machine::waiver::{Outcome, ProvisionDecision};
use leeway_workflows::machine::waiver_content::{
    Applicant, ApplicantKind, LocalSupport, ProvisionItem, StaffVote, Vote, WaiverContent,
};

#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum ApplicantKindInput {
    District,
    School,
    InnovationZone,
}

#[derive(InputObject, Clone, Debug)]
pub struct WaiverContentInput {
    pub title: String,
    #[graphql(default_with = "ApplicantKindInput::District")]
    pub applicant_kind: ApplicantKindInput,
    /// The schools covered; leave empty for a district-wide request.
    #[graphql(default)]
    pub school_ids: Vec<String>,
    #[graphql(default)]
    pub items: Vec<ProvisionItemInput>,
    #[graphql(default)]
    pub students_affected: u32,
    #[graphql(default)]
    pub grades: Vec<String>,
    #[graphql(default)]
    pub subgroups: Vec<String>,
    #[graphql(default)]
    pub resources: String,
    pub local_support: Option<LocalSupportInput>,
}

#[derive(InputObject, Clone, Debug)]
pub struct ProvisionItemInput {
    pub citation: String,
    #[graphql(default)]
    pub rationale: String,
    #[graphql(default)]
    pub replacement_practice: String,
    #[graphql(default)]
    pub goal: String,
    #[graphql(default)]
    pub measure: String,
}

#[derive(InputObject, Clone, Debug)]
pub struct LocalSupportInput {
    pub board_vote: Option<VoteInput>,
    pub staff_vote: Option<StaffVoteInput>,
    pub public_hearing_on: Option<NaiveDate>,
    pub plan_posted_on: Option<NaiveDate>,
    pub board_vote_on: Option<NaiveDate>,
    #[graphql(default)]
    pub parent_consultation: String,
}

#[derive(InputObject, Clone, Debug)]
pub struct VoteInput {
    pub yes: u32,
    pub no: u32,
    pub membership: u32,
}

#[derive(InputObject, Clone, Debug)]
pub struct StaffVoteInput {
    pub yes: u32,
    pub no: u32,
    pub eligible: u32,
    #[graphql(default)]
    pub secret_ballot: bool,
    pub certified_by: String,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum OutcomeInput {
    Approve,
    ApproveWithConditions,
    Deny,
}

#[derive(InputObject, Clone, Debug)]
pub struct ProvisionDecisionInput {
    pub citation: String,
    pub outcome: OutcomeInput,
    pub conditions: Option<String>,
    pub reason: Option<String>,
}

impl From<WaiverContentInput> for WaiverContent {
    fn from(i: WaiverContentInput) -> Self {
        let support = i.local_support.map(LocalSupport::from).unwrap_or_default();
        WaiverContent {
            title: i.title,
            applicant: Applicant {
                kind: match i.applicant_kind {
                    ApplicantKindInput::District => ApplicantKind::District,
                    ApplicantKindInput::School => ApplicantKind::School,
                    ApplicantKindInput::InnovationZone => ApplicantKind::InnovationZone,
                },
                school_ids: i.school_ids,
            },
            items: i
                .items
                .into_iter()
                .map(|p| ProvisionItem {
                    citation: p.citation.trim().to_string(),
                    rationale: p.rationale,
                    replacement_practice: p.replacement_practice,
                    goal: p.goal,
                    measure: p.measure,
                })
                .collect(),
            students_affected: i.students_affected,
            grades: i.grades,
            subgroups: i.subgroups,
            resources: i.resources,
            local_support: support,
        }
    }
}

impl From<LocalSupportInput> for LocalSupport {
    fn from(s: LocalSupportInput) -> Self {
        LocalSupport {
            board_vote: s.board_vote.map(|v| Vote {
                yes: v.yes,
                no: v.no,
                membership: v.membership,
            }),
            staff_vote: s.staff_vote.map(|v| StaffVote {
                yes: v.yes,
                no: v.no,
                eligible: v.eligible,
                secret_ballot: v.secret_ballot,
                certified_by: v.certified_by,
            }),
            public_hearing_on: s.public_hearing_on,
            plan_posted_on: s.plan_posted_on,
            board_vote_on: s.board_vote_on,
            parent_consultation: s.parent_consultation,
        }
    }
}

impl From<ProvisionDecisionInput> for ProvisionDecision {
    fn from(d: ProvisionDecisionInput) -> Self {
        ProvisionDecision {
            citation: d.citation.trim().to_string(),
            outcome: match d.outcome {
                OutcomeInput::Approve => Outcome::Approve,
                OutcomeInput::ApproveWithConditions => Outcome::ApproveWithConditions,
                OutcomeInput::Deny => Outcome::Deny,
            },
            conditions: d.conditions,
            reason: d.reason,
        }
    }
}
