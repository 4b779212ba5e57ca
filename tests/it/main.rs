//! Integration tests, one binary with a module per purpose.

mod bad_input;
mod cli;
mod determinism;
mod exact;
mod results;
mod support;
