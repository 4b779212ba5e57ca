//! Reads arbitrary bytes as partial results, one per line, and merges them
//! in memory and from files. Any panic, abort or hang, a merged result that
//! breaks an invariant or does not render, or two merges that disagree is a
//! finding.

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    faultline::fuzzing::merge_partials(bytes);
});
