//! Innovation waivers (districts of innovation, innovation zones): the
//! request a district writes, the state's rules for it, and the machine.
pub mod content;
pub mod machine;
pub mod rules;
