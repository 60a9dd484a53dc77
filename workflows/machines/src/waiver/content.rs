//! What a district writes in a waiver request (the document, stored by its
//! hash outside workflow history), the outline of it the machine decides
//! on, and the checks a request must pass before it can be submitted.
use super::rules::WaiverRules;
use crate::engine::document::DocumentRef;
use crate::engine::text::{TextSize, clean_text};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WaiverContent {
    pub title: String,
    pub applicant: Applicant,
    /// One line item per provision to be waived.
    pub items: Vec<ProvisionItem>,
    pub students_affected: u32,
    pub grades: Vec<String>,
    pub subgroups: Vec<String>,
    pub resources: String,
    pub local_support: LocalSupport,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Applicant {
    pub kind: ApplicantKind,
    /// The schools covered; empty for a district-wide request.
    pub school_ids: Vec<String>,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ApplicantKind {
    #[default]
    District,
    School,
    /// A group of schools (WV innovation zones).
    InnovationZone,
}

impl ApplicantKind {
    /// The stable name, as serialized.
    pub fn as_str(self) -> &'static str {
        match self {
            ApplicantKind::District => "district",
            ApplicantKind::School => "school",
            ApplicantKind::InnovationZone => "innovation_zone",
        }
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProvisionItem {
    pub citation: String,
    pub rationale: String,
    /// What the district will do instead, meeting the intent of the law.
    pub replacement_practice: String,
    pub goal: String,
    pub measure: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LocalSupport {
    pub board_vote: Option<Vote>,
    pub staff_vote: Option<StaffVote>,
    pub public_hearing_on: Option<NaiveDate>,
    pub plan_posted_on: Option<NaiveDate>,
    pub board_vote_on: Option<NaiveDate>,
    pub parent_consultation: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Vote {
    pub yes: u32,
    pub no: u32,
    /// The whole membership (board) the threshold is measured against.
    pub membership: u32,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffVote {
    pub yes: u32,
    pub no: u32,
    pub eligible: u32,
    pub secret_ballot: bool,
    /// The named panel that certified the count.
    pub certified_by: String,
}

impl WaiverContent {
    fn texts(&self) -> impl Iterator<Item = (&'static str, &str, TextSize)> {
        let support = &self.local_support;
        [
            ("title", self.title.as_str(), TextSize::Line),
            ("resources", self.resources.as_str(), TextSize::Section),
            (
                "parent consultation",
                support.parent_consultation.as_str(),
                TextSize::Section,
            ),
        ]
        .into_iter()
        .chain(support.staff_vote.iter().map(|v| {
            (
                "staff vote's certifier",
                v.certified_by.as_str(),
                TextSize::Line,
            )
        }))
        .chain(
            self.applicant
                .school_ids
                .iter()
                .map(|s| ("school id", s.as_str(), TextSize::Line)),
        )
        .chain(
            self.grades
                .iter()
                .map(|g| ("grade", g.as_str(), TextSize::Line)),
        )
        .chain(
            self.subgroups
                .iter()
                .map(|g| ("subgroup", g.as_str(), TextSize::Line)),
        )
        .chain(self.items.iter().flat_map(|i| {
            [
                ("citation", i.citation.as_str(), TextSize::Line),
                ("rationale", i.rationale.as_str(), TextSize::Section),
                (
                    "replacement practice",
                    i.replacement_practice.as_str(),
                    TextSize::Section,
                ),
                ("goal", i.goal.as_str(), TextSize::Section),
                ("measure", i.measure.as_str(), TextSize::Section),
            ]
        }))
    }

    pub fn citations(&self) -> Vec<String> {
        self.items.iter().map(|i| i.citation.clone()).collect()
    }

    /// Shape checks that hold at any time (drafts included): run on the
    /// whole document before it is stored.
    pub fn check_shape(&self) -> Vec<String> {
        let mut problems = Vec::new();
        for (field, text, size) in self.texts() {
            if let Err(r) = clean_text(field, text, size) {
                problems.push(r.message);
                break;
            }
        }
        if self.title.chars().count() > 200 {
            problems.push("the title is longer than 200 characters".into());
        }
        if self.items.len() > 100 {
            problems.push("a request may list at most 100 provisions".into());
        }
        if self.grades.len() > 20 || self.subgroups.len() > 50 {
            problems.push("a request lists at most 20 grades and 50 subgroups".into());
        }
        if self.applicant.school_ids.len() > 200 {
            problems.push("a request names at most 200 schools".into());
        }
        let mut seen = std::collections::HashSet::new();
        for item in &self.items {
            if !seen.insert(item.citation.trim().to_string()) {
                problems.push(format!(
                    "{} is listed twice; give one line item per provision",
                    item.citation
                ));
            }
        }
        match self.applicant.kind {
            ApplicantKind::District if !self.applicant.school_ids.is_empty() => problems.push(
                "a district-wide request lists no schools; choose SCHOOL or INNOVATION_ZONE to name schools".into(),
            ),
            ApplicantKind::School if self.applicant.school_ids.len() != 1 => {
                problems.push("a school request names exactly one school".into())
            }
            ApplicantKind::InnovationZone if self.applicant.school_ids.len() < 2 => {
                problems.push("an innovation zone names at least two schools".into())
            }
            _ => {}
        }
        problems
    }

    /// What the machine needs to know of the request: everything but the
    /// long texts, which it only needs to know are there.
    pub fn outline(&self) -> WaiverOutline {
        let support = &self.local_support;
        WaiverOutline {
            title: self.title.clone(),
            applicant: self.applicant.clone(),
            items: self
                .items
                .iter()
                .map(|i| ItemOutline {
                    citation: i.citation.clone(),
                    missing: [
                        ("citation", &i.citation),
                        ("rationale", &i.rationale),
                        ("replacement practice", &i.replacement_practice),
                        ("goal", &i.goal),
                        ("measure", &i.measure),
                    ]
                    .into_iter()
                    .filter(|(_, v)| v.trim().is_empty())
                    .map(|(f, _)| f.to_string())
                    .collect(),
                })
                .collect(),
            students_affected: self.students_affected,
            board_vote: support.board_vote.clone(),
            staff_vote: support.staff_vote.clone(),
            public_hearing_on: support.public_hearing_on,
            plan_posted_on: support.plan_posted_on,
            board_vote_on: support.board_vote_on,
        }
    }
}

/// A request's draft as a case carries it: the stored document's reference
/// and its outline.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WaiverDraft {
    pub document: DocumentRef,
    pub outline: WaiverOutline,
}

/// The facts of a request the machine's guards read.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WaiverOutline {
    pub title: String,
    pub applicant: Applicant,
    pub items: Vec<ItemOutline>,
    pub students_affected: u32,
    pub board_vote: Option<Vote>,
    pub staff_vote: Option<StaffVote>,
    pub public_hearing_on: Option<NaiveDate>,
    pub plan_posted_on: Option<NaiveDate>,
    pub board_vote_on: Option<NaiveDate>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemOutline {
    pub citation: String,
    /// The line item's fields left blank, in the form's order.
    pub missing: Vec<String>,
}

impl WaiverOutline {
    pub fn citations(&self) -> Vec<String> {
        self.items.iter().map(|i| i.citation.clone()).collect()
    }

    /// Everything a request needs before the authorized representative can
    /// certify it, measured against the state's profile.
    pub fn check_ready_to_submit(&self, profile: &WaiverRules) -> Vec<String> {
        let mut problems = Vec::new();
        if self.title.trim().is_empty() {
            problems.push("the request needs a title".into());
        }
        if self.items.is_empty() {
            problems.push("the request names no provision to waive".into());
        }
        for item in &self.items {
            let c = if item.citation.trim().is_empty() {
                "a line item"
            } else {
                item.citation.as_str()
            };
            for field in &item.missing {
                problems.push(format!("{c} has no {field}"));
            }
        }
        if self.students_affected == 0 {
            problems.push("give the number of students affected".into());
        }
        if let Some(rule) = &profile.board_vote {
            match &self.board_vote {
                None => problems.push(format!(
                    "{} requires a local board vote of {} of the membership; record the vote",
                    profile.statute, rule.threshold
                )),
                Some(v) if u64::from(v.yes) + u64::from(v.no) > u64::from(v.membership) => problems.push(format!(
                    "the board vote counts {} votes but the board has {} members",
                    u64::from(v.yes) + u64::from(v.no),
                    v.membership
                )),
                Some(v) if !rule.threshold.is_met(v.yes, v.membership) => problems.push(format!(
                    "the board vote ({} of {} members) is short of the {} of membership {} requires",
                    v.yes, v.membership, rule.threshold, profile.statute
                )),
                Some(_) => {}
            }
        }
        if let Some(rule) = &profile.staff_vote {
            match &self.staff_vote {
                None => problems.push(format!(
                    "{} requires a staff vote of {} of eligible employees; record the vote",
                    profile.statute, rule.threshold
                )),
                Some(v) => {
                    if u64::from(v.yes) + u64::from(v.no) > u64::from(v.eligible) {
                        problems.push(format!(
                            "the staff vote counts {} votes but only {} employees are eligible",
                            u64::from(v.yes) + u64::from(v.no),
                            v.eligible
                        ));
                    } else if !rule.threshold.is_met(v.yes, v.eligible) {
                        problems.push(format!(
                            "the staff vote ({} of {} eligible) is short of the {} {} requires",
                            v.yes, v.eligible, rule.threshold, profile.statute
                        ));
                    }
                    if rule.secret_ballot && !v.secret_ballot {
                        problems.push(format!(
                            "{} requires the staff vote by secret ballot",
                            profile.statute
                        ));
                    }
                    if v.certified_by.trim().is_empty() {
                        problems.push(format!(
                            "the staff vote must be certified by {}",
                            rule.certified_by
                        ));
                    }
                }
            }
        }
        if let Some(rule) = &profile.public_hearing {
            match (self.public_hearing_on, self.plan_posted_on, self.board_vote_on) {
                (Some(_), Some(posted), Some(voted)) => {
                    let days = (voted - posted).num_days();
                    if days < i64::from(rule.posting_days) {
                        problems.push(format!(
                            "the plan was posted {days} days before the board vote; {} requires {}",
                            profile.statute, rule.posting_days
                        ));
                    }
                }
                _ => problems.push(format!(
                    "{} requires a public hearing, the plan posted {} days before the board vote, and both dates recorded",
                    profile.statute, rule.posting_days
                )),
            }
        }
        problems
    }
}
