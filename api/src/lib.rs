//! The `leeway` service: GraphQL over axum, authentication, configuration,
//! and the process that ties Temporal, the database and email together.
pub mod app;
pub mod auth;
pub mod bench;
pub mod bench_list;
pub mod bench_surge;
pub mod bench_table;
pub mod bench_verify;
pub mod caller_limits;
pub mod case_service;
pub mod config;
pub mod context;
pub mod engine_admission;
pub mod error;
pub mod graphql;
pub mod http;
pub mod http_request;
pub mod idempotency;
pub mod log_throttle;
pub mod network_service;
pub mod nul_guard;
pub mod readiness;
pub mod seed;
pub mod sign_in_audit;
pub mod temporal_dev;
pub mod waiver_service;
