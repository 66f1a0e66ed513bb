#!/bin/sh
# Caravan stops feeding the caravan week (engine/scenario_caravan.c): on a
# made-up valley (fixtures/caravan/valley.osm) whose answer is known by
# construction, then the planned week through the independent checker.
#
# The valley road runs 4 km east; homes stand 40 m off it at x = 20 m (Aval),
# 820 m (Borda), 1580 m (Coll) and 3980 m (Dalt), one household each, and one
# at the top of a footpath 2.4 km up the hillside (Cim).  Walking 12 minutes
# (1000 m at 5 km/h), a stop near x = 820 serves Aval, Borda and Coll and Dalt
# needs its own: 2 stops are the fewest (one per village would be 4).  Cim is
# 2.4 km on foot from any van road: no stop can serve it, and it must be
# reported.  Walking 5 minutes (417 m) every village needs its own stop: 4.
# usage: test_caravan_stops.sh CAREVAN SOURCE_DIR
set -u
BIN=$1
SRC=$2
FX="$SRC/tests/engine/fixtures/caravan"
. "$(dirname "$0")/cli_expect.sh"
# py FILE EXPR: a Python expression over the scenario's jobs (list j)
py() { python3 -c "import json,sys; j=json.load(open(sys.argv[1]))['jobs']; print($2)" "$1"; }

"$BIN" import "$FX/valley.osm" -o "$T/v.cvg" -q >/dev/null 2>&1 || bad "import of the valley failed"
S="$BIN scenario $T/v.cvg --kind caravan --villages $FX/places.csv --homes $FX/homes.csv --base Base --households 1 --vans 2"

expect 0 "2 caravan stops (proven fewest) serve the households of 4 villages within a 12.0-minute walk; 1 household no stop can serve" \
    -- $S --matrices -o "$T/w.json"
grep -qF "not served: Cim, household 1 (1.543985,42.521559, Cim 5): no van road within the walk limit" "$T/err" && ok \
    || bad "Cim is not reported as unserved: $(cat "$T/err")"
[ "$(grep -c "not served" "$T/err")" -eq 1 ] && ok || bad "more than Cim reported: $(cat "$T/err")"
# Two stop locations; the one near Borda serves three villages, Dalt its own.
[ "$(py "$T/w.json" "len({tuple(x['location']) for x in j if x['description'].startswith('stop ')})")" = 2 ] \
    && ok || bad "not 2 stop locations: $(py "$T/w.json" "[x['description'] for x in j]")"
[ "$(py "$T/w.json" "sorted({x['description'].split(': ')[0].split(', for ')[1] for x in j if x['description'].startswith('stop ')})")" = "['Aval, Borda, Coll', 'Dalt']" ] \
    && ok || bad "wrong households per stop: $(py "$T/w.json" "[x['description'] for x in j]")"
# The shared stop stands on the road within a 12-minute walk of Aval (x = 20 m) and Coll (x = 1580 m).
py "$T/w.json" "all(1.5097 < x['location'][0] < 1.5100 for x in j if 'Aval, Borda' in x['description'])" | grep -q True && ok \
    || bad "the shared stop is not near Borda: $(py "$T/w.json" "[(x['location'], x['description']) for x in j]")"
# Service time grows with the people each job serves (12 min of check-up each).
py "$T/w.json" "all(x['service'] == 720 * int(x['description'].split(' for ')[-1]) for x in j if 'check-ups' in x['description'])" \
    | grep -q True && ok || bad "check-up service time does not match the people served"
[ "$(py "$T/w.json" "sum('check-ups' in x['description'] for x in j)")" -ge 2 ] && ok \
    || bad "not every stop has its check-ups"
# No job anywhere near Cim (it has no stop).
py "$T/w.json" "any(x['location'][1] > 42.51 for x in j)" | grep -q False && ok || bad "a job was placed at Cim"
# The week plans, and the independent checker accepts the plan.
expect 0 "jobs planned" -- "$BIN" solve "$T/w.json" --effort 50000 --moves 2 -o "$T/plan.json"
expect 0 "valid" -- "$BIN" check "$T/w.json" "$T/plan.json"

# A shorter walk: each village its own stop.
expect 0 "4 caravan stops (proven fewest) serve the households of 4 villages within a 5.0-minute walk" -- $S --walk-minutes 5 -o "$T/w5.json"
# Deterministic.
expect 0 "" -- $S --matrices -o "$T/w2.json"
cmp -s "$T/w.json" "$T/w2.json" && ok || bad "same seed gave different weeks"
# Without mapped homes: households on footpaths, still a set cover.
expect 0 "(0 in mapped homes)" -- "$BIN" scenario "$T/v.cvg" --kind caravan --villages "$FX/places.csv" --base Base -o "$T/w3.json"

# Bad input names the option or the file and line.
expect 2 "--walk-minutes 0: bad value" -- $S --walk-minutes 0
expect 2 "--walk-minutes x: bad value" -- $S --walk-minutes x
printf 'kind,name,lon,lat\nhouse,Broken,1.5\n' >"$T/bad-homes.csv"
expect 2 "bad-homes.csv:2: expected kind,name,lon,lat" -- "$BIN" scenario "$T/v.cvg" --kind caravan \
    --villages "$FX/places.csv" --homes "$T/bad-homes.csv" --base Base
expect 2 "cannot open" -- "$BIN" scenario "$T/v.cvg" --kind caravan --villages "$FX/places.csv" \
    --homes "$T/missing.csv" --base Base
printf 'kind,name,lon,lat\ntown,Base,1.524368,42.500359\nhamlet,Cim,1.543863,42.521559\n' >"$T/cim.csv"
expect 2 "no household of $T/cim.csv lies within a 12.0-minute walk of a van road" -- "$BIN" scenario \
    "$T/v.cvg" --kind caravan --villages "$T/cim.csv" --homes "$FX/homes.csv" --base Base

echo "caravan stops: $pass passed, $fails failed"
[ "$fails" -eq 0 ]
