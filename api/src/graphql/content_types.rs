//! The long forms of cases as typed GraphQL objects (a waiver request, a
//! network application, a reviewer's recommendation), read from the
//! stored documents through the domain's own types.
use super::case_types::ProgramKind;
use super::grant_types::GrantProposalView;
use async_graphql::{Enum, SimpleObject, Union};
use chrono::NaiveDate;
use leeway_machines::grant::proposal::GrantProposal;
use leeway_machines::network::application::NetworkApplication;
use leeway_machines::waiver::content::{ApplicantKind, WaiverContent};
use leeway_machines::waiver::machine::{Outcome, Recommendation};

/// Who a waiver request covers.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum ApplicantKindName {
    /// The whole district.
    District,
    /// One school.
    School,
    /// A group of schools (West Virginia's innovation zones).
    InnovationZone,
}

/// A waiver request as written: the draft, a submitted version or an
/// amendment.
#[derive(SimpleObject, Clone, Debug)]
#[graphql(name = "WaiverContent")]
pub struct WaiverContentView {
    /// The request's title.
    pub title: String,
    /// Who it covers.
    pub applicant_kind: ApplicantKindName,
    /// The schools it covers; empty for a district-wide request.
    pub school_ids: Vec<String>,
    /// One entry per provision the district asks to set aside.
    pub items: Vec<ProvisionItemView>,
    /// Students the waivers would affect.
    pub students_affected: i64,
    /// The grades affected, as the district wrote them.
    pub grades: Vec<String>,
    /// The student subgroups affected, as the district wrote them.
    pub subgroups: Vec<String>,
    /// The resources the work calls for, in the district's words.
    pub resources: String,
    /// The evidence of local support.
    pub local_support: LocalSupportView,
}

/// One provision a request asks to set aside, and what replaces it.
#[derive(SimpleObject, Clone, Debug)]
#[graphql(name = "ProvisionItem")]
pub struct ProvisionItemView {
    /// The provision's citation in the catalog, e.g. `KRS 160.345`.
    pub citation: String,
    /// Why the district asks to set it aside.
    pub rationale: String,
    /// What the district will do instead.
    pub replacement_practice: String,
    /// What the district means to achieve.
    pub goal: String,
    /// How it will measure that.
    pub measure: String,
}

/// The evidence that the community behind a request supports it.
#[derive(SimpleObject, Clone, Debug)]
#[graphql(name = "LocalSupport")]
pub struct LocalSupportView {
    /// The local board's vote, if recorded.
    pub board_vote: Option<VoteView>,
    /// The staff's vote, if recorded.
    pub staff_vote: Option<StaffVoteView>,
    /// The day of the public hearing.
    pub public_hearing_on: Option<NaiveDate>,
    /// The day the plan was posted for the public.
    pub plan_posted_on: Option<NaiveDate>,
    /// The day the board voted.
    pub board_vote_on: Option<NaiveDate>,
    /// How parents were consulted, in the district's words.
    pub parent_consultation: String,
}

/// A board's vote.
#[derive(SimpleObject, Clone, Debug)]
#[graphql(name = "Vote")]
pub struct VoteView {
    /// Members voting yes.
    pub yes: i64,
    /// Members voting no.
    pub no: i64,
    /// Members of the board in all.
    pub membership: i64,
}

/// The staff's vote on a request.
#[derive(SimpleObject, Clone, Debug)]
#[graphql(name = "StaffVote")]
pub struct StaffVoteView {
    /// Staff voting yes.
    pub yes: i64,
    /// Staff voting no.
    pub no: i64,
    /// Staff eligible to vote.
    pub eligible: i64,
    /// Whether the ballot was secret.
    pub secret_ballot: bool,
    /// Who certified the count, e.g. the school-based decision making council.
    pub certified_by: String,
}

impl From<WaiverContent> for WaiverContentView {
    fn from(c: WaiverContent) -> Self {
        let ls = c.local_support;
        Self {
            title: c.title,
            applicant_kind: match c.applicant.kind {
                ApplicantKind::District => ApplicantKindName::District,
                ApplicantKind::School => ApplicantKindName::School,
                ApplicantKind::InnovationZone => ApplicantKindName::InnovationZone,
            },
            school_ids: c.applicant.school_ids,
            items: c
                .items
                .into_iter()
                .map(|i| ProvisionItemView {
                    citation: i.citation,
                    rationale: i.rationale,
                    replacement_practice: i.replacement_practice,
                    goal: i.goal,
                    measure: i.measure,
                })
                .collect(),
            students_affected: i64::from(c.students_affected),
            grades: c.grades,
            subgroups: c.subgroups,
            resources: c.resources,
            local_support: LocalSupportView {
                board_vote: ls.board_vote.map(|v| VoteView {
                    yes: i64::from(v.yes),
                    no: i64::from(v.no),
                    membership: i64::from(v.membership),
                }),
                staff_vote: ls.staff_vote.map(|v| StaffVoteView {
                    yes: i64::from(v.yes),
                    no: i64::from(v.no),
                    eligible: i64::from(v.eligible),
                    secret_ballot: v.secret_ballot,
                    certified_by: v.certified_by,
                }),
                public_hearing_on: ls.public_hearing_on,
                plan_posted_on: ls.plan_posted_on,
                board_vote_on: ls.board_vote_on,
                parent_consultation: ls.parent_consultation,
            },
        }
    }
}

