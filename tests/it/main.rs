//! Integration tests, one binary with a module per purpose.

// Test code may unwrap and panic: a failure is the test failing.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod bad_input;
mod blast;
mod catalog;
mod cli;
mod compare;
mod compare_draws;
mod compose;
mod control_plane;
mod data;
mod determinism;
mod diagnostics;
mod docs;
mod drill;
mod exact;
mod explain;
mod fmt;
mod fuzz_corpus;
mod graph;
mod import;
mod import_inference;
mod importance;
mod init;
mod input_law;
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
mod shard_auto;
mod shards;
mod shared_fate;
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
