//! The Temporal half of the case engine: the workflow host every program
//! runs on, the record step, effects across cases, and delivery of emails
//! and commands. The pure half (the machine trait) is in
//! `leeway_machines::engine`.
pub mod activities;
pub mod artefacts;
pub mod case_workflow;
pub mod delivery;
pub mod effects;
pub mod host;
pub mod record;
pub mod state_hash;
pub mod store_error;
