#!/usr/bin/env bash
# Scaling benchmark: W1 with 200, 1,000 and 5,000 services (the `w1` example), the
# same number of events per run (409,600 / N trials, ~60 M events), one
# thread, sizes interleaved round after round so that a slow minute of the
# machine falls on every size alike. Prints per size the median ns/event
# (engine.seconds / engine.events), its ratio to 200 services, and the
# median peak RSS.
#
# usage: benches/scaling.sh            (from anywhere inside the repository)
#
# Environment:
#   ROUNDS         rounds (default 5)
#   SIZES          services per size (default "200 1000 5000")
#   CARGO          cargo command (default cargo); CARGO=true skips the build
#   FAULTLINE_BIN  faultline binary (default <repo root>/target/release/faultline)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(git -C "$here" rev-parse --show-toplevel 2>/dev/null || (cd "$here/.." && pwd))"
cd "$ROOT"

ROUNDS="${ROUNDS:-5}"
SIZES="${SIZES:-200 1000 5000}"
CARGO="${CARGO:-cargo}"
FAULTLINE_BIN="${FAULTLINE_BIN:-$ROOT/target/release/faultline}"
OUT="$ROOT/target/scaling-bench"
mkdir -p "$OUT"

"$CARGO" build --release >&2
for n in $SIZES; do
    cargo run --quiet --release --example w1 -- "$n" >"$OUT/w1_$n.ron"
done

PIN=()
if command -v taskset >/dev/null 2>&1; then
    PIN=(taskset -c 0)
fi

: >"$OUT/runs.txt"
for round in $(seq "$ROUNDS"); do
    for n in $SIZES; do
        trials=$((409600 / n))
        /usr/bin/time -f '%M' -o "$OUT/rss.txt" "${PIN[@]}" "$FAULTLINE_BIN" run "$OUT/w1_$n.ron" \
            --trials "$trials" --threads 1 --format json >"$OUT/w1_$n.json"
        python3 - "$OUT/w1_$n.json" "$n" "$round" "$(cat "$OUT/rss.txt")" >>"$OUT/runs.txt" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
e = d["engine"]
print(sys.argv[2], sys.argv[3], e["seconds"] * 1e9 / e["events"], e["events"] / d["trials"], sys.argv[4])
EOF
        printf '[scaling] round %s: %s services done\n' "$round" "$n" >&2
    done
done

python3 - "$OUT/runs.txt" <<'EOF'
import statistics, sys
runs = {}
for line in open(sys.argv[1]):
    n, _, ns, events, rss = line.split()
    runs.setdefault(int(n), []).append((float(ns), float(events), int(rss)))
base = None
print(f"{'services':>8} {'events/trial':>13} {'ns/event (median)':>18} {'min-max':>14} {'vs first':>9} {'peak RSS':>9}")
for n in sorted(runs):
    ns = [r[0] for r in runs[n]]
    median = statistics.median(ns)
    base = base or median
    rss = statistics.median(r[2] for r in runs[n]) / 1024
    print(f"{n:>8} {runs[n][0][1]:>13,.0f} {median:>18.2f} {min(ns):>6.2f}-{max(ns):<7.2f} {median / base:>8.2f}x {rss:>7.0f} MB")
EOF
echo "arch: $(uname -m)  nproc: $(nproc)  cpu: $(grep -m1 '^model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2- | sed 's/^ *//' || echo unknown)"
echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
