#!/usr/bin/env bash
# Time to an answer: trials and wall time to reach a 95% CI half-width of
# 1 minute per year on the entry service's lost hours, with plain Monte Carlo
# and with control variates (`--variance-reduction control-variates`).
#
# usage: benches/precision.sh [SCENARIO...]   (default: the shop examples)
#
# Environment: TRIALS (default 10000), SERVICE (default web), FAULTLINE_BIN.
# Each scenario is run once per method with TRIALS trials; the trials needed
# are (1.96 sigma / (1/60 h))^2 from the per-trial spread those runs measured,
# and the wall time is that many trials at the measured speed (the control
# variates' reference simulation and 1,000-trial pilot are a fixed cost, added).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$here/.." && pwd)"
cd "$ROOT"
TRIALS="${TRIALS:-10000}"
SERVICE="${SERVICE:-web}"
BIN="${FAULTLINE_BIN:-$ROOT/target/release/faultline}"
[[ -x "$BIN" ]] || cargo build --release --quiet
if [[ $# -eq 0 ]]; then
    set -- scenarios/shop-three-zones.ron scenarios/shop-two-regions.ron scenarios/shop-two-providers.ron
fi
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
report='
import json, sys
scenario, method, service, trials, start, end = sys.argv[1:7]
trials = int(trials)
doc = json.load(sys.stdin)
s = doc["services"][service]
lo, hi = s["lost_hours"]["ci95"]
z = 1.959963984540054
sigma = (hi - lo) / (2 * z) * trials ** 0.5
needed = max(1, round((z * sigma / (1 / 60)) ** 2))
per_trial = doc["engine"]["seconds"] / trials
fixed = max(0.0, float(end) - float(start) - doc["engine"]["seconds"])
seconds = fixed + needed * per_trial
name = scenario.split("/")[-1]
availability = s["availability"]["mean"]
print("%-34s %-17s %12.6f %12s %10.2f" % (name, method, availability, format(needed, ","), seconds))
'
printf '%-34s %-17s %12s %12s %10s\n' scenario method availability trials "wall (s)"
for scenario in "$@"; do
    for method in none control-variates; do
        start=$(date +%s.%N)
        "$BIN" run "$scenario" --trials "$TRIALS" --threads 1 --variance-reduction "$method" \
            --format json --output "$tmp/run.json"
        end=$(date +%s.%N)
        python3 -c "$report" "$scenario" "$method" "$SERVICE" "$TRIALS" "$start" "$end" < "$tmp/run.json"
    done
done
