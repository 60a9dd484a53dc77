//! The annual report to the legislature: what it may publish. Its tables
//! count students, so every table passes through `suppression` first:
//! small counts are withheld, and enough others with them that no withheld
//! count can be worked back out from what the report prints.
pub mod machine;
#[cfg(test)]
mod machine_tests;
pub mod progress;
#[cfg(test)]
mod progress_tests;
pub mod rules;
pub mod suppression;
