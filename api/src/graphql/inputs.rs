//! Input types, converted into domain types at the boundary.
use crate::error::{ApiError, ApiResult};
use async_graphql::{Enum, InputObject};
use chrono::NaiveDate;
use leeway_machines::engine::text::{FreeText, TextSize, clean_text};
use leeway_machines::network::application::{NetworkApplication, ReadinessAnswer};
use leeway_machines::waiver::content::{
    Applicant, ApplicantKind, LocalSupport, ProvisionItem, StaffVote, Vote, WaiverContent,
};
use leeway_machines::waiver::machine::{Outcome, ProvisionDecision};
use serde::Serialize;

#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug, Serialize)]
pub enum ApplicantKindInput {
    District,
    School,
    InnovationZone,
}

#[derive(InputObject, Clone, Debug, Serialize)]
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

#[derive(InputObject, Clone, Debug, Serialize)]
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

#[derive(InputObject, Clone, Debug, Serialize)]
pub struct LocalSupportInput {
    pub board_vote: Option<VoteInput>,
    pub staff_vote: Option<StaffVoteInput>,
    pub public_hearing_on: Option<NaiveDate>,
    pub plan_posted_on: Option<NaiveDate>,
    pub board_vote_on: Option<NaiveDate>,
    #[graphql(default)]
    pub parent_consultation: String,
}

#[derive(InputObject, Clone, Debug, Serialize)]
pub struct VoteInput {
    pub yes: u32,
    pub no: u32,
    pub membership: u32,
}

#[derive(InputObject, Clone, Debug, Serialize)]
pub struct StaffVoteInput {
    pub yes: u32,
    pub no: u32,
    pub eligible: u32,
    #[graphql(default)]
    pub secret_ballot: bool,
    pub certified_by: String,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug, Serialize)]
pub enum OutcomeInput {
    Approve,
    ApproveWithConditions,
    Deny,
}

#[derive(InputObject, Clone, Debug, Serialize)]
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

/// Free text from a client, checked at the boundary.
pub fn text(field: &str, value: &str) -> ApiResult<FreeText> {
    FreeText::parse(field, value).map_err(ApiError::from)
}

/// A list of reasons from a client, each checked.
pub fn reasons(field: &str, values: &[String]) -> ApiResult<Vec<FreeText>> {
    leeway_machines::engine::text::parse_reasons(field, values).map_err(ApiError::from)
}

impl ProvisionDecisionInput {
    pub fn parse(self) -> ApiResult<ProvisionDecision> {
        let citation = clean_text("citation", self.citation.trim(), TextSize::Line)?;
        Ok(ProvisionDecision {
            citation,
            outcome: match self.outcome {
                OutcomeInput::Approve => Outcome::Approve,
                OutcomeInput::ApproveWithConditions => Outcome::ApproveWithConditions,
                OutcomeInput::Deny => Outcome::Deny,
            },
            conditions: self
                .conditions
                .as_deref()
                .map(|c| text("conditions", c))
                .transpose()?,
            reason: self
                .reason
                .as_deref()
                .map(|r| text("reason", r))
                .transpose()?,
        })
    }
}

pub fn decisions(input: Vec<ProvisionDecisionInput>) -> ApiResult<Vec<ProvisionDecision>> {
    if input.len() > 100 {
        return Err(ApiError::Validation(
            "a request has at most 100 provisions to decide".into(),
        ));
    }
    input
        .into_iter()
        .map(ProvisionDecisionInput::parse)
        .collect()
}

/// What a district writes to join a network.
#[derive(InputObject, Clone, Debug, Serialize)]
pub struct NetworkApplicationInput {
    /// The letter of commitment, in the district's words.
    #[graphql(default)]
    pub letter: String,
    /// The ids of the network's commitments the district signs: all of them.
    #[graphql(default)]
    pub commitments: Vec<String>,
    #[graphql(default)]
    pub readiness: Vec<ReadinessAnswerInput>,
    /// The schools that join; leave empty when the whole district joins.
    #[graphql(default)]
    pub school_ids: Vec<String>,
    /// How many students the work will reach.
    #[graphql(default)]
    pub students_reached: u32,
}

#[derive(InputObject, Clone, Debug, Serialize)]
pub struct ReadinessAnswerInput {
    pub question_id: String,
    pub answer: String,
}

impl From<NetworkApplicationInput> for NetworkApplication {
    fn from(i: NetworkApplicationInput) -> Self {
        NetworkApplication {
            letter: i.letter,
            commitments: i
                .commitments
                .into_iter()
                .map(|c| c.trim().to_string())
                .collect(),
            readiness: i
                .readiness
                .into_iter()
                .map(|a| ReadinessAnswer {
                    question_id: a.question_id.trim().to_string(),
                    answer: a.answer,
                })
                .collect(),
            school_ids: i.school_ids,
            students_reached: i.students_reached,
        }
    }
}
