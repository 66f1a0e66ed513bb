#!/bin/sh
# The carevan command as a user meets it: help, version, exit codes, bad input
# messages, and convert -> solve -> check on bundled benchmark instances.
# usage: test_cli.sh CAREVAN SOURCE_DIR
set -u
BIN=$1
SRC=$2
. "$(dirname "$0")/cli_expect.sh"

expect 0 "" -- "$BIN" --version
grep -q '^carevan [0-9]' "$T/out" || bad "--version prints no version"
expect 0 "" -- "$BIN" --help
for c in solve check convert; do expect 0 "" -- "$BIN" $c --help; done
if "$BIN" serve --help >/dev/null 2>&1; then
    expect 2 "" -- "$BIN" serve --listen nowhere:abc
fi
expect 2 "unknown command" -- "$BIN" frobnicate
expect 2 "" -- "$BIN"
expect 2 "unknown or incomplete option --bogus" -- "$BIN" solve --bogus
expect 2 "--threads 0: expected 1..256" -- "$BIN" solve --threads 0 x.json
expect 2 "--setpart maybe: expected on or off" -- "$BIN" solve --setpart maybe x.json
expect 2 "cannot open" -- "$BIN" solve "$T/missing.json"
expect 2 "--local-search reloc: expected a comma-separated list" -- "$BIN" solve --local-search reloc x.json
expect 2 "--ls-when never: expected auto, recreate or best" -- "$BIN" solve --ls-when never x.json
expect 2 "--objective speed: expected cost or vehicles" -- "$BIN" solve --objective speed x.json
expect 2 "--cpu-time: needs --time-limit S" -- "$BIN" solve --cpu-time x.json
expect 2 "--from tsplib: expected solomon, lilim, cvrplib or mankowska" -- "$BIN" convert --from tsplib x

printf '{"vehicles":[{"id":1,"start_index":0}],"jobs":[{"id":3,"location_index":1,"time_windows":[[900,600]]}],"matrix":[[0,5],[5,0]]}' >"$T/bad.json"
expect 2 "jobs[0].time_windows[0]: start 900 > end 600" -- "$BIN" solve "$T/bad.json"
expect 2 "stdin: jobs[0].time_windows[0]: start 900 > end 600" -- sh -c "\"$BIN\" solve < \"$T/bad.json\""
printf '{"vehicles":[{"id":1,"start":[104.07,30.67]}],"jobs":[{"id":1,"location":[104.08,30.66]}]}' >"$T/coords.json"
expect 2 "gives coordinates but no matrices" -- "$BIN" solve "$T/coords.json"
printf '{"vehicles": [' >"$T/trunc.json"
expect 2 "JSON syntax error at line 1" -- "$BIN" solve "$T/trunc.json"
printf 'C101\n\nVEHICLE\nNUMBER CAPACITY\n 25 200\n' >"$T/empty.txt"
expect 2 "not a Solomon file" -- "$BIN" convert --from solomon "$T/empty.txt"

# A bundled instance through the whole chain, and a planted fault the checker must catch.
expect 0 "" -- "$BIN" convert --from solomon "$SRC/datasets/vrp/solomon/R101.txt" -o "$T/r101.json"
expect 0 "routes" -- "$BIN" solve "$T/r101.json" --effort 200000 --seed 3 -o "$T/r101.sol.json"
expect 0 "valid" -- "$BIN" check "$T/r101.json" "$T/r101.sol.json"
expect 0 "routes" -- "$BIN" solve "$T/r101.json" --effort 300000 --local-search all --ls-when recreate \
    --objective vehicles --threads 2 -o "$T/r101.ls.json"
