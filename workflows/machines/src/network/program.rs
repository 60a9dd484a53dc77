//! The network itself as a case the SEA holds: it opens the seat pool its
//! cap counts, and an administrator changes or lifts the cap when the
//! statute changes. Raising the cap offers the new seats to the wait list,
//! in order.
use super::membership::seat_offer;
use super::rules::NetworkRules;
use crate::domain::actor::{Actor, Role};
use crate::engine::effect::Effect;
use crate::engine::notice::{Audience, notice};
use crate::engine::refusal::Refusal;
use crate::engine::text::FreeText;
use crate::engine::transition::{CommandInfo, StateInfo, TransitionRule};
use crate::engine::{CaseHeader, CaseMachine, Clock, Decision};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NetworkState {
    Operating,
}

impl StateInfo for NetworkState {
    const ALL: &'static [NetworkState] = &[NetworkState::Operating];
    fn name(self) -> &'static str {
        "operating"
    }
    fn label(self) -> &'static str {
        "operating"
    }
    fn is_terminal(self) -> bool {
        false
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NetworkCase {
    pub id: String,
    pub code: String,
    pub name: String,
    pub state: NetworkState,
    /// The cap as last set: by the profile when the network opened, or by
    /// an administrator since.
    pub cap: Option<u32>,
    /// The law behind the cap in force.
    pub cap_citation: String,
}

impl NetworkCase {
    pub fn new(rules: &NetworkRules) -> Self {
        Self {
            id: rules.case_id(),
            code: rules.code.clone(),
            name: rules.name.clone(),
            state: NetworkState::Operating,
            cap: rules.cap,
            cap_citation: rules.statute.clone(),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "command", rename_all = "snake_case")]
pub enum NetworkCommand {
    /// `cap: None` lifts the cap.
    ChangeCap {
        cap: Option<u32>,
        citation: FreeText,
    },
}

impl CommandInfo for NetworkCommand {
    fn name(&self) -> &'static str {
        match self {
            NetworkCommand::ChangeCap { .. } => "change_cap",
        }
    }
}

pub static TRANSITIONS: &[TransitionRule<NetworkState>] = &[TransitionRule {
    command: "change_cap",
    from: &[NetworkState::Operating],
    to: &[NetworkState::Operating],
    roles: &[Role::Admin],
    description: "change or lift the network's cap",
}];

fn describe(cap: Option<u32>) -> String {
    match cap {
        Some(n) => format!("{n} members"),
        None => "no cap".into(),
    }
}

pub struct NetworkMachine;

impl CaseMachine for NetworkMachine {
    const PROGRAM: &'static str = "network";
    const NOUN: &'static str = "network";
    type State = NetworkState;
    type Case = NetworkCase;
    type Command = NetworkCommand;
    type Rules = NetworkRules;

    fn transitions() -> &'static [TransitionRule<NetworkState>] {
        TRANSITIONS
    }

    fn state(case: &NetworkCase) -> NetworkState {
        case.state
    }

    fn header(case: &NetworkCase) -> CaseHeader {
        CaseHeader {
            id: case.id.clone(),
            organisation_id: None,
            title: case.name.clone(),
            assigned_reviewer: None,
            document: None,
            version: 0,
        }
    }

    fn opening(case: &NetworkCase, rules: &NetworkRules) -> Decision<NetworkCase> {
        let mut d = Decision::to(case.clone());
        d.reasons = vec![format!("{} under {}", describe(case.cap), rules.statute)];
        d.effects.push(Effect::OpenPool {
            pool: rules.seat_pool(),
            label: format!("seats in the {}", rules.name),
            capacity: case.cap.map(i64::from),
        });
        d
    }

    fn decide(
        case: &NetworkCase,
        _actor: &Actor,
        command: &NetworkCommand,
        _now: DateTime<Utc>,
        rules: &NetworkRules,
    ) -> Result<Decision<NetworkCase>, Refusal> {
        let NetworkCommand::ChangeCap { cap, citation } = command;
        if citation.is_blank() {
            return Err(Refusal::validation(
                "cite the statute or rule that changes the cap",
            ));
        }
        if *cap == Some(0) {
            return Err(Refusal::validation(
                "a cap of 0 would close the network; lift the cap instead, or give at least 1",
            ));
        }
        let mut d = Decision::to(case.clone());
        d.case.cap = *cap;
        d.case.cap_citation = citation.trimmed().to_string();
        d.reasons = vec![format!(
            "cap changed from {} to {} under {}",
            describe(case.cap),
            describe(*cap),
            citation.trimmed()
        )];
        let pool = rules.seat_pool();
        d.effects.push(Effect::SetCapacity {
            pool: pool.clone(),
            capacity: cap.map(i64::from),
        });
        d.effects.push(Effect::FillFromQueue {
            pool,
            amount: 1,
            offer: seat_offer(),
        });
        d.notices.push(notice(
            &[Audience::Approvers, Audience::Administrators],
            format!("Cap changed: {}", case.name),
            format!(
                "The cap of the {} changed from {} to {} under {}. Any seats this frees are offered to the wait list in order.",
                case.name,
                describe(case.cap),
                describe(*cap),
                citation.trimmed()
            ),
        ));
        Ok(d)
    }

    fn clocks(_case: &NetworkCase, _rules: &NetworkRules) -> Vec<Clock<NetworkCommand>> {
        Vec::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::state_profile::load_builtin;
    use crate::engine::refusal::RefusalCode;
    use crate::engine::step;
    use chrono::TimeZone;

    fn admin() -> Actor {
        Actor {
            user_id: "root".into(),
            role: Role::Admin,
            organisation_id: "sea".into(),
        }
    }

    #[test]
    fn the_cap_changes_with_a_citation_and_fills_from_the_wait_list() {
        let rules = load_builtin("DEMO").unwrap().networks[0].clone();
        let case = NetworkCase::new(&rules);
        let opening = NetworkMachine::opening(&case, &rules);
        assert!(matches!(
            &opening.effects[0],
            Effect::OpenPool {
                capacity: Some(3),
                ..
            }
        ));
        let now = Utc.with_ymd_and_hms(2026, 11, 23, 12, 0, 0).unwrap();
        let lift = NetworkCommand::ChangeCap {
            cap: None,
            citation: FreeText::parse("citation", "Demo Laws 2027 ch. 4").unwrap(),
        };
        let s = step::<NetworkMachine>(&case, &admin(), &lift, now, &rules).unwrap();
        assert_eq!(s.decision.case.cap, None);
        assert!(
            s.decision.reasons[0].contains("from 3 members to no cap under Demo Laws 2027 ch. 4")
        );
        assert!(matches!(
            &s.decision.effects[0],
            Effect::SetCapacity { capacity: None, .. }
        ));
        assert!(matches!(
            &s.decision.effects[1],
            Effect::FillFromQueue { amount: 1, .. }
        ));

        let blank = NetworkCommand::ChangeCap {
            cap: Some(40),
            citation: FreeText::parse("citation", " ").unwrap(),
        };
        assert_eq!(
            step::<NetworkMachine>(&case, &admin(), &blank, now, &rules)
                .unwrap_err()
                .code,
            RefusalCode::Validation
        );
        let approver = Actor {
            role: Role::SeaApprover,
            ..admin()
        };
        assert_eq!(
            step::<NetworkMachine>(&case, &approver, &lift, now, &rules)
                .unwrap_err()
                .code,
            RefusalCode::Forbidden
        );
    }
}
