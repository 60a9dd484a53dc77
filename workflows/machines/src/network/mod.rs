//! Statewide learning networks: the network itself, which holds the cap
//! (`program`), and each district's application and membership
//! (`membership`), with what the district writes (`application`).
pub mod application;
pub mod membership;
pub mod program;
pub mod rules;