expect 0 "valid" -- "$BIN" check "$T/r101.json" "$T/r101.ls.json"
expect 0 "routes" -- "$BIN" solve "$T/r101.json" --effort 100000 --ls-when auto -o "$T/r101.auto.json"
expect 0 "valid" -- "$BIN" check "$T/r101.json" "$T/r101.auto.json"
# A limit in CPU seconds (0.3 s: before the default effort's ~1 s); the plan checks.
expect 0 "routes" -- "$BIN" solve "$T/r101.json" --time-limit 0.3 --cpu-time -o "$T/r101.cpu.json"
expect 0 "valid" -- "$BIN" check "$T/r101.json" "$T/r101.cpu.json"
# Same seed and effort: the same plan (computing times aside).
"$BIN" solve "$T/r101.json" --effort 200000 --seed 3 -q | sed 's/"computing_times":{[^}]*}//' >"$T/a"
"$BIN" solve "$T/r101.json" --effort 200000 --seed 3 -q | sed 's/"computing_times":{[^}]*}//' >"$T/b"
cmp -s "$T/a" "$T/b" && ok || bad "same seed and effort gave different plans"
# With set partitioning over the route pool: a valid plan, also deterministic.
expect 0 "routes" -- "$BIN" solve "$T/r101.json" --effort 200000 --setpart on -o "$T/r101.sp.json"
expect 0 "valid" -- "$BIN" check "$T/r101.json" "$T/r101.sp.json"
"$BIN" solve "$T/r101.json" --effort 200000 --setpart on -q | sed 's/"computing_times":{[^}]*}//' >"$T/c"
"$BIN" solve "$T/r101.json" --effort 200000 --setpart on -q | sed 's/"computing_times":{[^}]*}//' >"$T/d"
cmp -s "$T/c" "$T/d" && ok || bad "--setpart on: same seed and effort gave different plans"
# A certified lower bound: below the plan's cost and below the proven optimum 1637.7 (x10).
expect 0 "above the best possible" -- "$BIN" solve "$T/r101.json" --effort 200000 --bound 5 -o "$T/r101.lb.json"
lb=$(sed -n 's/.*"lower_bound":\([0-9.]*\).*/\1/p' "$T/r101.lb.json")
cost=$(sed -n 's/.*"summary":{"cost":\([0-9]*\).*/\1/p' "$T/r101.lb.json")
if [ -n "$lb" ] && [ -n "$cost" ] && awk "BEGIN{exit !($lb > 0 && $lb <= $cost && $lb <= 16377)}"; then ok; else
    bad "lower bound '$lb' not in (0, min(cost $cost, optimum 16377)]"; fi
expect 0 "valid" -- "$BIN" check "$T/r101.json" "$T/r101.lb.json"
# Plant a fault: shift the first job's arrival by one.
sed 's/"arrival":\([0-9]*\),"duration"/"arrival":1\1,"duration"/' "$T/r101.sol.json" >"$T/r101.bad.json"
expect 1 "INVALID" -- "$BIN" check "$T/r101.json" "$T/r101.bad.json"
expect 2 "" -- "$BIN" check "$T/r101.json" "$T/bad.json"

# The HTML map: a plan without coordinates cannot be drawn; bad plans name the field.
expect 0 "" -- "$BIN" map --help
expect 2 "" -- "$BIN" map "$T/r101.sol.json"
expect 2 "nothing to draw" -- "$BIN" map "$T/r101.sol.json" "$T/r101.json" -o "$T/r101.html"
printf '{"routes":[{"vehicle":999,"steps":[]}]}' >"$T/badplan.json"
expect 2 "routes[0].vehicle: no vehicle 999 in the problem" -- "$BIN" map "$T/badplan.json" "$T/r101.json"
expect 2 "unknown or incomplete option --colour" -- "$BIN" map --colour x a b

expect 0 "" -- "$BIN" convert --from lilim "$SRC/datasets/vrp/lilim/lc101.txt" -o "$T/lc101.json"
expect 0 "" -- "$BIN" solve "$T/lc101.json" --effort 200000 -o "$T/lc101.sol.json"
expect 0 "valid" -- "$BIN" check "$T/lc101.json" "$T/lc101.sol.json"