/// A district's application to join a statewide network.
#[derive(SimpleObject, Clone, Debug)]
#[graphql(name = "NetworkApplication")]
pub struct NetworkApplicationView {
    /// The district's letter of interest.
    pub letter: String,
    /// The ids of the network's commitments the district signed.
    pub commitments: Vec<String>,
    /// The district's answers to the network's readiness questions.
    pub readiness: Vec<ReadinessAnswerView>,
    /// The schools that would take part.
    pub school_ids: Vec<String>,
    /// Students the membership would reach.
    pub students_reached: i64,
}

/// An answer to one readiness question.
#[derive(SimpleObject, Clone, Debug)]
#[graphql(name = "ReadinessAnswer")]
pub struct ReadinessAnswerView {
    /// The question's id in the network's profile.
    pub question_id: String,
    /// The district's answer.
    pub answer: String,
}

impl From<NetworkApplication> for NetworkApplicationView {
    fn from(a: NetworkApplication) -> Self {
        Self {
            letter: a.letter,
            commitments: a.commitments,
            readiness: a
                .readiness
                .into_iter()
                .map(|r| ReadinessAnswerView {
                    question_id: r.question_id,
                    answer: r.answer,
                })
                .collect(),
            school_ids: a.school_ids,
            students_reached: i64::from(a.students_reached),
        }
    }
}

/// What a submitted version holds: the form of the case's program.
#[derive(Union, Clone, Debug)]
pub enum CaseContent {
    /// A waiver request.
    Waiver(WaiverContentView),
    /// A network application.
    NetworkApplication(NetworkApplicationView),
    /// A grant application.
    GrantProposal(GrantProposalView),
}

/// A stored document as the program's form; `None` for a document that
/// does not read as one (which the audit trail would show as altered).
pub fn case_content(program: ProgramKind, document: serde_json::Value) -> Option<CaseContent> {
    match program {
        ProgramKind::Waiver => serde_json::from_value::<WaiverContent>(document)
            .ok()
            .map(|c| CaseContent::Waiver(c.into())),
        ProgramKind::Grant | ProgramKind::GrantProgram => {
            serde_json::from_value::<GrantProposal>(document)
                .ok()
                .map(|p| CaseContent::GrantProposal(p.into()))
        }
        ProgramKind::AnnualReport | ProgramKind::WaiverProgress => None,
        ProgramKind::NetworkMembership | ProgramKind::Network => {
            serde_json::from_value::<NetworkApplication>(document)
                .ok()
                .map(|a| CaseContent::NetworkApplication(a.into()))
        }
    }
}

/// A reviewer's or approver's outcome for one provision.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum DecisionOutcome {
    /// The waiver of the provision is approved.
    Approve,
    /// Approved on the conditions given.
    ApproveWithConditions,
    /// Denied, for the reason given.
    Deny,
}

impl DecisionOutcome {
    /// An item's stored decision (`approved`, `approved_with_conditions`,
    /// `denied`), as the enum.
    pub fn parse_stored(stored: &str) -> Option<DecisionOutcome> {
        match stored {
            "approved" => Some(DecisionOutcome::Approve),
            "approved_with_conditions" => Some(DecisionOutcome::ApproveWithConditions),
            "denied" => Some(DecisionOutcome::Deny),
            _ => None,
        }
    }
}

/// The assigned reviewer's recommendation to the approver.
#[derive(SimpleObject, Clone, Debug)]
#[graphql(name = "Recommendation")]
pub struct RecommendationView {
    /// The reviewer who made it.
    pub reviewer_id: String,
    /// The reviewer's summary for the approver.
    pub summary: String,
    /// The recommended outcome for each provision.
    pub decisions: Vec<ProvisionDecisionView>,
}

/// A recommended outcome for one provision.
#[derive(SimpleObject, Clone, Debug)]
#[graphql(name = "ProvisionDecision")]
pub struct ProvisionDecisionView {
    /// The provision's citation.
    pub citation: String,
    /// The outcome.
    pub outcome: DecisionOutcome,
    /// The conditions of an approval with conditions.
    pub conditions: Option<String>,
    /// The reason, given for a denial.
    pub reason: Option<String>,
}

impl From<Recommendation> for RecommendationView {
    fn from(r: Recommendation) -> Self {
        Self {
            reviewer_id: r.reviewer_id,
            summary: r.summary,
            decisions: r
                .decisions
                .into_iter()
                .map(|d| ProvisionDecisionView {
                    citation: d.citation,
                    outcome: match d.outcome {
                        Outcome::Approve => DecisionOutcome::Approve,
                        Outcome::ApproveWithConditions => DecisionOutcome::ApproveWithConditions,
                        Outcome::Deny => DecisionOutcome::Deny,
                    },
                    conditions: d.conditions.map(|c| c.to_string()),
                    reason: d.reason.map(|c| c.to_string()),
                })
                .collect(),
        }
    }
}
