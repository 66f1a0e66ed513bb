#!/bin/sh
# `make run`: the main job on the bundled sample city.
#   1. import the Chengdu OpenStreetMap extract into a road graph (once, cached),
#   2. plan a day of 36 home-care visits for five carers with road travel times,
#   3. verify the plan with the independent checker, and show each carer's day.
# Without the road-graph module it falls back to a Solomon benchmark instance.
set -eu
BIN=${1:-build/carevan}
OUT=${OUT:-out}
mkdir -p "$OUT"

if "$BIN" import --help >/dev/null 2>&1; then
    GRAPH="$OUT/chengdu-center.cvg"
    # Re-imported when the extract or carevan changed (under a second; a new
    # carevan may write a newer graph format, e.g. road classes for the map).
    if [ ! -f "$GRAPH" ] || [ datasets/osm/chengdu-center.osm.pbf -nt "$GRAPH" ] ||
        [ "$BIN" -nt "$GRAPH" ]; then
        echo "== importing datasets/osm/chengdu-center.osm.pbf (© OpenStreetMap contributors, ODbL)"
        "$BIN" import datasets/osm/chengdu-center.osm.pbf -o "$GRAPH"
    fi
    PROBLEM=datasets/sample/chengdu-care-day.json
    SOLUTION="$OUT/chengdu-care-day.solution.json"
    echo "== planning $PROBLEM on the road network"
    "$BIN" solve "$PROBLEM" --graph "$GRAPH" --time-limit 10 -o "$SOLUTION" \
        --geojson "$OUT/chengdu-care-day.geojson" --gpx "$OUT/gpx" --sheets "$OUT/sheets" \
        --map "$OUT/chengdu-care-day.map.html"
else
    PROBLEM="$OUT/C101.json"
    SOLUTION="$OUT/C101.solution.json"
    echo "== (this build has no road graph) planning Solomon C101 instead"
    "$BIN" convert --from solomon datasets/vrp/solomon/C101.txt -o "$PROBLEM"
    "$BIN" solve "$PROBLEM" --time-limit 10 -o "$SOLUTION"
fi
echo "== checking the plan independently"
if [ -n "${GRAPH:-}" ]; then
    # The checker needs the same travel times: it recomputes them from the graph.
    "$BIN" check "$PROBLEM" "$SOLUTION" --graph "$GRAPH"
else
    "$BIN" check "$PROBLEM" "$SOLUTION"
fi
echo "== the plan is in $SOLUTION"
if [ -n "${GRAPH:-}" ]; then
    echo "   the whole day on a map: $OUT/chengdu-care-day.map.html (open it in a browser; works offline)"
    echo "   map layers: $OUT/chengdu-care-day.geojson (QGIS or any web map)"
    echo "   for each carer: a printable route sheet in $OUT/sheets/, a GPX track in $OUT/gpx/"
fi