# CVRPLIB: rounded (not truncated) Euclidean distances: depot (0,0), customers at
# distance 2.5 (-> 3) and 5; demands 5 + 6 > capacity 10: two routes, 2 x 3 + 2 x 5 = 16.
cvrp() { # header lines..., then the sections
    printf 'NAME : t\nTYPE : CVRP\nDIMENSION : 3\nEDGE_WEIGHT_TYPE : EUC_2D\nCAPACITY : %s\n' "$1"
    printf 'NODE_COORD_SECTION\n1 0 0\n2 0 2.5\n%s\nDEMAND_SECTION\n1 0\n2 5\n3 %s\n' "$2" "$3"
    printf 'DEPOT_SECTION\n%s\n-1\nEOF\n' "$4"
}
cvrp 10 "3 3 4" 6 1 >"$T/t.vrp"
expect 0 "" -- "$BIN" convert --from cvrplib "$T/t.vrp" -o "$T/t.json"
expect 0 "distance 16," -- "$BIN" solve "$T/t.json" --effort 100000 -o "$T/t.sol.json"
expect 0 "valid" -- "$BIN" check "$T/t.json" "$T/t.sol.json"
cvrp 10 "3 3 4" 11 1 >"$T/t.vrp"
expect 2 "t.vrp: DEMAND_SECTION: node 3: demand 11 > capacity 10" -- "$BIN" convert --from cvrplib "$T/t.vrp"
cvrp 10 "4 3 4" 6 1 >"$T/t.vrp"
expect 2 "t.vrp:9: NODE_COORD_SECTION: expected \"node x y\" with node in 1..DIMENSION" -- "$BIN" convert --from cvrplib "$T/t.vrp"
cvrp 10 "3 3" 6 1 >"$T/t.vrp"
expect 2 "NODE_COORD_SECTION: expected" -- "$BIN" convert --from cvrplib "$T/t.vrp"
cvrp 10 "3 3 4" 6 7 >"$T/t.vrp"
expect 2 "DEPOT_SECTION: node outside 1..DIMENSION" -- "$BIN" convert --from cvrplib "$T/t.vrp"
cvrp 0 "3 3 4" 6 1 >"$T/t.vrp"
expect 2 "CAPACITY: expected a positive integer, got 0" -- "$BIN" convert --from cvrplib "$T/t.vrp"
cvrp 10 "3 3 4" 6 1 | sed 's/EUC_2D/GEO/' >"$T/t.vrp"
expect 2 "EDGE_WEIGHT_TYPE: only EUC_2D is supported, got GEO" -- "$BIN" convert --from cvrplib "$T/t.vrp"
cvrp 10 "3 3 4" 6 1 | sed '/^3 6$/d' >"$T/t.vrp"
expect 2 "DEMAND_SECTION: node 3 missing" -- "$BIN" convert --from cvrplib "$T/t.vrp"
printf 'C101\n\nVEHICLE\n' >"$T/t.vrp"
expect 2 "not a CVRPLIB file" -- "$BIN" convert --from cvrplib "$T/t.vrp"
expect 2 "cannot open" -- "$BIN" convert --from cvrplib "$T/missing.vrp"

# A visit with several workers is one visit in solve's summary, as in check's
# (job 11 needs two carers and gets them; job 12 needs three of the two).
printf '%s' '{"vehicles": [{"id": 1, "start_index": 0, "end_index": 0}, {"id": 2, "start_index": 0, "end_index": 0}],
 "jobs": [{"id": 10, "location_index": 1, "service": 600},
          {"id": 11, "location_index": 2, "service": 1800, "workers": 2},
          {"id": 12, "location_index": 1, "service": 600, "workers": 3}],
 "matrix": [[0, 300, 400], [300, 0, 200], [400, 200, 0]]}' >"$T/workers.json"
expect 0 "2 routes, 2 of 3 tasks assigned, 1 unassigned" -- "$BIN" solve "$T/workers.json" \
    --effort 20000 -o "$T/workers.sol.json"
expect 0 "valid: 0 violations, 0 mismatches; 2 routes, 2 tasks assigned, 1 unassigned" -- \
    "$BIN" check "$T/workers.json" "$T/workers.sol.json"

