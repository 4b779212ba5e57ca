//! Loads arbitrary bytes as a scenario and, when they are valid, runs a few
//! trials under a small event budget. Any panic, abort, hang or runaway
//! allocation is a finding.

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    faultline::fuzzing::load_and_run(bytes);
});
