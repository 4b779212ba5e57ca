#!/usr/bin/env bash
# Peer benchmark: faultline vs. a SimPy model of workload W1 (benches/w1.ron).
#
# usage: benches/peer.sh            (from anywhere inside the repository)
#
# Environment:
#   FAULTLINE_PEER_SIMPY  the SimPy model of W1 (w1_simpy.py: one SimPy process
#                     per failing component; not part of this repository).
#                     Without it, the script says so and exits 1.
#   SIMPY_TRIALS      trials for the SimPy peer (default 100)
#   FAULTLINE_TRIALS  trials for faultline (default 2000)
#   CARGO             cargo command (default cargo); CARGO=true uses the binary
#                     as it is, CARGO=false measures SimPy only
#   FAULTLINE_BIN     faultline binary (default <repo root>/target/release/faultline)
#   ROUNDS            rounds (default 1): each runs SimPy, then faultline on 1 and
#                     2 threads, so that a slow or fast minute of the machine
#                     falls on both peers; the summary gives each round's ratio
#                     and the median
#
# The SimPy peer and the 1-thread faultline run are pinned to core 0 with
# `taskset -c 0` when taskset exists; the 2-thread faultline run is unpinned.
# Raw outputs are kept under target/peer-bench/.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(git -C "$here" rev-parse --show-toplevel 2>/dev/null || (cd "$here/.." && pwd))"
cd "$ROOT"

SIMPY_TRIALS="${SIMPY_TRIALS:-100}"
ROUNDS="${ROUNDS:-1}"
FAULTLINE_TRIALS="${FAULTLINE_TRIALS:-2000}"
CARGO="${CARGO:-cargo}"
FAULTLINE_BIN="${FAULTLINE_BIN:-$ROOT/target/release/faultline}"
VENV="$ROOT/target/peer-venv"
OUT="$ROOT/target/peer-bench"
PEER="${FAULTLINE_PEER_SIMPY:-}"
SCENARIO="$ROOT/benches/w1.ron"

log() { printf '[peer] %s\n' "$*" >&2; }

if [[ -z "$PEER" || ! -f "$PEER" ]]; then
    log "set FAULTLINE_PEER_SIMPY to the SimPy model of W1 (w1_simpy.py)"
    exit 1
fi
mkdir -p "$OUT"

PIN=()
if command -v taskset >/dev/null 2>&1; then
    PIN=(taskset -c 0)
else
    log "taskset not found: runs are not pinned to one core"
fi

# ---------------------------------------------------------------- SimPy peer
if [[ ! -x "$VENV/bin/python" ]]; then
    log "creating venv $VENV"
    python3 -m venv "$VENV"
fi
if ! "$VENV/bin/python" -c 'import simpy, sys; sys.exit(simpy.__version__ != "4.1.2")' 2>/dev/null; then
    log "installing simpy==4.1.2 into $VENV"
    "$VENV/bin/python" -m pip install -q --disable-pip-version-check simpy==4.1.2
fi

log "building faultline: $CARGO build --release"
BUILT=0
if "$CARGO" build --release >&2 && [[ -x "$FAULTLINE_BIN" ]]; then
    BUILT=1
else
    log "SKIP faultline: '$CARGO build --release' failed or produced no $FAULTLINE_BIN; only the SimPy peer is measured"
fi

# One round: SimPy, then faultline on 1 and 2 threads; a line of rounds.txt.
# (Unindented for the here-documents.)
measure_round() {
log "SimPy peer: $SIMPY_TRIALS trials ${PIN[*]:+(pinned: ${PIN[*]})}"
"${PIN[@]}" "$VENV/bin/python" "$PEER" --trials "$SIMPY_TRIALS" | tee "$OUT/simpy.txt" >&2

# Parse `key=value` tokens; emit shell assignments.
eval "$(python3 - "$OUT/simpy.txt" <<'EOF'
import sys, shlex
kv = {}
for tok in open(sys.argv[1]).read().split():
    if "=" in tok:
        k, v = tok.split("=", 1)
        kv[k] = v
def num(k):
    return float(kv[k].split("+-")[0])
tps, nspe = num("trials_per_s"), num("ns_per_event")
evs = num("events_per_s")
av, ci = kv["avail0"].split("+-")
print(f"SP_TPS={tps!r}; SP_EVS={evs!r}; SP_NSPE={nspe!r}; SP_AV={shlex.quote(av)}; SP_CI={shlex.quote(ci)}; "
      f"SP_EPT={shlex.quote(kv['events_per_trial'])}; SP_VER={shlex.quote(kv['simpy'] + ' / python ' + kv['python'])}")
EOF
)"

