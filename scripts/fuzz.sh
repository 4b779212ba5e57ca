#!/usr/bin/env bash
# Fuzzes the scenario loader and the engine (fuzz/fuzz_targets/load_and_run.rs).
#
# usage: scripts/fuzz.sh [SECONDS]     (default 600)
#
# Needs a nightly toolchain and cargo-fuzz; installs both if missing. CI stays
# on stable: it replays the corpus and the crash cases through the same
# harness in `cargo test` (tests/it/fuzz_corpus.rs). New crash cases land in
# fuzz/artifacts/load_and_run/: fix them, keep them, and they are replayed too.
# Afterwards, `cargo +nightly fuzz cmin load_and_run` keeps the corpus small.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
seconds="${1:-600}"

rustup toolchain list | grep -q '^nightly' || rustup toolchain install nightly --profile minimal
command -v cargo-fuzz > /dev/null || cargo install cargo-fuzz --locked

cargo +nightly fuzz run load_and_run -- \
    -dict=fuzz/scenario.dict \
    -max_total_time="$seconds" \
    -max_len=8192 \
    -timeout=10 \
    -rss_limit_mb=2048 \
    -print_final_stats=1
