//! Leeway's workflows: pure state machines (`machine`), the domain types
//! they share (`domain`), and the Temporal glue that runs them durably with
//! audit, outbox and statutory clocks.
pub mod activities;
pub mod audit;
pub mod bench_workflow;
pub mod case_record;
pub mod domain;
pub mod machine;
pub mod mailer;
pub mod outbox;
pub mod waiver_projection;
pub mod waiver_workflow;
pub mod worker;
