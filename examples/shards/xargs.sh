#!/bin/sh
# Runs a scenario as N shards in parallel on one machine and merges them.
#
# usage: examples/shards/xargs.sh SCENARIO [SHARDS] [TRIALS] > result.json
#
# Each shard is one process with one thread (`--threads 1`), N at a time
# (xargs -P); the merge prints the result document, byte for byte the one of
# `faultline run SCENARIO --trials TRIALS --format json` (engine.seconds
# aside). FAULTLINE names the binary (default: faultline on PATH).
#
# With GNU parallel instead of xargs:
#   parallel faultline run "$scenario" --threads 1 --trials "$trials" \
#       --shard {}/"$shards" --output "$dir/part-{}.json" ::: $(seq 0 $((shards - 1)))
set -eu

scenario=${1:?usage: xargs.sh SCENARIO [SHARDS] [TRIALS]}
shards=${2:-$(nproc)}
trials=${3:-10000}
faultline=${FAULTLINE:-faultline}

dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

seq 0 $((shards - 1)) | xargs -P "$shards" -I{} \
    "$faultline" run "$scenario" --threads 1 --trials "$trials" \
    --shard {}/"$shards" --output "$dir/part-{}.json"
"$faultline" merge "$dir"/part-*.json --format json
