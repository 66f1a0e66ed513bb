#!/bin/sh
# `make run`: the main jobs on the bundled data.
#   1. import the Chengdu OpenStreetMap extract into a road graph (once, cached),
#   2. plan the city care day (datasets/scenarios/chengdu-city-day.json: 60 clients,
#      8 carers and 2 nurses, with the care extensions; travel times embedded, the
#      graph draws the routes) and a week of the rural care caravan in Andorra
#      (datasets/scenarios/andorra-caravan-week.json, several days),
#   3. verify each plan with the independent checker, and show where the plans are.
# Without the road-graph module it plans the same files (their matrices are
# embedded), without route drawings.
set -eu
BIN=${1:-build/carevan}
OUT=${OUT:-out}
mkdir -p "$OUT"

DAY=datasets/scenarios/chengdu-city-day.json
DAY_PLAN="$OUT/chengdu-city-day.solution.json"
WEEK=datasets/scenarios/andorra-caravan-week.json
WEEK_PLAN="$OUT/andorra-caravan-week.solution.json"
if "$BIN" import --help >/dev/null 2>&1; then
    GRAPH="$OUT/chengdu-center.cvg"
    # Re-imported when the extract or carevan changed (under a second; a new
    # carevan may write a newer graph format, e.g. road classes for the map).
    if [ ! -f "$GRAPH" ] || [ datasets/osm/chengdu-center.osm.pbf -nt "$GRAPH" ] ||
        [ "$BIN" -nt "$GRAPH" ]; then
        echo "== importing datasets/osm/chengdu-center.osm.pbf (© OpenStreetMap contributors, ODbL)"
        "$BIN" import datasets/osm/chengdu-center.osm.pbf -o "$GRAPH"
    fi
    echo "== planning a city care day: $DAY (© OpenStreetMap contributors, ODbL)"
    "$BIN" solve "$DAY" --graph "$GRAPH" --time-limit 15 -o "$DAY_PLAN" \
        --geojson "$OUT/chengdu-city-day.geojson" --gpx "$OUT/gpx" --sheets "$OUT/sheets" \
        --map "$OUT/chengdu-city-day.map.html"
else
    echo "== (this build has no road graph) planning a city care day: $DAY"
    "$BIN" solve "$DAY" --time-limit 15 -o "$DAY_PLAN"
fi
echo "== checking the day's plan independently"
"$BIN" check "$DAY" "$DAY_PLAN"

echo "== planning a week of the care caravan: $WEEK (© OpenStreetMap contributors, ODbL)"
# Default options (about 5 s of CPU): a smaller effort plans the week 9.6 %
# dearer (bench/RESULTS.md, Periodic planner), too much driving to show off.
"$BIN" solve "$WEEK" -o "$WEEK_PLAN"
echo "== checking the week's plan independently (each day, then frequencies, spacing, crews)"
"$BIN" check "$WEEK" "$WEEK_PLAN"

echo "== the plans are in $DAY_PLAN and $WEEK_PLAN"
if [ -n "${GRAPH:-}" ]; then
    echo "   the whole day on a map: $OUT/chengdu-city-day.map.html (open it in a browser; works offline)"
    echo "   map layers: $OUT/chengdu-city-day.geojson (QGIS or any web map)"
    echo "   for each carer: a printable route sheet in $OUT/sheets/, a GPX track in $OUT/gpx/"
fi
