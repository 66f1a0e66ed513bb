#!/bin/sh
# `carevan coverage` as a user meets it, on the bundled Chengdu extract: the
# report's numbers agree with each other and with `carevan matrix`, the
# GeoJSON is valid JSON with one isochrone per site, siting and caravan stops
# run, and bad input fails with exit 2 and a message naming file:line:column.
# usage: test_coverage_cli.sh CAREVAN SOURCE_DIR
set -u
BIN=$1
SRC=$2
. "$(dirname "$0")/cli_expect.sh"
# json FILE EXPR: evaluates a python expression on the parsed file (d)
json() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print($2)" "$1"; }

expect 0 "" -- "$BIN" coverage --help
expect 0 "" -- "$BIN" import "$SRC/datasets/osm/chengdu-center.osm.pbf" -o "$T/c.cvg" --profiles walk,car -q
G=$T/c.cvg
cat >"$T/sites.csv" <<'CSV'
id,lon,lat
centre A,104.0800,30.6700
centre B,104.1000,30.6900
CSV
{
    echo "id,lon,lat"
    i=0
    for lon in 104.070 104.076 104.082 104.088 104.094 104.100 104.106; do
        for lat in 30.662 30.668 30.674 30.680 30.686 30.692 30.698; do
            i=$((i + 1)); echo "c$i,$lon,$lat"
        done
    done
} >"$T/clients.csv"
cat >"$T/cands.csv" <<'CSV'
id,lon,lat
k1,104.0700,30.6950
k2,104.0900,30.6800
k3,104.1050,30.6650
k4,104.0750,30.6620
CSV

expect 0 "within 10.0 min (walk) of 2 sites" -- "$BIN" coverage "$G" --sites "$T/sites.csv" \
    --clients "$T/clients.csv" --minutes 10 --geojson "$T/iso.geojson" -o "$T/rep.json"
cov=$(json "$T/rep.json" "d['covered']")
outn=$(json "$T/rep.json" "len(d['outside'])")
[ "$((cov + outn))" -eq 49 ] && ok || bad "covered $cov + outside $outn != 49 clients"
[ "$cov" -gt 0 ] && [ "$outn" -gt 0 ] && ok || bad "degenerate instance: covered $cov"
[ "$(json "$T/iso.geojson" "sum(f['properties']['kind']=='isochrone' and f['geometry']['type']=='MultiPolygon' for f in d['features'])")" = 2 ] \
    && ok || bad "expected 2 isochrone polygons"
[ "$(json "$T/iso.geojson" "sum(1 for f in d['features'] if f['properties']['kind']=='client' and f['properties']['covered'])")" = "$cov" ] \
    && ok || bad "GeoJSON clients disagree with the report"
# The report against carevan matrix: covered = clients whose nearest site is within 600 s.
{ echo "lon,lat"; tail -n +2 "$T/sites.csv" | cut -d, -f2,3; tail -n +2 "$T/clients.csv" | cut -d, -f2,3; } >"$T/pts.csv"
if "$BIN" matrix "$G" --profile walk "$T/pts.csv" -o "$T/m.json" 2>"$T/err"; then
    want=$(json "$T/m.json" "sum(1 for c in range(2, 51) if min(d['durations'][0][c], d['durations'][1][c]) <= 600)")
    [ "$want" = "$cov" ] && ok || bad "coverage $cov, matrix says $want"
else
    bad "carevan matrix failed: $(cat "$T/err")"
fi

expect 0 "adding 2 of 4 candidates" -- "$BIN" coverage "$G" --sites "$T/sites.csv" \
    --clients "$T/clients.csv" --minutes 10 --add 2 --candidates "$T/cands.csv" -o "$T/rep2.json"
[ "$(json "$T/rep2.json" "d['siting']['covered_before'] == $cov and d['siting']['covered_after'] > $cov and len(d['siting']['chosen']) <= 2")" = True ] \
    && ok || bad "siting report: $(json "$T/rep2.json" "d['siting']")"

expect 0 "caravan stops for 49 households" -- "$BIN" coverage "$G" --stops --clients "$T/clients.csv" \
    --walk-minutes 5 -o "$T/stops.json"
[ "$(json "$T/stops.json" "len(d['assignment']) + len(d['uncoverable']) == 49 and all(a['walk_s'] <= 300 for a in d['assignment'])")" = True ] \
    && ok || bad "stops report inconsistent"

# Bad input: exit 2, file:line:column.
printf 'id,lon,lat\nA,104.08,30.67\nB,104.09,north\n' >"$T/bad1.csv"
expect 2 "bad1.csv:3:10: lat: expected a number in [-90, 90], got \"north\"" -- \
    "$BIN" coverage "$G" --sites "$T/bad1.csv" --clients "$T/clients.csv"
printf 'lon,lat\n104.08,30.67\n' >"$T/bad2.csv"
expect 2 "bad2.csv:1:1: expected the header \"id,lon,lat\"" -- \
    "$BIN" coverage "$G" --sites "$T/sites.csv" --clients "$T/bad2.csv"
printf 'id,lon,lat\nfar,105.5,31.5\n' >"$T/far.csv"
expect 2 "far.csv:2:1: id \"far\": point (105.500000,31.500000): nearest walk road is" -- \
    "$BIN" coverage "$G" --sites "$T/sites.csv" --clients "$T/far.csv"
expect 2 "--minutes: expected a number of minutes" -- "$BIN" coverage "$G" --sites "$T/sites.csv" --clients "$T/clients.csv" --minutes -3
expect 2 "--add K and --candidates FILE go together" -- "$BIN" coverage "$G" --sites "$T/sites.csv" --clients "$T/clients.csv" --add 2
expect 2 "--profile boat: not a profile" -- "$BIN" coverage "$G" --sites "$T/sites.csv" --clients "$T/clients.csv" --profile boat
expect 2 "missing --sites" -- "$BIN" coverage "$G" --clients "$T/clients.csv"
expect 2 "cannot open" -- "$BIN" coverage "$G" --sites "$T/nope.csv" --clients "$T/clients.csv"

echo "coverage cli: $pass passed, $fails failed"
[ "$fails" -eq 0 ]
