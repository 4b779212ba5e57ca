#!/usr/bin/env bash
# Fuzzes the scenario loader and the engine (fuzz/fuzz_targets/load_and_run.rs),
# `extends` chains (compose_chain.rs: a top file and its base) and `merge`
# of partial results (merge_partials.rs).
#
# usage: scripts/fuzz.sh [SECONDS] [TARGET...]   (default 600 seconds each,
#                                                  every target)
#
# Needs a nightly toolchain and cargo-fuzz; installs both if missing. CI stays
# on stable: it replays the corpora and the crash cases through the same
# harnesses in `cargo test` (tests/it/fuzz_corpus.rs). New crash cases land in
# fuzz/artifacts/TARGET/: fix them, keep them, and they are replayed too.
# Afterwards, `cargo +nightly fuzz cmin TARGET` keeps a corpus small.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
seconds="${1:-600}"
shift || true
targets=("$@")
[ "${#targets[@]}" -gt 0 ] || targets=(load_and_run compose_chain merge_partials)

rustup toolchain list | grep -q '^nightly' || rustup toolchain install nightly --profile minimal
command -v cargo-fuzz > /dev/null || cargo install cargo-fuzz --locked

for target in "${targets[@]}"; do
    case "$target" in
        merge_partials) dict=fuzz/partial.dict; max_len=65536 ;;
        *) dict=fuzz/scenario.dict; max_len=8192 ;;
    esac
    mkdir -p "fuzz/corpus/$target"
    cargo +nightly fuzz run "$target" "fuzz/corpus/$target" -- \
        -dict="$dict" \
        -max_total_time="$seconds" \
        -max_len="$max_len" \
        -timeout=10 \
        -rss_limit_mb=2048 \
        -print_final_stats=1
done
