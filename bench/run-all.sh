#!/bin/sh
# make bench: the benchmarks behind bench/RESULTS.md, each printing the command
# it ran.  Long (about an hour in all); never part of make test.  Needs the
# shared datasets (../shared), like the figures it reproduces.
set -eu
BUILD=${1:-build}
SHARED=${CV_SHARED_DIR:-../shared}
if [ ! -d "$SHARED/datasets" ]; then
    echo "bench: $SHARED/datasets not found (set CV_SHARED_DIR)" >&2
    exit 1
fi
cmake --build "$BUILD" --target graph_bench solver_solomon lp_bound server_bench care_mankowska live_urgent coverage_bench carevan >/dev/null

echo "== road graph"
CV_SHARED_OSM="$SHARED/datasets/osm" sh bench/graph_bench.sh "$BUILD"

for t in 2 10; do
    echo "== solver: Solomon at $t s per instance"
    echo "command: $BUILD/bench/solver_solomon --dir $SHARED/datasets/vrp/solomon --time $t --vroom $SHARED/baselines/vroom_solomon.csv"
    "$BUILD/bench/solver_solomon" --dir "$SHARED/datasets/vrp/solomon" --time "$t" \
        --vroom "$SHARED/baselines/vroom_solomon.csv"
done
echo "== solver: Li & Lim at fixed effort"
echo "command: $BUILD/bench/solver_solomon --dir $SHARED/datasets/vrp/lilim --lilim --effort 200000000"
"$BUILD/bench/solver_solomon" --dir "$SHARED/datasets/vrp/lilim" --lilim --effort 200000000

echo "== care planning: Mankowska et al. home health care, groups A-F, fixed effort"
echo "command: $BUILD/bench/care_mankowska --dir $SHARED/datasets/vrp/hhc --effort 200000000"
"$BUILD/bench/care_mankowska" --dir "$SHARED/datasets/vrp/hhc" --effort 200000000

echo "== LP bound: Solomon at 60 s per instance"
echo "command: $BUILD/bench/lp_bound -t 60 -F $SHARED/datasets/vrp/solomon $SHARED/datasets/vrp/solomon/bks.csv"
"$BUILD/bench/lp_bound" -t 60 -F "$SHARED/datasets/vrp/solomon" "$SHARED/datasets/vrp/solomon/bks.csv"

echo "== periodic planner: caravan weeks"
sh bench/periodic_bench.sh "$BUILD"

echo "== service circles (bench/RESULTS.md, Service circles)"
TMP=$(mktemp -d)
"$BUILD/carevan" import "$SHARED/datasets/osm/chengdu-center.osm.pbf" -o "$TMP/chengdu.cvg" --profiles walk,car -q
"$BUILD/carevan" import "$SHARED/datasets/osm/andorra.osm.pbf" -o "$TMP/andorra.cvg" --profiles walk,car -q
for prof in walk car; do
    echo "command: $BUILD/bench/coverage_bench chengdu.cvg --centre 104.085,30.69 --span 0.06 --profile $prof"
    "$BUILD/bench/coverage_bench" "$TMP/chengdu.cvg" --centre 104.085,30.69 --span 0.06 --profile $prof
    echo "command: $BUILD/bench/coverage_bench andorra.cvg --centre 1.5218,42.5063 --span 0.06 --profile $prof"
    "$BUILD/bench/coverage_bench" "$TMP/andorra.cvg" --centre 1.5218,42.5063 --span 0.06 --profile $prof
done
rm -rf "$TMP"

echo "== server: see bench/RESULTS.md (## Server) for the server_bench commands per extract"

echo "== live day: urgent insertion on a 300-visit day"
echo "command: $BUILD/bench/live_urgent 300 28 40 1 37800"
"$BUILD/bench/live_urgent" 300 28 40 1 37800
