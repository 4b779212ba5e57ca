#!/usr/bin/env bash
# Time to an answer: trials and wall time to reach a 95% CI half-width of
# 1 minute per year on the entry service's lost hours, with plain Monte Carlo
# and with each variance-reduction method (`--variance-reduction ...`).
#
# usage: benches/precision.sh [SCENARIO...]   (default: the shop examples)
#
# Environment: TRIALS (default 10000), SERVICE (default web), METHODS
# (default "none control-variates exact-controls"), FAULTLINE_BIN.
#
# A run's variance of the mean is f^2 + s^2 / n: s^2 / n shrinks with the
# trials; f, the error of the controls' means (0 for a plain run; the result
# document's `variance_reduction.floors`), does not. With the target
# variance v = ((1/60 h) / 1.96)^2, the trials needed are s^2 / (v - f^2),
# and "never" when f^2 >= v. Wall time: that many trials at the measured
# speed, plus the fixed cost of a controlled run (reference means and the
# 1,000-trial pilot), from one run of TRIALS trials per method.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$here/.." && pwd)"
cd "$ROOT"
TRIALS="${TRIALS:-10000}"
SERVICE="${SERVICE:-web}"
METHODS="${METHODS:-none control-variates exact-controls}"
BIN="${FAULTLINE_BIN:-$ROOT/target/release/faultline}"
[[ -x "$BIN" ]] || cargo build --release --quiet
if [[ $# -eq 0 ]]; then
    set -- scenarios/shop-three-zones.ron scenarios/shop-two-regions.ron \
        scenarios/shop-two-providers.ron scenarios/shop-two-providers-staged.ron
fi
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
report='
import json, sys
scenario, method, service, path, trials, start, end = sys.argv[1:8]
n = int(trials)
doc = json.load(open(path))
s = doc["services"][service]
lo, hi = s["lost_hours"]["ci95"]
z = 1.959963984540054
var = ((hi - lo) / (2 * z)) ** 2
vr = doc.get("variance_reduction")
floor = vr["floors"][service + " lost_hours"] ** 2 if vr else 0.0
spread = max(0.0, var - floor) * n
target = ((1 / 60) / z) ** 2
engine = doc["engine"]["seconds"]
fixed = max(0.0, float(end) - float(start) - engine)
if floor >= target:
    needed, seconds = "never", "-"
else:
    trials = max(1, round(spread / (target - floor)))
    needed, seconds = format(trials, ","), "%.2f" % (fixed + trials * engine / n)
name = scenario.split("/")[-1]
availability = s["availability"]["mean"]
print("%-34s %-17s %11.5f%% %12s %10s %14.2e" % (name, method, 100 * availability, needed,
                                                seconds, floor))
'
printf '%-34s %-17s %12s %12s %10s %14s\n' scenario method availability trials "wall (s)" "floor (h^2)"
for scenario in "$@"; do
    for method in $METHODS; do
        start=$(date +%s.%N)
        "$BIN" run "$scenario" --trials "$TRIALS" --threads 1 --variance-reduction "$method" \
            --format json --output "$tmp/run.json"
        end=$(date +%s.%N)
        python3 -c "$report" "$scenario" "$method" "$SERVICE" "$tmp/run.json" "$TRIALS" "$start" "$end"
    done
done
