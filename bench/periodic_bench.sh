#!/bin/sh
# The periodic planner (engine/periodic.c) on caravan weeks: what each stage
# brings (balanced construction only; + pattern moves; + the final polish of
# each day), at deterministic effort, so costs and unassigned counts are the
# same on every machine; the CPU seconds are not (2 shared cores: noisy).
# usage: sh bench/periodic_bench.sh BUILD_DIR   (needs ../shared for the Andorra graph)
set -eu
BUILD=${1:-build}
BIN=$BUILD/carevan
SHARED=${CV_SHARED_DIR:-../shared}
OUT=${OUT:-out/bench-periodic}
mkdir -p "$OUT"
if [ ! -f "$OUT/andorra.cvg" ]; then
    "$BIN" import "$SHARED/datasets/osm/andorra.osm.pbf" -o "$OUT/andorra.cvg" -q
fi
# The shipped week (sickbed rounds by one crew: needs the solver's allowed_vehicles),
# and the same generation (datasets/README.md: homes, set-cover stops, seed 1) without
# that cap, for a solver without care extensions.
"$BIN" scenario "$OUT/andorra.cvg" --kind caravan --villages datasets/osm/andorra-places.csv \
    --homes datasets/osm/andorra-homes.csv --matrices --no-continuity \
    -o "$OUT/week-nocap.json" 2>/dev/null
run() {
    name=$1
    shift
    echo "command: $BIN solve $* -o /dev/null"
    if [ -x /usr/bin/time ]; then
        /usr/bin/time -f "  cpu %U s" "$BIN" solve "$@" -o /dev/null 2>&1 | sed "s/^/  [$name] /"
    else
        "$BIN" solve "$@" -o /dev/null 2>&1 | sed "s/^/  [$name] /"
    fi
}
for week in datasets/scenarios/andorra-caravan-week.json "$OUT/week-nocap.json"; do
    echo "== $week"
    run construction "$week" --moves 0 --no-polish
    run moves30 "$week" --moves 30 --no-polish
    run moves30+polish "$week" --moves 30
    run moves100+polish "$week" --moves 100
done
