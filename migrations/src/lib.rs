//! Database migrations for SQLite and PostgreSQL, one per change, written
//! by hand and never regenerated from the entities.
pub use sea_orm_migration::prelude::*;

mod m0001_initial;
mod m0002_case_engine;
mod m0003_email_delivery;
mod m0004_audit_register;
mod m0005_email_schedule;
mod m0006_people;
mod m0007_state_data;
mod m0008_email_html;
mod m0009_trace_context;
mod m0010_grants;
mod m0011_annual_report;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m0001_initial::Migration),
            Box::new(m0002_case_engine::Migration),
            Box::new(m0003_email_delivery::Migration),
            Box::new(m0004_audit_register::Migration),
            Box::new(m0005_email_schedule::Migration),
            Box::new(m0006_people::Migration),
            Box::new(m0007_state_data::Migration),
            Box::new(m0008_email_html::Migration),
            Box::new(m0009_trace_context::Migration),
            Box::new(m0010_grants::Migration),
            Box::new(m0011_annual_report::Migration),
        ]
    }
}
