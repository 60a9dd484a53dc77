//! What Temporal stores for a case (its input, each command, each answer
//! and record outcome) must still deserialize when a later version adds
//! fields, and when it reads what an earlier version wrote.
#![allow(clippy::unwrap_used)]
use leeway_machines::domain::actor::Actor;
use leeway_machines::domain::state_profile::load_builtin;
use leeway_machines::network::membership::{MembershipCommand, MembershipMachine};
use leeway_machines::network::program::{NetworkCase, NetworkMachine};
use leeway_workflows::engine::host::{CaseInput, CommandEnvelope, StepReceipt};
use leeway_workflows::engine::record::RecordOutcome;
use serde_json::{Value, json};

/// Adds an unknown field to every object in `value`.
fn with_future_fields(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for v in map.values_mut() {
                with_future_fields(v);
            }
            map.insert("added_by_a_later_version".into(), json!({ "any": [1, 2] }));
        }
        Value::Array(items) => items.iter_mut().for_each(with_future_fields),
        _ => {}
    }
}

#[test]
fn stored_payloads_tolerate_added_fields() {
    let rules = load_builtin("DEMO").unwrap().networks[0].clone();
    let input = CaseInput::<NetworkMachine>::open(
        NetworkCase::new(&rules),
        rules,
        "DEMO".into(),
        Actor::system(),
    );
    let mut v = serde_json::to_value(&input).unwrap();
    with_future_fields(&mut v);
    let back: CaseInput<NetworkMachine> = serde_json::from_value(v).unwrap();
    assert_eq!(back.case, input.case);

    let envelope = CommandEnvelope {
        actor: Actor::system(),
        command: MembershipCommand::OfferSeat,
        requested_at: None,
        origin: Some("a#2.0".into()),
        trace_parent: None,
    };
    let mut v = serde_json::to_value(&envelope).unwrap();
    with_future_fields(&mut v);
    let back: CommandEnvelope<
        <MembershipMachine as leeway_machines::engine::CaseMachine>::Command,
    > = serde_json::from_value(v).unwrap();
    assert_eq!(back.command, MembershipCommand::OfferSeat);

    let mut v = json!({ "seq": 7 });
    with_future_fields(&mut v);
    assert_eq!(serde_json::from_value::<StepReceipt>(v).unwrap().seq, 7);

    let mut v = json!({ "outcome": "recorded", "fresh": true, "to_deliver": false });
    with_future_fields(&mut v);
    assert!(matches!(
        serde_json::from_value::<RecordOutcome>(v).unwrap(),
        RecordOutcome::Recorded {
            fresh: true,
            to_deliver: false,
            ..
        }
    ));
}

#[test]
fn a_continued_run_reads_an_input_without_the_optional_fields() {
    // The first version's opening input had only these.
    let rules = load_builtin("DEMO").unwrap().networks[0].clone();
    let v = json!({
        "case": NetworkCase::new(&rules),
        "rules": rules,
        "profile_code": "DEMO",
    });
    let input: CaseInput<NetworkMachine> = serde_json::from_value(v).unwrap();
    assert_eq!(input.seq, 0);
    assert!(input.opened_by.is_none() && input.deliveries.is_empty());
}
