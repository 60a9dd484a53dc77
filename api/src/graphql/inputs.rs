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

/// Who a waiver request is for.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug, Serialize)]
pub enum ApplicantKindInput {
    /// The whole district; the request names no schools.
    District,
    /// One school of the district, named as the only entry of `schoolIds`.
    School,
    /// A group of the district's schools (as West Virginia's innovation
    /// zones), at least two of them in `schoolIds`.
    InnovationZone,
}

/// The text of a waiver request, as the district writes it; each edit
/// replaces the whole of it. A draft may be incomplete; the authorized
/// representative can submit it only once everything the state requires is
/// there. Malformed input is refused with VALIDATION.
#[derive(InputObject, Clone, Debug, Serialize)]
pub struct WaiverContentInput {
    /// The request's title, up to 200 characters; needed to submit.
    pub title: String,
    /// Who the request is for; `schoolIds` must match it.
    #[graphql(default_with = "ApplicantKindInput::District")]
    pub applicant_kind: ApplicantKindInput,
    /// The schools covered, by `Organisation.id`, each a school of the
    /// district; leave empty for a district-wide request.
    #[graphql(default)]
    pub school_ids: Vec<String>,
    /// One line item per provision to waive, each provision once; at most
    /// 100, and at least one to submit.
    #[graphql(default)]
    pub items: Vec<ProvisionItemInput>,
    /// How many students the request affects; more than 0 to submit.
    #[graphql(default)]
    pub students_affected: u32,
    /// The grades affected, as the district names them; at most 20.
    #[graphql(default)]
    pub grades: Vec<String>,
    /// The student subgroups affected, e.g. `english_learners`; at most 50.
    #[graphql(default)]
    pub subgroups: Vec<String>,
    /// The resources the work calls for, in the district's words.
    #[graphql(default)]
    pub resources: String,
    /// Evidence of local support: votes, hearing and posting dates, and
    /// parent consultation, as the state's `WaiverRules` require.
    pub local_support: Option<LocalSupportInput>,
}

/// One line item of a waiver request: a provision to set aside, and what
/// the district will do instead. Every text is needed to submit.
#[derive(InputObject, Clone, Debug, Serialize)]
pub struct ProvisionItemInput {
    /// The provision's citation exactly as the catalog has it (see
    /// `provisions`), e.g. `702 KAR 7:125`. Submission is refused with
    /// VALIDATION unless it is in the catalog, waivable and in force.
    pub citation: String,
    /// Why the district asks to waive the provision.
    #[graphql(default)]
    pub rationale: String,
    /// What the district will do instead, meeting the intent of the law.
    #[graphql(default)]
    pub replacement_practice: String,
    /// What the district means to achieve with the waiver.
    #[graphql(default)]
    pub goal: String,
    /// How the district will measure progress toward the goal.
    #[graphql(default)]
    pub measure: String,
}

/// Evidence of local support for a waiver request. Which parts are required,
/// and the thresholds, come from the state's profile (`stateProfile.waivers`).
#[derive(InputObject, Clone, Debug, Serialize)]
pub struct LocalSupportInput {
    /// The local board's vote; required when the state sets
    /// `boardVoteThreshold`.
    pub board_vote: Option<VoteInput>,
    /// The staff vote; required when the state sets `staffVoteThreshold`.
    pub staff_vote: Option<StaffVoteInput>,
    /// The day of the public hearing; required, with the next two dates,
    /// when the state requires a hearing.
    pub public_hearing_on: Option<NaiveDate>,
    /// The day the plan was posted publicly; at least
    /// `publicHearingPostingDays` days before `boardVoteOn`.
    pub plan_posted_on: Option<NaiveDate>,
    /// The day the local board voted.
    pub board_vote_on: Option<NaiveDate>,
    /// How parents and the community were consulted, in the district's
    /// words.
    #[graphql(default)]
    pub parent_consultation: String,
}

/// A local board's vote on the request.
#[derive(InputObject, Clone, Debug, Serialize)]
pub struct VoteInput {
    /// Members who voted yes; the threshold is met by these.
    pub yes: u32,
    /// Members who voted no; yes and no together may not exceed
    /// `membership`.
    pub no: u32,
    /// The board's whole membership, present or not, which the threshold
    /// is a share of.
    pub membership: u32,
}

/// A staff vote on the request, as certified.
#[derive(InputObject, Clone, Debug, Serialize)]
pub struct StaffVoteInput {
    /// Employees who voted yes; the threshold is met by these.
    pub yes: u32,
    /// Employees who voted no; yes and no together may not exceed
    /// `eligible`.
    pub no: u32,
    /// Employees eligible to vote, which the threshold is a share of.
    pub eligible: u32,
    /// Whether the vote was by secret ballot, which some states require
    /// (`staffVoteSecretBallot`).
    #[graphql(default)]
    pub secret_ballot: bool,
    /// Who certified the count, e.g. the panel the state names; needed to
    /// submit.
    pub certified_by: String,
}

/// An outcome for one provision of a waiver request.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug, Serialize)]
pub enum OutcomeInput {
    /// Approve the waiver of the provision.
    Approve,
    /// Approve it on the conditions given in `conditions`.
    ApproveWithConditions,
    /// Deny it, for the reason given in `reason`.
    Deny,
}

/// A recommendation or decision on one provision of a waiver request. A
/// list of them must decide every provision of the request exactly once,
/// and holds at most 100.
#[derive(InputObject, Clone, Debug, Serialize)]
pub struct ProvisionDecisionInput {
    /// The provision's citation, as the request's line item cites it.
    pub citation: String,
    /// Approve, approve with conditions, or deny.
    pub outcome: OutcomeInput,
    /// The conditions, up to 4,000 characters; required with
    /// `APPROVE_WITH_CONDITIONS`.
    pub conditions: Option<String>,
    /// Why, up to 4,000 characters; required with `DENY`. A decision's
    /// audit entry records it.
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
    /// Answers to the network's readiness questions, one per question; all
    /// are needed to submit.
    #[graphql(default)]
    pub readiness: Vec<ReadinessAnswerInput>,
    /// The schools that join; leave empty when the whole district joins.
    #[graphql(default)]
    pub school_ids: Vec<String>,
    /// How many students the work will reach.
    #[graphql(default)]
    pub students_reached: u32,
}

/// A district's answer to one of the network's readiness questions.
#[derive(InputObject, Clone, Debug, Serialize)]
pub struct ReadinessAnswerInput {
    /// The question's id (`ReadinessQuestion.id`).
    pub question_id: String,
    /// The district's answer; a blank answer leaves the question unanswered.
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
