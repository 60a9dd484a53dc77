//! The `leeway` service: GraphQL over axum, authentication, configuration,
//! and the process that ties Temporal, the database and email together.
pub mod app;
pub mod auth;
pub mod bench;
pub mod case_service;
pub mod config;
pub mod context;
pub mod error;
pub mod graphql;
pub mod http;
pub mod idempotency;
pub mod network_service;
pub mod seed;
pub mod temporal_dev;
pub mod waiver_service;
