//! A machine's transition table: what the API serves as its definition and
//! what the engine checks before the machine's own guards run.
use crate::domain::actor::Role;
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::fmt::Debug;

/// What every machine's state enum tells the engine about itself.
pub trait StateInfo:
    Copy + Eq + Debug + Serialize + DeserializeOwned + Send + Sync + 'static
{
    const ALL: &'static [Self];
    /// The stable name stored in the read model, e.g. `in_review`.
    fn name(self) -> &'static str;
    /// How a clerk would say it: "while the request is ...".
    fn label(self) -> &'static str;
    /// No command is accepted any more; the case's workflow ends.
    fn is_terminal(self) -> bool;

    /// Steps whose reasons, and the fields they set, the applicant's own
    /// staff may not read while the case is in this state: a reviewer's
    /// conflict statement, a recommendation before the decision.
    fn withheld_from_applicant(self) -> &'static [&'static str] {
        &[]
    }

    fn parse(name: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|s| s.name() == name)
    }
}

/// What every machine's command enum tells the engine about itself.
pub trait CommandInfo {
    /// The command's name in the transition table and the audit trail.
    fn name(&self) -> &'static str;
}

#[derive(Clone, Debug, Serialize)]
pub struct TransitionRule<S: 'static> {
    pub command: &'static str,
    pub from: &'static [S],
    pub to: &'static [S],
    pub roles: &'static [Role],
    pub description: &'static str,
}

pub fn rule_for<S>(
    table: &'static [TransitionRule<S>],
    command: &str,
) -> Option<&'static TransitionRule<S>> {
    table.iter().find(|r| r.command == command)
}
