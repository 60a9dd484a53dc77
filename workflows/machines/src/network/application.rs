//! What a district writes to join a network: its letter of commitment,
//! the commitments it signs, its readiness answers, and who the work will
//! reach. Stored as a document outside workflow history; the machine reads
//! its outline.
use super::rules::NetworkRules;
use crate::engine::document::DocumentRef;
use crate::engine::text::{TextSize, clean_text};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NetworkApplication {
    /// The letter of commitment, in the district's words.
    pub letter: String,
    /// The ids of the network's commitments the district signs: all of them.
    pub commitments: Vec<String>,
    pub readiness: Vec<ReadinessAnswer>,
    /// The schools that join; empty when the whole district joins.
    pub school_ids: Vec<String>,
    /// How many students the work will reach.
    pub students_reached: u32,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReadinessAnswer {
    pub question_id: String,
    pub answer: String,
}

impl NetworkApplication {
    /// Checks that hold for drafts too: run on the whole document before
    /// it is stored.
    pub fn check_shape(&self) -> Vec<String> {
        let mut problems = Vec::new();
        let texts = std::iter::once((
            "letter of commitment",
            self.letter.as_str(),
            TextSize::Section,
        ))
        .chain(
            self.commitments
                .iter()
                .map(|c| ("commitment id", c.as_str(), TextSize::Line)),
        )
        .chain(self.readiness.iter().flat_map(|a| {
            [
                ("question id", a.question_id.as_str(), TextSize::Line),
                ("readiness answer", a.answer.as_str(), TextSize::Section),
            ]
        }))
        .chain(
            self.school_ids
                .iter()
                .map(|s| ("school id", s.as_str(), TextSize::Line)),
        );
        for (field, text, size) in texts {
            if let Err(r) = clean_text(field, text, size) {
                problems.push(r.message);
                break;
            }
        }
        if self.commitments.len() > 50 || self.readiness.len() > 50 {
            problems.push("an application has at most 50 commitments and 50 answers".into());
        }
        if self.school_ids.len() > 200 {
            problems.push("an application names at most 200 schools".into());
        }
        let mut seen = std::collections::HashSet::new();
        for a in &self.readiness {
            if !seen.insert(a.question_id.as_str()) {
                problems.push(format!("question `{}` is answered twice", a.question_id));
            }
        }
        problems
    }

    pub fn outline(&self) -> ApplicationOutline {
        ApplicationOutline {
            letter_given: !self.letter.trim().is_empty(),
            commitments: self.commitments.clone(),
            answered: self
                .readiness
                .iter()
                .filter(|a| !a.answer.trim().is_empty())
                .map(|a| a.question_id.clone())
                .collect(),
            school_ids: self.school_ids.clone(),
            students_reached: self.students_reached,
        }
    }
}

/// An application as a case carries it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApplicationDraft {
    pub document: DocumentRef,
    pub outline: ApplicationOutline,
}

/// The facts of an application the machine's guards read.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApplicationOutline {
    pub letter_given: bool,
    pub commitments: Vec<String>,
    /// Questions answered with more than blanks.
    pub answered: Vec<String>,
    pub school_ids: Vec<String>,
    pub students_reached: u32,
}

impl ApplicationOutline {
    /// Everything an application needs before the authorized
    /// representative can certify it.
    pub fn check_ready(&self, rules: &NetworkRules) -> Vec<String> {
        let mut problems = Vec::new();
        if !self.letter_given {
            problems.push("write the letter of commitment".to_string());
        }
        for c in &rules.commitments {
            if !self.commitments.contains(&c.id) {
                problems.push(format!("sign the commitment \"{}\"", c.text));
            }
        }
        for id in &self.commitments {
            if !rules.commitments.iter().any(|c| &c.id == id) {
                problems.push(format!("`{id}` is not one of {}'s commitments", rules.name));
            }
        }
        for q in &rules.readiness {
            if !self.answered.contains(&q.id) {
                problems.push(format!("answer the readiness question \"{}\"", q.question));
            }
        }
        for id in &self.answered {
            if !rules.readiness.iter().any(|q| &q.id == id) {
                problems.push(format!(
                    "`{id}` is not one of {}'s readiness questions",
                    rules.name
                ));
            }
        }
        if self.students_reached == 0 {
            problems.push("estimate how many students the work will reach".to_string());
        }
        problems
    }
}