# With the road graph: the make-run path (import, solve with road travel times,
# check against the same graph) and the scenario generator.
if "$BIN" import --help >/dev/null 2>&1; then
    expect 0 "" -- "$BIN" import "$SRC/datasets/osm/chengdu-center.osm.pbf" -o "$T/c.cvg" -q
    expect 0 "36 of 36 tasks assigned" -- "$BIN" solve "$SRC/datasets/sample/chengdu-care-day.json" \
        --graph "$T/c.cvg" --effort 300000 -o "$T/day.json" --geojson "$T/day.geojson" --sheets "$T/sheets"
    grep -q '"geometry":"' "$T/day.json" && ok || bad "routes have no road geometry"
    expect 0 "valid" -- "$BIN" check "$SRC/datasets/sample/chengdu-care-day.json" "$T/day.json" --graph "$T/c.cvg"
    expect 2 "pass --graph" -- "$BIN" check "$SRC/datasets/sample/chengdu-care-day.json" "$T/day.json"
    [ -f "$T/sheets/route-1.html" ] && ok || bad "no route sheet written"
    # The map written by solve and the one drawn later from the files are the same page.
    expect 0 "" -- "$BIN" solve "$SRC/datasets/sample/chengdu-care-day.json" --graph "$T/c.cvg" \
        --effort 300000 -o "$T/day2.json" --map "$T/day.map.html"
    expect 0 "" -- "$BIN" map "$T/day2.json" "$SRC/datasets/sample/chengdu-care-day.json" \
        --graph "$T/c.cvg" -o "$T/day.map2.html"
    cmp -s "$T/day.map.html" "$T/day.map2.html" && ok || bad "solve --map and map differ"
    grep -q '"cls":"primary"' "$T/day.map.html" && ok || bad "the map has no primary roads"
    expect 2 "cannot open" -- "$BIN" map "$T/day2.json" "$SRC/datasets/sample/chengdu-care-day.json" \
        --graph "$T/missing.cvg"
    expect 0 "" -- "$BIN" scenario "$T/c.cvg" --seed 7 --clients 25 -o "$T/s1.json"
    expect 0 "" -- "$BIN" scenario "$T/c.cvg" --seed 7 --clients 25 -o "$T/s2.json"
    cmp -s "$T/s1.json" "$T/s2.json" && ok || bad "same seed gave different scenarios"
    expect 0 "" -- "$BIN" scenario "$T/c.cvg" --seed 8 --clients 25 -o "$T/s3.json"
    cmp -s "$T/s1.json" "$T/s3.json" && bad "different seeds gave the same scenario" || ok
    expect 2 "no street within 150 m" -- "$BIN" scenario "$T/c.cvg" --center 10,10
    expect 2 "--clients 0: bad value" -- "$BIN" scenario "$T/c.cvg" --clients 0
    # A live day on the sample: events from the ETAs, urgent calls, every plan checked;
    # then the same day replayed from its events file gives the same outcome.
    SAMPLE="$SRC/datasets/sample/chengdu-care-day.json"
    expect 0 "" -- "$BIN" simulate "$SAMPLE" --graph "$T/c.cvg" --plan "$T/day.json" --urgent 5 \
        --seed 2 --write-events "$T/ev.json" -q
    grep -q " 0 checker failures, 0 frozen-prefix failures, 0 event-log failures" "$T/out" && ok \
        || bad "simulate: $(cat "$T/out")"
    sed 's/urgent answer[^;]*;//' "$T/out" >"$T/sim1"
    expect 0 "" -- "$BIN" simulate "$SAMPLE" "$T/ev.json" --graph "$T/c.cvg" --plan "$T/day.json" -q
    sed 's/urgent answer[^;]*;//' "$T/out" >"$T/sim2"
    cmp -s "$T/sim1" "$T/sim2" && ok || bad "replayed day differs: $(cat "$T/sim1" "$T/sim2")"
    echo '[{"type": "visit.begin", "time": 1, "vehicle": 1, "job": 100}]' >"$T/badev.json"
    expect 2 "events[0].type: \"visit.begin\" is not" -- "$BIN" simulate "$SAMPLE" "$T/badev.json" \
        --graph "$T/c.cvg" --plan "$T/day.json"
    echo '[{"type": "visit.done", "time": 30000, "vehicle": 1, "job": 100}]' >"$T/badev.json"
    expect 2 "events[0]: job: job 100 is not in progress" -- "$BIN" simulate "$SAMPLE" \
        "$T/badev.json" --graph "$T/c.cvg" --plan "$T/day.json"
    # The caravan week generator, on the bundled city's roads with a made-up
    # list of places (the Andorra week in datasets/ came from the same code).
    printf 'kind,name,lon,lat\ntown,Base,104.0715,30.6735\nvillage,North,104.0660,30.6900\nvillage,East,104.0900,30.6700\nhamlet,South,104.0700,30.6550\nvillage,West,104.0520,30.6750\n' >"$T/places.csv"
    expect 0 "caravan week from Base: 4 villages" -- "$BIN" scenario "$T/c.cvg" --kind caravan \
        --villages "$T/places.csv" --base Base --vans 2 --matrices -o "$T/cw.json"
    expect 0 "" -- "$BIN" scenario "$T/c.cvg" --kind caravan --villages "$T/places.csv" --base Base \
        --vans 2 --matrices -o "$T/cw2.json"
    cmp -s "$T/cw.json" "$T/cw2.json" && ok || bad "same seed gave different caravan weeks"
    expect 0 "jobs planned" -- "$BIN" solve "$T/cw.json" --effort 50000 --moves 4 -o "$T/cw-plan.json"
    expect 0 "valid" -- "$BIN" check "$T/cw.json" "$T/cw-plan.json"
    expect 2 "needs --villages" -- "$BIN" scenario "$T/c.cvg" --kind caravan
    expect 2 "--base \"Nowhere\": no place of that name" -- "$BIN" scenario "$T/c.cvg" --kind caravan \
        --villages "$T/places.csv" --base Nowhere
    printf 'kind,name,lon,lat\nvillage,Broken\n' >"$T/bad-places.csv"
    expect 2 "bad-places.csv:2: expected kind,name,lon,lat" -- "$BIN" scenario "$T/c.cvg" --kind caravan \
        --villages "$T/bad-places.csv"
    expect 2 "--kind town: bad value" -- "$BIN" scenario "$T/c.cvg" --kind town
