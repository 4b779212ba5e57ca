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
# A plain run's variance of the mean is s^2 / n, so the trials needed are
# (1.96 s / (1/60 h))^2. A controlled run's is r + s^2 / n: r, the error of
# the controls' means, does not shrink with the trials (a floor under the
# interval). Each controlled method is therefore run twice, with TRIALS / 4
# and TRIALS trials (same seed), to separate r from s^2; the trials needed are
# s^2 / (v - r) for the target variance v = ((1/60 h) / 1.96)^2, and "never"
# when r >= v. Wall time: that many trials at the measured speed, plus the
# fixed cost of a controlled run (reference means and the 1,000-trial pilot).
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
scenario, method, service = sys.argv[1:4]
runs = []  # (trials, variance of the mean, engine seconds, wall seconds)
for arg in sys.argv[4:]:
    path, trials, start, end = arg.split(",")
    doc = json.load(open(path))
    s = doc["services"][service]
    lo, hi = s["lost_hours"]["ci95"]
    z = 1.959963984540054
    runs.append((int(trials), ((hi - lo) / (2 * z)) ** 2, doc["engine"]["seconds"],
                 float(end) - float(start)))
target = ((1 / 60) / z) ** 2
n, var, engine, wall = runs[-1]
if len(runs) == 1:
    floor, spread = 0.0, var * n
else:
    n1, var1 = runs[0][:2]
    # var = floor + spread / n at both sizes
    spread = max(0.0, (var1 - var) / (1 / n1 - 1 / n))
    floor = max(0.0, var - spread / n)
fixed = max(0.0, wall - engine)
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
run() { # scenario method trials -> "file,trials,start,end"
    local out="$tmp/run-$2-$3.json" start end
    start=$(date +%s.%N)
    "$BIN" run "$1" --trials "$3" --threads 1 --variance-reduction "$2" \
        --format json --output "$out"
    end=$(date +%s.%N)
    echo "$out,$3,$start,$end"
}
printf '%-34s %-17s %12s %12s %10s %14s\n' scenario method availability trials "wall (s)" "floor (h^2)"
for scenario in "$@"; do
    for method in $METHODS; do
        if [[ "$method" == none ]]; then
            runs=("$(run "$scenario" none "$TRIALS")")
        else
            runs=("$(run "$scenario" "$method" $((TRIALS / 4)))" "$(run "$scenario" "$method" "$TRIALS")")
        fi
        python3 -c "$report" "$scenario" "$method" "$SERVICE" "${runs[@]}"
    done
done
