//! The persistence model: SeaORM entities for Leeway's read model, audit
//! trail and outboxes. Domain rules live in `leeway-machines`; GraphQL
//! types live in `leeway-api`. Nothing here knows about either. The
//! migrations define the tables by hand; a test checks that they match
//! these entities.

pub mod accountability_result;
pub mod annual_report;
pub mod api_token;
pub mod audit_entry;
pub mod audit_head;
pub mod audit_head_log;
pub mod audit_tree_head;
pub mod capacity_pool;
pub mod case;
pub mod case_artefact;
pub mod case_command;
pub mod case_deadline;
pub mod case_document;
pub mod case_snapshot;
pub mod db;
pub mod grant_case;
pub mod grant_program;
pub mod idempotency_key;
pub mod ledger;
pub mod network_membership;
pub mod notification;
pub mod organisation;
pub mod organisation_enrollment;
pub mod pool_queue_entry;
pub mod progress_report;
pub mod provision;
pub mod report_draft;
pub mod user;
pub mod user_affiliation;
pub mod user_role;
pub mod waiver_item;
pub mod waiver_reach;
pub mod waiver_request;
pub mod write_turn;