# ---------------------------------------------------------------- faultline
FL_OK=0
FL1="" FL2=""
rm -f "$OUT/faultline-t1.json" "$OUT/faultline-t2.json"
# Reads faultline's JSON; prints "trials/s events/s ns/event mean ci95-half-width" (n/a where missing).
fl_parse() {
    python3 - "$1" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
eng = d.get("engine", {})
ev, sec, tr = eng.get("events"), eng.get("seconds"), d.get("trials")
av = d.get("services", {}).get("s000", {}).get("availability", {})
f = lambda x, fmt: format(x, fmt) if isinstance(x, (int, float)) else "n/a"
tps = tr / sec if tr and sec else None
evs = ev / sec if ev and sec else None
nspe = sec * 1e9 / ev if ev and sec else None
ci = av.get("ci95")
half = (ci[1] - ci[0]) / 2 if isinstance(ci, list) and len(ci) == 2 else None
print(f(tps, ".3f"), f(evs, ".4e"), f(nspe, ".1f"),
      f(av.get("mean"), ".7f"), f(half, ".7f"))
EOF
}

if [[ "$BUILT" == 1 ]]; then
    run_fl() { # threads json-file [pin...]
        local threads="$1" json="$2"
        shift 2
        "$@" "$FAULTLINE_BIN" run "$SCENARIO" --trials "$FAULTLINE_TRIALS" \
            --threads "$threads" --format json >"$json"
    }
    log "faultline: $FAULTLINE_TRIALS trials, 1 thread ${PIN[*]:+(pinned: ${PIN[*]})}"
    if run_fl 1 "$OUT/faultline-t1.json" "${PIN[@]}" && FL1="$(fl_parse "$OUT/faultline-t1.json")"; then
        log "faultline: $FAULTLINE_TRIALS trials, 2 threads (unpinned)"
        if run_fl 2 "$OUT/faultline-t2.json" && FL2="$(fl_parse "$OUT/faultline-t2.json")"; then
            FL_OK=1
        else
            log "SKIP faultline 2 threads: run or JSON parsing failed (see $OUT/faultline-t2.json)"
            FL_OK=1
        fi
    else
        log "SKIP faultline: '$FAULTLINE_BIN run ... --format json' failed or printed unexpected JSON (see $OUT/faultline-t1.json)"
    fi
fi

printf '%s %s|%s|%s\n' "$1" "$SP_TPS" "$FL1" "$FL2" >>"$OUT/rounds.txt"
}

: >"$OUT/rounds.txt"
for round in $(seq "$ROUNDS"); do
    log "round $round of $ROUNDS"
    measure_round "$round"
done

# ---------------------------------------------------------------- report
echo
echo "W1 peer benchmark (scenario $SCENARIO)"
printf '%-26s %7s %12s %12s %10s  %s\n' implementation threads trials/s events/s ns/event "s000 availability (95% CI)"
printf '%-26s %7s %12.3f %12.4e %10.1f  %s +- %s\n' "SimPy ($SIMPY_TRIALS trials)" 1 \
    "$SP_TPS" "$SP_EVS" "$SP_NSPE" "$SP_AV" "$SP_CI"
fl_row() { # threads "tps evs nspe mean ci"
    local t="$1" tps evs nspe mean ci
    read -r tps evs nspe mean ci <<<"$2"
    printf '%-26s %7s %12s %12s %10s  %s +- %s\n' "faultline ($FAULTLINE_TRIALS trials)" "$t" \
        "$tps" "$evs" "$nspe" "$mean" "$ci"
}
if [[ -n "$FL1" ]]; then fl_row 1 "$FL1"; fi
if [[ -n "$FL2" ]]; then fl_row 2 "$FL2"; fi
echo
echo "SimPy: $SP_VER, events/trial $SP_EPT"
if [[ "$FL_OK" == 1 ]]; then
    python3 - "$OUT/rounds.txt" <<'EOF'
import statistics, sys
def tps(row):
    try:
        return float(row.split()[0])
    except (IndexError, ValueError):
        return None
rows = []
for line in open(sys.argv[1]):
    head, t1, t2 = line.rstrip("\n").split("|")
    rnd, sp = head.split()
    rows.append((int(rnd), float(sp), tps(t1), tps(t2)))
if len(rows) > 1:
    print(f"{'round':>5} {'SimPy trials/s':>15} {'1 thread':>10} {'ratio':>8} {'2 threads':>10} {'speed-up':>9}")
    for rnd, sp, t1, t2 in rows:
        r = f"{t1 / sp:.1f}x" if t1 else "n/a"
        up = f"{t2 / t1:.2f}x" if t1 and t2 else "n/a"
        print(f"{rnd:>5} {sp:>15.3f} {t1 or 0:>10.1f} {r:>8} {t2 or 0:>10.1f} {up:>9}")
ratios = [t1 / sp for _, sp, t1, _ in rows if t1]
ups = [t2 / t1 for _, _, t1, t2 in rows if t1 and t2]
print(f"faultline(1 thread) / SimPy trials/s: {statistics.median(ratios):.1f}x" + (" (median of rounds)" if len(rows) > 1 else "") if ratios else "faultline(1 thread) / SimPy trials/s: n/a")
print(f"faultline 2-thread speed-up: {statistics.median(ups):.2f}x" + (" (median of rounds)" if len(rows) > 1 else "") if ups else "faultline 2-thread speed-up: n/a")
EOF
else
    echo "faultline: skipped (see messages above)"
fi
echo "arch: $(uname -m)  nproc: $(nproc)  cpu: $(grep -m1 '^model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2- | sed 's/^ *//' || echo unknown)"
echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
