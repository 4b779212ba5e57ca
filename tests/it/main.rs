//! Integration tests, one binary with a module per purpose.

mod bad_input;
mod cli;
mod determinism;
mod exact;
mod fuzz_corpus;
mod interrupt;
mod results;
mod support;
