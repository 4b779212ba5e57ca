//! The analyses built on runs of the engine: each answers one question
//! about a design.
//!
//! - [`compare`]: how designs differ, paired on common random numbers;
//! - [`sweep`]: how an answer moves as one parameter does;
//! - [`rank`]: which failure or domain costs the most, and what a change saves;
//! - [`explain`]: the story of one simulated year;
//! - [`blast`]: what one failure takes down, with no randomness;
//! - [`graph`]: the dependency graph as a picture;
//! - [`drill`]: what one forced outage of a domain would cost.

pub mod blast;
pub mod compare;
pub mod drill;
pub mod explain;
pub mod graph;
pub mod rank;
pub mod sweep;
