//! The persistence model: SeaORM entities for Leeway's read model, audit
//! trail and outbox. Domain rules live in `leeway-workflows`; GraphQL types
//! live in `leeway-api`. Nothing here knows about either.

pub mod api_token;
pub mod audit_entry;
pub mod audit_head;
pub mod case_deadline;
pub mod db;
pub mod notification;
pub mod organisation;
pub mod provision;
pub mod user;
pub mod waiver_case;
pub mod waiver_item;
pub mod waiver_snapshot;

/// Every entity, in creation order (the migration creates them from this).
pub mod all {
    pub use super::{
        api_token::Entity as ApiToken, audit_entry::Entity as AuditEntry,
        audit_head::Entity as AuditHead, case_deadline::Entity as CaseDeadline,
        notification::Entity as Notification, organisation::Entity as Organisation,
        provision::Entity as Provision, user::Entity as User, waiver_case::Entity as WaiverCase,
        waiver_item::Entity as WaiverItem, waiver_snapshot::Entity as WaiverSnapshot,
    };
}
