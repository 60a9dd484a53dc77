//! Domain types every program shares: who acts, the state's rules, the
//! provision catalog, clocks, terms and thresholds.
pub mod actor;
pub mod affiliation;
pub mod duration;
pub mod money;
pub mod month_day;
pub mod notification_rules;
pub mod organisation_kind;
pub mod provision;
pub mod state_profile;
pub mod term;
pub mod threshold;