fi
expect 0 "" -- "$BIN" simulate --help
expect 2 "--urgent x: expected an integer" -- "$BIN" simulate x.json --urgent x
expect 2 "cannot open" -- "$BIN" simulate "$T/missing.json"

# Several days (docs/care-extensions.md): the shipped caravan week plans without
# a graph (embedded matrices), and the independent checker accepts the plan.
CW="$SRC/datasets/scenarios/andorra-caravan-week.json"
# Its sickbed rounds keep one crew (max_vehicles 1), so the planner narrows
# allowed_vehicles per day; the checker verifies every rule of the week.
expect 0 "jobs planned" -- "$BIN" solve "$CW" --effort 30000 --moves 1 -o "$T/week.json"
grep -q '"day":4' "$T/week.json" && ok || bad "the week's routes carry no day"
expect 0 "valid" -- "$BIN" check "$CW" "$T/week.json"
sed 's/"day":0\([,}]\)/"day":9\1/' "$T/week.json" >"$T/week-bad.json"
expect 2 "is outside the horizon of 7 days" -- "$BIN" check "$CW" "$T/week-bad.json"
expect 2 "--cpu-time: not supported for multi-day problems" -- "$BIN" solve "$CW" --time-limit 5 --cpu-time
printf '{"horizon":{"days":3},"vehicles":[{"id":1,"start_index":0,"shifts":[{"day":1},{"day":1}]}],"jobs":[{"id":1,"location_index":1}],"matrix":[[0,5],[5,0]]}' >"$T/shifts.json"
expect 2 "vehicles[0].shifts[1].day: 1 is not after day 1" -- "$BIN" solve "$T/shifts.json"

echo "cli: $pass passed, $fails failed"
[ "$fails" -eq 0 ]
