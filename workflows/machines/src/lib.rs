//! Leeway's pure half: the case engine's machine trait and the checks every
//! command passes (`engine`), the domain types programs share (`domain`),
//! and each program's state machine (`waiver`, `network`). No I/O here, so
//! the tests of every rule build and run in seconds.
pub mod domain;
pub mod engine;
pub mod grant;
pub mod network;
pub mod report;
pub mod waiver;
