//! Domain types shared by every workflow: who acts, under which state's rules,
//! and what a provision in the catalog allows.
pub mod actor;
pub mod duration;
pub mod provision;
pub mod state_profile;
pub mod term;
