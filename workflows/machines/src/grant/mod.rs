//! Grant programs paid from legislative appropriations: the program
//! itself, which holds the appropriation's ledger (`program`), and each
//! district's application, which becomes its award (`machine`), with what
//! the district writes (`proposal`), the panel that scores it (`review`)
//! and the money an award moves (`award`).
pub mod award;
pub mod machine;
pub use crate::domain::money;
pub mod program;
pub mod proposal;
pub mod review;
pub mod rules;
pub mod terms;

#[cfg(test)]
mod machine_tests;
