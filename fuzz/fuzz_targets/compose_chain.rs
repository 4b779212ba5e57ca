//! Writes arbitrary bytes as a top scenario and the base it extends (split
//! at `faultline::fuzzing::CHAIN_SEPARATOR`) and loads the top through its
//! `extends` chain; valid designs run a few trials. Any panic, abort, hang,
//! unlocated diagnostic or runaway allocation is a finding.

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    faultline::fuzzing::compose_chain(bytes);
});
