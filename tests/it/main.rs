//! Integration tests, one binary with a module per purpose.

// Test code may unwrap and panic: a failure is the test failing.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod bad_input;
mod blast;
mod cli;
mod compare;
mod compose;
mod data;
mod determinism;
mod docs;
mod exact;
mod explain;
mod fuzz_corpus;
mod graph;
mod interrupt;
mod limits;
mod mechanics;
mod objectives;
mod output;
mod partials;
mod precision;
mod properties;
mod rank;
mod rare;
mod report;
mod results;
mod sensitivity;
mod shards;
mod sketch;
mod special_files;
mod support;
mod sweep;
mod third_party;
mod two_level;
mod uncertain_syntax;
mod uncertainty;
mod untrusted;
mod variance;
mod workload;
