#!/bin/sh
# Road-graph benchmark on the shared OSM extracts; prints markdown for bench/RESULTS.md.
set -eu
BUILD=${1:-build}
OSM=${CV_SHARED_OSM:-../shared/datasets/osm}
cmake --build "$BUILD" --target graph_bench >/dev/null
echo "command: $BUILD/bench/graph_bench $OSM/chengdu-center.osm.pbf $OSM/andorra.osm.pbf $OSM/porto-center.osm.pbf"
"$BUILD/bench/graph_bench" "$OSM/chengdu-center.osm.pbf" "$OSM/andorra.osm.pbf" "$OSM/porto-center.osm.pbf"
