//! Leeway's durable half: the case engine's Temporal host, its record step
//! and deliveries (`engine`), each program's workflow and read model
//! (`programs`), the audit chain, the email outbox and the worker. The
//! pure machines are in `leeway-machines`.
pub mod audit;
pub mod audit_seal;
pub mod audit_tree;
pub mod audit_verify;
pub mod bench_workflow;
pub mod email_dispatcher;
pub mod email_templates;
pub mod engine;
pub mod mailer;
pub mod metrics;
pub mod outbox;
pub mod programs;
pub mod report_build;
pub mod report_compile;
pub mod report_csv;
pub mod report_document;
pub mod report_figures;
pub mod report_pdf;
pub mod report_pdf_metrics;
pub mod report_synthetic;
pub mod telemetry;
pub mod worker;
